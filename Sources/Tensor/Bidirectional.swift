// Bidirectional.swift — a bidirectional recurrent layer: one cell reads each sequence forwards,
// a second reads it backwards from the sequence's own last real step, and their outputs are
// concatenated. Forward and backward passes side by side.
//
// Legend: T time steps, B batch, I input features, H hidden units per direction, L_b the length
// of sequence b (T without lengths).
//   input      x [T, B, I]
//   forward    f = cell_fwd(x)                     [T, B, H]
//   backward   x'[s, b] = x[L_b − 1 − s, b] for s < L_b (padding stays at the end)
//              r' = cell_rev(x'),  r[t, b] = r'[L_b − 1 − t, b] for t < L_b, else 0
//   output     y[t, b] = (f[t, b], r[t, b])        [T, B, 2H]
//   last       (f at step L_b − 1, r at step 0) = (forward final h, backward final h)  [B, 2H],
//              what PyTorch's h_n and Keras' Bidirectional(return_sequences=False) give
// Since the backward cell starts at each sequence's own last step and the forward cell holds its
// state past it, padding never changes a result. Backward: dy splits into the two halves, the
// second reversed the same way, and dx = dx_fwd + reverse(dx_rev).
// Parameter names as PyTorch's bidirectional layers: the forward cell's `…_l{k}`, the backward
// cell's `…_l{k}_reverse`.
//
// When the batch is too small to split between threads (a batch of one), the two directions of
// a forward pass run at the same time, one per core; otherwise each direction splits its batch.

import Dispatch

/// Two cells over the same sequences, one reading backwards; outputs concatenated.
public final class BidirectionalLayer: RecurrentLayer {
    /// The cell that reads each sequence from its first step.
    public let forwardCell: RecurrentLayer
    /// The cell that reads each sequence from its last real step back to its first.
    public let backwardCell: RecurrentLayer

    public var inputSize: Int { forwardCell.inputSize }
    /// The output features: 2H, the two directions' hidden units side by side.
    public var hiddenSize: Int { 2 * forwardCell.hiddenSize }
    /// The forward cell's parameters, then the backward cell's (PyTorch's order).
    public var parameterSlots: [ParameterSlot] { forwardCell.parameterSlots + backwardCell.parameterSlots }
    /// The forward cell's state tensors, then the backward cell's.
    public var stateTensors: [Tensor] { forwardCell.stateTensors + backwardCell.stateTensors }
    /// (forward final h, backward final h) of the last forward pass, [B, 2H].
    public private(set) var lastOutput = Tensor(zeros: [0])

    private var lengths: [Int]?
    private var steps = 0, batch = 0

    /// Both cells' signal: each polls it at every time step.
    public var stopSignal: StopSignal? {
        get { forwardCell.stopSignal }
        set {
            forwardCell.stopSignal = newValue
            backwardCell.stopSignal = newValue
        }
    }

    /// Pairs two cells of the same kind and sizes (the second registered with the `_reverse` suffix).
    /// - Throws: `TensorError` if their kinds or sizes differ.
    public init(forward: RecurrentLayer, backward: RecurrentLayer) throws {
        guard type(of: forward) == type(of: backward) else {
            throw TensorError("BidirectionalLayer", "expected two cells of the same kind but got \(type(of: forward)) and \(type(of: backward))")
        }
        guard forward.inputSize == backward.inputSize, forward.hiddenSize == backward.hiddenSize else {
            throw TensorError("BidirectionalLayer", "expected two cells of the same sizes but got input \(forward.inputSize)/\(backward.inputSize), hidden \(forward.hiddenSize)/\(backward.hiddenSize)")
        }
        forwardCell = forward
        backwardCell = backward
    }

