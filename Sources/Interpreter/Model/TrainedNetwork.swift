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
    /// Training steps taken with these weights (0: they are as initialised).
    var trainedSteps = 0

    init(network: Network, revision: Int, vocabulary: Vocabulary? = nil, classes: [String]? = nil) {
        self.network = network
        self.revision = revision
        self.vocabulary = vocabulary
        self.classes = classes
    }
}
