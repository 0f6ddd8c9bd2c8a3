// Activation.swift — the activation words a layer statement takes (`layer dense 1 sigmoid`,
// `layer rnn 64 relu`).
//
// Declared beside the grammar that accepts them (CommandTable's dense and recurrent forms), so
// the declarations need nothing from the model statements; ModelSpec stores the chosen one.

/// How a dense layer squashes its outputs (and which nonlinearity a plain RNN uses).
enum Activation: String, Codable, Hashable, Sendable, CaseIterable {
    case linear, sigmoid, tanh, relu, softmax
}
