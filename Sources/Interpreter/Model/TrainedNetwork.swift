// TrainedNetwork.swift — the weights a model has: the numeric core's `Network` built from the
// model's spec, with the vocabulary and class names of the data it learned from.
//
// The model holds it (`Model.network`); the training statements build, train, save and load it.
// It lives beside the model so the model's members (`m.vocab`, `l.weights`) read it without
// reaching into the training code.

import Tensor

/// A model's network, and what it learned from.
final class TrainedNetwork {
    var network: Network
    /// `Model.revision` when the network was built: a later change to the model drops it.
    let revision: Int
    /// The symbols of the token ids the model reads, when known.
    var vocabulary: Vocabulary?
    /// The names of the classes it predicts, when known.
    var classes: [String]?
    /// How the training samples were padded and cut to the model's length (data from
    /// `sequences`), so `predict` does the same to a shorter or longer text; nil when they were not.
    var padding: SequencePadding?
    /// Training steps taken with these weights (0: they are as initialised).
    var trainedSteps = 0

    init(network: Network, revision: Int, vocabulary: Vocabulary? = nil, classes: [String]? = nil) {
        self.network = network
        self.revision = revision
        self.vocabulary = vocabulary
        self.classes = classes
    }
}

/// How `sequences` made samples of one length: padding after the symbols (masked by length),
/// and a longer sample's first or last symbols kept.
struct SequencePadding: Equatable {
    var keepLast: Bool
    /// The word the model file and `sequences` use: "first" or "last".
    var keep: String { keepLast ? "last" : "first" }
    init(keepLast: Bool) { self.keepLast = keepLast }
    init?(keep: String) {
        switch keep {
        case "first": keepLast = false
        case "last": keepLast = true
        default: return nil
        }
    }
}
