// KerasWeights.swift — the weights of a Keras 3 model (`model.weights.h5`, alone or inside a
// `.keras` archive) grouped into modules in SeqLang's (PyTorch's) layout.
//
// Keras 3 stores a layer's variables as datasets `layers/<layer>/vars/0, 1, …` (a recurrent
// layer's under `…/cell/vars`, a Bidirectional wrapper's under `forward_layer/cell/vars` and
// `backward_layer/cell/vars`); `<layer>` is the snake-case class name numbered in model order
// (`lstm`, `lstm_1`). Files of Keras 2.13–2.15 name the root `_layer_checkpoint_dependencies`.
// The conversions (docs/interchange.md has the table):
//   Embedding  embeddings [V, D]                 -> weight [V, D]
//   Dense      kernel [I, O], bias [O]           -> weight [O, I] transposed, bias
//   LSTM       kernel [I, 4H], recurrent [H, 4H] -> weight_ih [4H, I], weight_hh [4H, H] transposed;
//              gates i, f, c, o are PyTorch's i, f, g, o; one bias [4H] -> bias_ih, bias_hh = 0
//   GRU        kernel [I, 3H], recurrent [H, 3H], bias [2, 3H] (reset_after, Keras 3's default)
//              -> gate blocks z, r, h reordered to r, z, n, transposed; bias row 0 -> bias_ih,
//              row 1 -> bias_hh. A GRU with reset_after=False computes another function and is refused.
//   SimpleRNN  kernel [I, H], recurrent [H, H], bias [H] -> transposed; bias_ih, bias_hh = 0
//   Bidirectional(...)  forward_layer -> `_l0`, backward_layer -> `_l0_reverse`
// Which recurrent cell a Bidirectional wraps, its kernel says (4H, 3H or H columns).

import Tensor

enum KerasWeights {
    struct Failure: Error {
        var message: String
        var hint: String?
    }

    static let roots = ["layers/", "_layer_checkpoint_dependencies/"]

    static func modules(_ datasets: [HDF5File.Dataset]) throws -> ForeignWeights {
        // layer -> (sub-path below the layer -> dataset)
        var layers: [String: [String: HDF5File.Dataset]] = [:]
        for d in datasets {
            guard let root = roots.first(where: { d.path.hasPrefix($0) }) else { continue }   // optimizer, metrics
            let rest = d.path.dropFirst(root.count)
            guard let slash = rest.firstIndex(of: "/") else { continue }
            layers[String(rest[..<slash]), default: [:]][String(rest[rest.index(after: slash)...])] = d
        }
        guard !layers.isEmpty else {
            throw Failure(message: "it holds no Keras layer weights (no datasets under layers/…/vars)",
                          hint: "SeqLang reads the weight files of Keras 3 (`model.save_weights(\"x.weights.h5\")` or `model.save(\"x.keras\")`)")
        }
        var modules: [ForeignModule] = []
        for name in layers.keys.sorted(by: naturalOrder) {
            let vars = layers[name]!
            let cls = className(name)
            switch cls {
            case "embedding":
                let e = try variable(vars, "vars/0", name)
                modules.append(ForeignModule(name: name, kind: .embedding, cell: nil,
                                             parameters: ["weight": ForeignTensor(source: e.path, sourceShape: e.tensor.shape, conversion: nil, tensor: e.tensor)]))
            case "dense":
                let k = try variable(vars, "vars/0", name)
                guard k.tensor.rank == 2 else { throw Failure(message: "the kernel '\(k.path)' of Dense layer '\(name)' is \(k.tensor.shape), expected [inputs, units]") }
                var p = ["weight": ForeignTensor(source: k.path, sourceShape: k.tensor.shape, conversion: "transposed", tensor: transpose(k.tensor))]
                if let b = vars["vars/1"] { p["bias"] = ForeignTensor(source: b.path, sourceShape: b.tensor.shape, conversion: nil, tensor: b.tensor) }
                modules.append(ForeignModule(name: name, kind: .linear, cell: nil, parameters: p))
            case "lstm", "gru", "simple_rnn":
                let (cell, p) = try recurrent(vars, "cell/vars/", suffix: "_l0", layer: name)
                modules.append(ForeignModule(name: name, kind: .recurrent, cell: cell, parameters: p))
            case "bidirectional":
                let (cell, forward) = try recurrent(vars, "forward_layer/cell/vars/", suffix: "_l0", layer: name)
                let (backCell, backward) = try recurrent(vars, "backward_layer/cell/vars/", suffix: "_l0_reverse", layer: name)
                guard cell == backCell else { throw Failure(message: "Bidirectional layer '\(name)' wraps a \(cell) forward and a \(backCell) backward") }
                modules.append(ForeignModule(name: name, kind: .recurrent, cell: cell, parameters: forward.merging(backward) { a, _ in a }))
            default:
                let first = vars.values.map(\.path).sorted().first ?? name
                throw Failure(message: "Keras layer '\(name)' (dataset '\(first)') has no SeqLang counterpart",
                              hint: "SeqLang loads Embedding, Dense, LSTM, GRU, SimpleRNN and Bidirectional layers")
            }
        }
        return ForeignWeights(layout: "Keras", modules: modules)
    }

