// Bidirectional.swift — a bidirectional recurrent layer: one cell reads each sequence forwards,
// a second reads it backwards from the sequence's own last real step, and their outputs are
// concatenated. Forward and backward passes side by side.
//
// Legend: T time steps, B batch, I input features, H hidden units per direction, L_b the length
// of sequence b (T without lengths).
//   input      x [T, B, I]
//   forward    f = cell_fwd(x)                     [T, B, H]
//   backward   r = cell_rev(x, reversed)           [T, B, H]: the cell walks t = T−1 … 0 and
//              starts row b at its step L_b − 1 (held at its initial state before), so
//              r[t, b] = r'[L_b − 1 − t, b] with r' = cell(x' ), x'[s, b] = x[L_b − 1 − s, b],
//              and r[t, b] = 0 for t ≥ L_b — without copying x reversed (Recurrent.swift)
//   output     y[t, b] = (f[t, b], r[t, b])        [T, B, 2H]
//   last       (f at step L_b − 1, r at step 0) = (forward final h, backward final h)  [B, 2H],
//              what PyTorch's h_n and Keras' Bidirectional(return_sequences=False) give
// Since the backward cell starts at each sequence's own last step and the forward cell holds its
// state past it, padding never changes a result. Backward: dy [T, B, 2H] splits into its two
// halves (into buffers kept across passes), each cell goes back through its own pass in its own
// direction, and dx = dx_fwd + dx_rev, both in time order.
// Parameter names as PyTorch's bidirectional layers: the forward cell's `…_l{k}`, the backward
// cell's `…_l{k}_reverse`.
//
// When the batch is too small to split between threads (fewer than 2 · RowSplit's minimum rows,
// a batch of one above all), the two directions of a forward pass run at the same time, one per
// core, meeting once per pass; otherwise each direction splits its batch between the threads
// itself. A backward pass runs the directions one after the other (both add into the gradients).

import Dispatch

