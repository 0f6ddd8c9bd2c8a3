// RecurrentStack.swift — how a `Network` runs one recurrent layer statement: a stack of LSTM,
// GRU or RNN layers, each one direction or a bidirectional pair, with dropout on each stacked
// layer's output, giving every step or only each sequence's last.
//
// Legend: T time steps, B batch, I inputs, H hidden units, D directions (1, or 2 when
// bidirectional), so each stacked layer gives D·H features:
//   stack layer 0    [T, B, I]   -> [T, B, D·H]
//   stack layer k    [T, B, D·H] -> [T, B, D·H]
//   last             the final layer's `lastOutput` [B, D·H] instead of its sequence
// Parameter names: `{name}.weight_ih_l{k}` … for the forward cell, `…_l{k}_reverse` for the
// backward one (PyTorch's nn.LSTM / nn.GRU / nn.RNN with num_layers and bidirectional).

/// The cell of a recurrent stack.
package enum RecurrentCell: String, Codable, CaseIterable, Sendable {
    case lstm, gru, rnn

    /// Fused gate rows per hidden unit: the G of [G·H, I] weights.
    package var gatesPerUnit: Int {
        switch self {
        case .lstm: return 4
        case .gru: return 3
        case .rnn: return 1
        }
    }
}

/// A stack of recurrent layers over [T, B, I]; outputs every step or only each sequence's last.
final class RecurrentStack {
    let name: String
    let cell: RecurrentCell
    let hidden: Int
    let bidirectional: Bool
    /// One entry per stacked layer: a single cell, or a `BidirectionalLayer`.
    let layers: [RecurrentLayer]
    let returnSequences: Bool
    /// The dropout on each stacked layer's output.
    let masks: [Dropout]
    /// Each stacked layer's output sequence [T, B, D·H] of the last forward (before dropout).
    private(set) var outputs: [Tensor]
    /// Every stacked layer's signal, polled at each of its time steps.
    var stopSignal: StopSignal? {
        didSet {
            for layer in layers { layer.stopSignal = stopSignal }
        }
    }
    /// Told when each stacked layer's gradients are final, and polled by its cells.
    var gradientOverlap: GradientOverlap? {
        didSet {
            for layer in layers { layer.gradientOverlap = gradientOverlap }
        }
    }

    init(name: String, cell: RecurrentCell, inputSize: Int, hidden: Int, stack: Int, bidirectional: Bool,
         activation: RNNActivation, returnSequences: Bool, dropout: Float, store: ParameterStore) throws {
        self.name = name
        self.cell = cell
        self.hidden = hidden
        self.bidirectional = bidirectional
        self.returnSequences = returnSequences
        let width = bidirectional ? 2 * hidden : hidden
        func make(_ input: Int, _ k: Int, _ suffix: String) throws -> RecurrentLayer {
            switch cell {
            case .lstm:
                return try LSTMLayer(inputSize: input, hiddenSize: hidden, layerIndex: k, namePrefix: name + ".",
                                     nameSuffix: suffix, in: store)
            case .gru:
                return try GRULayer(inputSize: input, hiddenSize: hidden, layerIndex: k, namePrefix: name + ".",
                                    nameSuffix: suffix, in: store)
            case .rnn:
                return try RNNLayer(inputSize: input, hiddenSize: hidden, activation: activation, layerIndex: k,
                                    namePrefix: name + ".", nameSuffix: suffix, in: store)
            }
        }
        var layers: [RecurrentLayer] = []
        for k in 0..<stack {
            let input = k == 0 ? inputSize : width
            let forward = try make(input, k, "")
            layers.append(bidirectional ? try BidirectionalLayer(forward: forward, backward: try make(input, k, "_reverse"))
                                        : forward)
        }
        self.layers = layers
        masks = try (0..<stack).map { _ in try Dropout(rate: dropout) }
        outputs = Array(repeating: Tensor(zeros: [0]), count: stack)
    }

    /// The single-direction cells of the stack, in parameter order (forward, then reverse, per layer).
    var cells: [RecurrentLayer] {
        layers.flatMap { layer -> [RecurrentLayer] in
            if let pair = layer as? BidirectionalLayer { return [pair.forwardCell, pair.backwardCell] }
            return [layer]
        }
    }

    /// x [T, B, I] -> [T, B, D·H] (or [B, D·H] when only the last step is kept), starting from
    /// `initial` (one state per stacked layer; zeros when nil). `finalStates` holds where it ended.
    func forward(_ x: Tensor, lengths: [Int]?, training: Bool, initial: [[Tensor]]?, frozenMasks: Bool,
                 store: ParameterStore, rng: inout SeededRandom) throws -> Tensor {
        var h = x
        for (l, layer) in layers.enumerated() {
            let y = try layer.forward(h, lengths: lengths, initialStateTensors: initial?[l], in: store,
                                      mode: training ? .training : .inference)
            outputs[l] = y
            let out = l == layers.count - 1 && !returnSequences ? layer.lastOutput : y
            h = try masks[l].forward(out, training: training, reusingLastMask: frozenMasks, using: &rng)
        }
        return h
    }

    /// Where stacked layer `l`'s parameters start in the store (its cells registered them in
    /// order, above those of the layers below).
    func firstOffset(ofLayer l: Int) -> Int {
        layers[l].parameterSlots.map(\.offset).min() ?? 0
    }

    /// The state each stacked layer ended the last forward pass in.
    var finalStates: [[Tensor]] { layers.map(\.stateTensors) }

    /// dY [T, B, D·H] (or [B, D·H]) -> dX [T, B, I]; parameter gradients go into `store.grads`.
    /// No gradient flows into a carried initial state (truncated backpropagation).
    func backward(_ dY: Tensor, store: ParameterStore) throws -> Tensor {
        var d = dY
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            d = try masks[l].backward(d)
            let last = l == layers.count - 1 && !returnSequences
            d = try layers[l].backwardInput(dOutputs: last ? nil : d, dLast: last ? d : nil, in: store,
                                            initialStateGradient: false)
            gradientOverlap?.final(from: firstOffset(ofLayer: l))
        }
        return d
    }

    /// The first stacked layer and time step whose output holds a NaN or infinity.
    func firstNonFinite() -> (layer: Int, step: Int)? {
        for (l, y) in outputs.enumerated() where y.rank == 3 {
            let T = y.shape[0], row = y.shape[1] * y.shape[2]
            for t in 0..<T where !(t * row..<(t + 1) * row).allSatisfy({ y.scalars[$0].isFinite }) {
                return (l, t)
            }
        }
        return nil
    }
}
