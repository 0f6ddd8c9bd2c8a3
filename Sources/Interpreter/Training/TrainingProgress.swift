// TrainingProgress.swift — what a host learns after each training step through
// `SeqInterpreter.Configuration.onProgress`.

/// A snapshot of a running `train` (or `resume`) statement, reported after every step.
public struct TrainingProgress: Sendable, CustomStringConvertible {
    /// The epoch being trained, from 1.
    public var epoch: Int
    /// The epochs the statement will train (for `steps N`, the epochs those steps span).
    public var epochs: Int
    /// Steps taken in this epoch so far, from 1.
    public var stepInEpoch: Int
    /// Steps in one epoch.
    public var stepsPerEpoch: Int
    /// Steps taken since training began (across `resume`).
    public var step: Int
    /// The mean loss of the epoch so far.
    public var loss: Double
    /// Other running figures of the epoch: `accuracy`, `perplexity` where they fit.
    public var metrics: [String: Double]
    /// The learning rate of this step.
    public var learningRate: Double

    public init(epoch: Int, epochs: Int, stepInEpoch: Int, stepsPerEpoch: Int, step: Int,
                loss: Double, metrics: [String: Double], learningRate: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.stepInEpoch = stepInEpoch
        self.stepsPerEpoch = stepsPerEpoch
        self.step = step
        self.loss = loss
        self.metrics = metrics
        self.learningRate = learningRate
    }

    public var description: String {
        "epoch \(epoch)/\(epochs) step \(stepInEpoch)/\(stepsPerEpoch) loss \(loss)"
    }
}