/// Two cells over the same sequences, one reading backwards; outputs concatenated.
package final class BidirectionalLayer: RecurrentLayer {
    /// The cell that reads each sequence from its first step.
    package let forwardCell: RecurrentLayer
    /// The cell that reads each sequence from its last real step back to its first.
    package let backwardCell: RecurrentLayer

    package var inputSize: Int { forwardCell.inputSize }
    /// The output features: 2H, the two directions' hidden units side by side.
    package var hiddenSize: Int { 2 * forwardCell.hiddenSize }
    /// The forward cell's parameters, then the backward cell's (PyTorch's order).
    package var parameterSlots: [ParameterSlot] { forwardCell.parameterSlots + backwardCell.parameterSlots }
    /// The forward cell's state tensors, then the backward cell's.
    package var stateTensors: [Tensor] { forwardCell.stateTensors + backwardCell.stateTensors }
    /// (forward final h, backward final h) of the last forward pass, [B, 2H].
    package private(set) var lastOutput = Tensor(zeros: [0])

    private var steps = 0, batch = 0
    /// The halves of dL/dy for the two cells, [T, B, H] each, and of dL/dlast, [B, H] each: kept
    /// across passes (grown when the shape changes), so a backward pass allocates only dx.
    private var dOutputHalves = (Tensor(zeros: [0]), Tensor(zeros: [0]))
    private var dLastHalves = (Tensor(zeros: [0]), Tensor(zeros: [0]))

    /// Both cells' signal: each polls it at every time step.
    package var stopSignal: StopSignal? {
        get { forwardCell.stopSignal }
        set {
            forwardCell.stopSignal = newValue
            backwardCell.stopSignal = newValue
        }
    }

    /// Both cells' gradient-sum hook, polled during their backward passes.
    package var gradientOverlap: GradientOverlap? {
        get { forwardCell.gradientOverlap }
        set {
            forwardCell.gradientOverlap = newValue
            backwardCell.gradientOverlap = newValue
        }
    }

    /// Pairs two cells of the same kind and sizes (the second registered with the `_reverse` suffix).
    /// - Throws: `TensorError` if their kinds or sizes differ.
    package init(forward: RecurrentLayer, backward: RecurrentLayer) throws {
        guard type(of: forward) == type(of: backward) else {
            throw TensorError("BidirectionalLayer", "expected two cells of the same kind but got \(type(of: forward)) and \(type(of: backward))")
        }
        guard forward.inputSize == backward.inputSize, forward.hiddenSize == backward.hiddenSize else {
            throw TensorError("BidirectionalLayer", "expected two cells of the same sizes but got input \(forward.inputSize)/\(backward.inputSize), hidden \(forward.hiddenSize)/\(backward.hiddenSize)")
        }
        forwardCell = forward
        backwardCell = backward
    }

    /// Whether the two directions run at the same time, one per core: when there are two cores
    /// and too few rows for both to take half the batch each (RowSplit's minimum per part).
    static func directionsInParallel(batch B: Int) -> Bool {
        BLAS.threads > 1 && RowSplit.parts(rows: B) == 1
    }

    /// Runs `body(0)` and `body(1)`, at the same time when `parallel`; the first error thrown.
    private static func bothDirections(parallel: Bool, _ body: (Int) throws -> Tensor) throws -> (Tensor, Tensor) {
        guard parallel else { return (try body(0), try body(1)) }
        var results: [Result<Tensor, Error>] = [.success(Tensor(zeros: [0])), .success(Tensor(zeros: [0]))]
        results.withUnsafeMutableBufferPointer { slots in
            let out = slots.baseAddress!
            DispatchQueue.concurrentPerform(iterations: 2) { d in out[d] = Result { try body(d) } }
        }
        return (try results[0].get(), try results[1].get())
    }

    /// Runs both directions; `initialStateTensors` is the forward cell's states then the
    /// backward cell's (zeros when nil). `reversed` swaps the roles of the two cells' reading
    /// directions (not used by a stack; part of `RecurrentLayer`). Returns y [T, B, 2H].
    package func forward(_ input: Tensor, lengths: [Int]?, initialStateTensors: [Tensor]?,
                        in store: ParameterStore, mode: LSTMMode, reversed: Bool) throws -> Tensor {
        try Recurrent.checkInput(input, inputSize: inputSize, "bidirectional forward")
        let T = input.shape[0], B = input.shape[1], H = forwardCell.hiddenSize
        if let lengths { try Recurrent.checkLengths(lengths, steps: T, batch: B, "bidirectional forward") }
        let half = forwardCell.stateTensors.count
        let initialF = initialStateTensors.map { Array($0.prefix(half)) }
        let initialR = initialStateTensors.map { Array($0.dropFirst(half)) }

        let (f, r) = try Self.bothDirections(parallel: Self.directionsInParallel(batch: B)) { d in
            d == 0
                ? try self.forwardCell.forward(input, lengths: lengths, initialStateTensors: initialF, in: store,
                                               mode: mode, reversed: reversed)
                : try self.backwardCell.forward(input, lengths: lengths, initialStateTensors: initialR, in: store,
                                                mode: mode, reversed: !reversed)
        }
        var y = Tensor(zeros: [T, B, 2 * H])
        y.scalars.withUnsafeMutableBufferPointer { py in
            Self.interleave(f, r, rows: T * B, width: H, into: py.baseAddress!)
        }
        lastOutput = Self.concatenate(forwardCell.lastOutput, backwardCell.lastOutput, rows: B, width: H)
        steps = T
        batch = B
        return y
    }

    /// dL/dy [T, B, 2H] and/or dL/d`lastOutput` [B, 2H] -> dL/dx [T, B, I].
    package func backwardInput(dOutputs: Tensor?, dLast: Tensor?, in store: ParameterStore,
                              initialStateGradient: Bool) throws -> Tensor {
        let T = steps, B = batch, H = forwardCell.hiddenSize
        if let d = dOutputs, d.shape != [T, B, 2 * H] {
            throw TensorError.shape("bidirectional backward (dOutputs)", expected: [T, B, 2 * H], got: d.shape)
        }
        if let d = dLast, d.shape != [B, 2 * H] {
            throw TensorError.shape("bidirectional backward (dLast)", expected: [B, 2 * H], got: d.shape)
        }
        if let d = dOutputs { Self.split(d, rows: T * B, width: H, into: &dOutputHalves) }
        if let d = dLast { Self.split(d, rows: B, width: H, into: &dLastHalves) }
        // One direction after the other: both add into `store.grads`.
        var dx = try forwardCell.backwardInput(dOutputs: dOutputs == nil ? nil : dOutputHalves.0,
                                               dLast: dLast == nil ? nil : dLastHalves.0,
                                               in: store, initialStateGradient: initialStateGradient)
        let dxR = try backwardCell.backwardInput(dOutputs: dOutputs == nil ? nil : dOutputHalves.1,
                                                 dLast: dLast == nil ? nil : dLastHalves.1,
                                                 in: store, initialStateGradient: initialStateGradient)
        dx.scalars.withUnsafeMutableBufferPointer { p in
            dxR.scalars.withUnsafeBufferPointer { q in BLAS.axpy(n: p.count, alpha: 1, x: q.baseAddress!, y: p.baseAddress!) }
        }
        return dx
    }

    // MARK: - Time reversal and halves

    /// x'[s, b] = x[L_b − 1 − s, b] for s < L_b; steps past L_b are zero. Its own inverse on the
    /// valid steps. What the backward direction reads, written out (the cells never copy it).
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

    /// Each of `rows` rows of a and b [rows, width] side by side into out [rows, 2·width].
    static func interleave(_ a: Tensor, _ b: Tensor, rows: Int, width H: Int, into out: UnsafeMutablePointer<Float>) {
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                for r in 0..<rows {
                    (out + r * 2 * H).update(from: pa.baseAddress! + r * H, count: H)
                    (out + r * 2 * H + H).update(from: pb.baseAddress! + r * H, count: H)
                }
            }
        }
    }

    /// [rows, width] next to [rows, width] -> [rows, 2·width].
    static func concatenate(_ a: Tensor, _ b: Tensor, rows: Int, width H: Int) -> Tensor {
        var out = Tensor(zeros: [rows, 2 * H])
        out.scalars.withUnsafeMutableBufferPointer { Self.interleave(a, b, rows: rows, width: H, into: $0.baseAddress!) }
        return out
    }

    /// Columns 0 ..< width and width ..< 2·width of x [..., 2·width] into `halves` [..., width]
    /// each, reusing their storage when their shape is already right.
    static func split(_ x: Tensor, rows: Int, width H: Int, into halves: inout (Tensor, Tensor)) {
        let shape = Array(x.shape.dropLast()) + [H]
        if halves.0.shape != shape { halves = (Tensor(zeros: shape), Tensor(zeros: shape)) }
        x.scalars.withUnsafeBufferPointer { px in
            halves.0.scalars.withUnsafeMutableBufferPointer { p0 in
                halves.1.scalars.withUnsafeMutableBufferPointer { p1 in
                    for r in 0..<rows {
                        (p0.baseAddress! + r * H).update(from: px.baseAddress! + r * 2 * H, count: H)
                        (p1.baseAddress! + r * H).update(from: px.baseAddress! + r * 2 * H + H, count: H)
                    }
                }
            }
        }
    }
}