    /// Runs both directions; `initialStateTensors` is the forward cell's states then the
    /// backward cell's (zeros when nil). Returns y [T, B, 2H].
    public func forward(_ input: Tensor, lengths: [Int]?, initialStateTensors: [Tensor]?,
                        in store: ParameterStore, mode: LSTMMode) throws -> Tensor {
        try Recurrent.checkInput(input, inputSize: inputSize, "bidirectional forward")
        let T = input.shape[0], B = input.shape[1], H = forwardCell.hiddenSize
        if let lengths { try Recurrent.checkLengths(lengths, steps: T, batch: B, "bidirectional forward") }
        let half = forwardCell.stateTensors.count
        let initialF = initialStateTensors.map { Array($0.prefix(half)) }
        let initialR = initialStateTensors.map { Array($0.dropFirst(half)) }
        let reversed = Self.reverseInTime(input, lengths: lengths)

        var results: [Result<Tensor, Error>] = [.success(Tensor(zeros: [0])), .success(Tensor(zeros: [0]))]
        let run = { (direction: Int) -> Result<Tensor, Error> in
            Result {
                direction == 0
                    ? try self.forwardCell.forward(input, lengths: lengths, initialStateTensors: initialF, in: store, mode: mode)
                    : try self.backwardCell.forward(reversed, lengths: lengths, initialStateTensors: initialR, in: store, mode: mode)
            }
        }
        if BLAS.threads > 1 && RowSplit.parts(rows: B) == 1 {
            // Too few rows to split: one direction per core.
            results.withUnsafeMutableBufferPointer { slots in
                let out = slots.baseAddress!
                DispatchQueue.concurrentPerform(iterations: 2) { out[$0] = run($0) }
            }
        } else {
            results = [run(0), run(1)]
        }
        let f = try results[0].get(), r = Self.reverseInTime(try results[1].get(), lengths: lengths)

        var y = Tensor(zeros: [T, B, 2 * H])
        y.scalars.withUnsafeMutableBufferPointer { py in
            f.scalars.withUnsafeBufferPointer { pf in
                r.scalars.withUnsafeBufferPointer { pr in
                    for row in 0..<(T * B) {
                        (py.baseAddress! + row * 2 * H).update(from: pf.baseAddress! + row * H, count: H)
                        (py.baseAddress! + row * 2 * H + H).update(from: pr.baseAddress! + row * H, count: H)
                    }
                }
            }
        }
        lastOutput = Self.concatenate(forwardCell.lastOutput, backwardCell.lastOutput, rows: B, width: H)
        self.lengths = lengths
        steps = T
        batch = B
        return y
    }

    /// dL/dy [T, B, 2H] and/or dL/d`lastOutput` [B, 2H] -> dL/dx [T, B, I].
    public func backwardInput(dOutputs: Tensor?, dLast: Tensor?, in store: ParameterStore,
                              initialStateGradient: Bool) throws -> Tensor {
        let T = steps, B = batch, H = forwardCell.hiddenSize
        if let d = dOutputs, d.shape != [T, B, 2 * H] {
            throw TensorError.shape("bidirectional backward (dOutputs)", expected: [T, B, 2 * H], got: d.shape)
        }
        if let d = dLast, d.shape != [B, 2 * H] {
            throw TensorError.shape("bidirectional backward (dLast)", expected: [B, 2 * H], got: d.shape)
        }
        let dF = dOutputs.map { Self.half($0, rows: T * B, width: H, second: false) }
        let dR = dOutputs.map { Self.reverseInTime(Self.half($0, rows: T * B, width: H, second: true), lengths: lengths) }
        let dLastF = dLast.map { Self.half($0, rows: B, width: H, second: false) }
        let dLastR = dLast.map { Self.half($0, rows: B, width: H, second: true) }
        var dx = try forwardCell.backwardInput(dOutputs: dF, dLast: dLastF, in: store, initialStateGradient: initialStateGradient)
        let dxR = Self.reverseInTime(try backwardCell.backwardInput(dOutputs: dR, dLast: dLastR, in: store,
                                                                    initialStateGradient: initialStateGradient),
                                     lengths: lengths)
        dx.scalars.withUnsafeMutableBufferPointer { p in
            dxR.scalars.withUnsafeBufferPointer { q in
                for i in 0..<p.count { p[i] += q[i] }
            }
        }
        return dx
    }

    // MARK: - Time reversal and halves

    /// x'[s, b] = x[L_b − 1 − s, b] for s < L_b; steps past L_b are zero. Its own inverse on the
    /// valid steps.
    static func reverseInTime(_ x: Tensor, lengths: [Int]?) -> Tensor {
        let T = x.shape[0], B = x.shape[1], F = x.shape[2]
        var out = Tensor(zeros: x.shape)
        out.scalars.withUnsafeMutableBufferPointer { po in
            x.scalars.withUnsafeBufferPointer { px in
                for b in 0..<B {
                    let L = lengths?[b] ?? T
                    for s in 0..<L {
                        (po.baseAddress! + (s * B + b) * F).update(from: px.baseAddress! + ((L - 1 - s) * B + b) * F, count: F)
                    }
                }
            }
        }
        return out
    }

    /// Columns 0 ..< width (or width ..< 2·width) of each of `rows` rows of width 2·width.
    static func half(_ x: Tensor, rows: Int, width H: Int, second: Bool) -> Tensor {
        var out = Tensor(zeros: Array(x.shape.dropLast()) + [H])
        out.scalars.withUnsafeMutableBufferPointer { po in
            x.scalars.withUnsafeBufferPointer { px in
                for r in 0..<rows {
                    (po.baseAddress! + r * H).update(from: px.baseAddress! + r * 2 * H + (second ? H : 0), count: H)
                }
            }
        }
        return out
    }

    /// [rows, width] next to [rows, width] -> [rows, 2·width].
    static func concatenate(_ a: Tensor, _ b: Tensor, rows: Int, width H: Int) -> Tensor {
        var out = Tensor(zeros: [rows, 2 * H])
        for r in 0..<rows {
            for j in 0..<H {
                out.scalars[r * 2 * H + j] = a.scalars[r * H + j]
                out.scalars[r * 2 * H + H + j] = b.scalars[r * H + j]
            }
        }
        return out
    }
}