    /// `lstm` of `lstm_3`: Keras numbers repeated classes with a suffix.
    static func className(_ layer: String) -> String {
        if let underscore = layer.lastIndex(of: "_"), !layer[layer.index(after: underscore)...].isEmpty,
           layer[layer.index(after: underscore)...].allSatisfy(\.isNumber) {
            return String(layer[..<underscore])
        }
        return layer
    }

    private static func variable(_ vars: [String: HDF5File.Dataset], _ key: String, _ layer: String) throws -> HDF5File.Dataset {
        guard let d = vars[key] else {
            throw Failure(message: "Keras layer '\(layer)' has no variable \(key) (it has: \(vars.keys.sorted().joined(separator: ", ")))")
        }
        return d
    }

    /// A recurrent cell's kernel, recurrent kernel and bias under `base`, as PyTorch-named
    /// parameters with `suffix`; and which cell it is.
    private static func recurrent(_ vars: [String: HDF5File.Dataset], _ base: String, suffix: String,
                                  layer: String) throws -> (String, [String: ForeignTensor]) {
        let k = try variable(vars, base + "0", layer), r = try variable(vars, base + "1", layer)
        guard k.tensor.rank == 2, r.tensor.rank == 2, r.tensor.shape[0] > 0, k.tensor.shape[1] == r.tensor.shape[1],
              r.tensor.shape[1] % r.tensor.shape[0] == 0 else {
            throw Failure(message: "'\(k.path)' \(k.tensor.shape) and '\(r.path)' \(r.tensor.shape) are not the kernels of one recurrent cell")
        }
        let h = r.tensor.shape[0]
        let gates = r.tensor.shape[1] / h
        let cell: String
        switch gates {
        case 4: cell = "lstm"
        case 3: cell = "gru"
        case 1: cell = "rnn"
        default: throw Failure(message: "'\(r.path)' \(r.tensor.shape) has \(gates) gate blocks; an LSTM has 4, a GRU 3, a SimpleRNN 1")
        }
        let reorder = cell == "gru"
        let how = reorder ? "gates z, r, h reordered to r, z, n, transposed" : "transposed"
        func weight(_ d: HDF5File.Dataset) -> ForeignTensor {
            let t = reorder ? gruColumns(d.tensor, hidden: h) : d.tensor
            return ForeignTensor(source: d.path, sourceShape: d.tensor.shape, conversion: how, tensor: transpose(t))
        }
        var p: [String: ForeignTensor] = ["weight_ih" + suffix: weight(k), "weight_hh" + suffix: weight(r)]
        if let b = vars[base + "2"] {
            let g = gates * h
            if cell == "gru" {
                guard b.tensor.shape == [2, g] else {
                    throw Failure(message: "GRU bias '\(b.path)' is \(b.tensor.shape), not [2, \(g)]: the layer was built with reset_after=False",
                                  hint: "SeqLang's GRU (like PyTorch's) applies the reset gate after the recurrent product; train the Keras GRU with reset_after=True (Keras 3's default)")
                }
                let rows = [Tensor(unchecked: [g], Array(b.tensor.scalars[0..<g])), Tensor(unchecked: [g], Array(b.tensor.scalars[g..<(2 * g)]))]
                p["bias_ih" + suffix] = ForeignTensor(source: b.path, sourceShape: b.tensor.shape, conversion: "row 0 (input bias), gates z, r, h reordered to r, z, n",
                                                      tensor: gruColumns(rows[0], hidden: h))
                p["bias_hh" + suffix] = ForeignTensor(source: b.path, sourceShape: b.tensor.shape, conversion: "row 1 (recurrent bias), gates z, r, h reordered to r, z, n",
                                                      tensor: gruColumns(rows[1], hidden: h))
            } else {
                guard b.tensor.shape == [g] else { throw Failure(message: "bias '\(b.path)' is \(b.tensor.shape), expected [\(g)]") }
                p["bias_ih" + suffix] = ForeignTensor(source: b.path, sourceShape: b.tensor.shape, conversion: nil, tensor: b.tensor)
                p["bias_hh" + suffix] = ForeignTensor(source: "zeros", sourceShape: [g], conversion: "Keras has one bias, '\(b.path)', taken as bias_ih",
                                                      tensor: Tensor(zeros: [g]))
            }
        }
        return (cell, p)
    }

    /// [A, B] -> [B, A].
    static func transpose(_ t: Tensor) -> Tensor {
        guard t.rank == 2 else { return t }
        let (a, b) = (t.shape[0], t.shape[1])
        var out = [Float](repeating: 0, count: a * b)
        for i in 0..<a { for j in 0..<b { out[j * a + i] = t.scalars[i * b + j] } }
        return Tensor(unchecked: [b, a], out)
    }

    /// The last axis' three blocks of `hidden` (Keras z, r, h) in PyTorch's order r, z, n.
    static func gruColumns(_ t: Tensor, hidden h: Int) -> Tensor {
        let width = t.shape.last ?? 0
        let rows = width == 0 ? 0 : t.count / width
        var out = t.scalars
        for row in 0..<rows {
            let base = row * width
            for j in 0..<h {
                out[base + j] = t.scalars[base + h + j]        // r
                out[base + h + j] = t.scalars[base + j]        // z
            }
        }
        return Tensor(unchecked: t.shape, out)
    }
}
