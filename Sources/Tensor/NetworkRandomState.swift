// NetworkRandomState.swift — the state of a network's dropout generator, for checkpoints.
//
// A checkpoint that resumes training bit for bit must hold every random stream, including the
// one that draws a network's dropout masks.

extension Network {
    /// The complete state of the generator that draws the dropout masks; setting it makes the
    /// next masks exactly those a run with that state would draw.
    package var randomState: SeededRandom.State {
        get { dropoutRandom.state }
        set { dropoutRandom.state = newValue }
    }
}
