// ForeignWeights.swift — weights from another framework's file, grouped by module and already
// converted to SeqLang's layout (which is PyTorch's), before they are matched to layers.
//
// A module is what one framework layer holds: PyTorch's `encoder.rnn` (`weight_ih_l0`, …),
// Keras' `lstm_1`. Its parameters are keyed by their PyTorch names without the module prefix
// (`weight`, `bias`, `weight_ih_l0`, `bias_hh_l1_reverse`); each remembers the tensor it came
// from and the conversion applied, for the report. The PyTorch and Keras readers
// (PyTorchWeights.swift, KerasWeights.swift) produce these; WeightMatcher.swift pairs them
// with the model's layers.

import Tensor

struct ForeignTensor {
    /// Where it came from: the tensor's name in the file (`lstm.weight_ih_l0`,
    /// `layers/lstm/cell/vars/0`).
    var source: String
    var sourceShape: [Int]
    /// What was done to it on the way in ("transposed", "gates z, r, h reordered to r, z, n"),
    /// or nil when it is used as it is.
    var conversion: String?
    var tensor: Tensor
}

struct ForeignModule {
    enum Kind: String {
        case embedding, linear, recurrent
    }
    /// The module's name in the file: a PyTorch prefix (`encoder.rnn`) or a Keras layer (`lstm_1`).
    var name: String
    var kind: Kind
    /// For recurrent modules: "lstm", "gru" or "rnn".
    var cell: String?
    /// Parameters by PyTorch name without the module prefix.
    var parameters: [String: ForeignTensor]

    /// The recurrent sub-layers in order: `_l0`, `_l0_reverse`, `_l1`, …
    var sublayers: [String] {
        let suffixes = Set(parameters.keys.compactMap(RecurrentName.suffix(of:)))
        return suffixes.sorted { RecurrentName.order($0) < RecurrentName.order($1) }
    }

    /// How the module reads in messages: "LSTM module 'encoder.rnn'".
    var shown: String {
        let what: String
        switch kind {
        case .embedding: what = "embedding"
        case .linear: what = "linear"
        case .recurrent: what = (cell ?? "recurrent").uppercased()
        }
        return "\(what) module '\(name)'"
    }
}

/// Every module of one file, and whose layout the file was in.
struct ForeignWeights {
    /// "PyTorch" or "Keras": how the report names the layout.
    var layout: String
    var modules: [ForeignModule]
}

/// The PyTorch names of recurrent parameters: `weight_ih_l0`, `bias_hh_l1_reverse`.
enum RecurrentName {
    static let kinds = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]

    /// `_l1_reverse` of `weight_ih_l1_reverse`; nil for a name that is not recurrent.
    static func suffix(of name: String) -> String? {
        guard let kind = kinds.first(where: { name.hasPrefix($0 + "_l") }) else { return nil }
        let rest = name.dropFirst(kind.count)
        let digits = rest.dropFirst(2).prefix { $0.isNumber }
        guard !digits.isEmpty else { return nil }
        let tail = rest.dropFirst(2 + digits.count)
        guard tail.isEmpty || tail == "_reverse" else { return nil }
        return String(rest)
    }

    /// Sorts `_l0`, `_l0_reverse`, `_l1`, … in stacking order.
    static func order(_ suffix: String) -> Int {
        let digits = suffix.dropFirst(2).prefix { $0.isNumber }
        return 2 * (Int(digits) ?? 0) + (suffix.hasSuffix("_reverse") ? 1 : 0)
    }
}

/// Compares names so that numbered parts count as numbers: `model.2` before `model.10`,
/// `lstm` before `lstm_1` before `lstm_2` (the order frameworks number layers in).
func naturalOrder(_ a: String, _ b: String) -> Bool {
    func parts(_ s: String) -> [(String, Int?)] {
        var out: [(String, Int?)] = []
        var text = "", number = ""
        for c in s {
            if c.isNumber {
                if !text.isEmpty { out.append((text, nil)); text = "" }
                number.append(c)
            } else {
                if !number.isEmpty { out.append(("", Int(number))); number = "" }
                text.append(c)
            }
        }
        if !text.isEmpty { out.append((text, nil)) }
        if !number.isEmpty { out.append(("", Int(number))) }
        return out
    }
    let x = parts(a), y = parts(b)
    for (p, q) in zip(x, y) {
        switch (p.1, q.1) {
        case let (m?, n?): if m != n { return m < n }
        case (nil, nil): if p.0 != q.0 { return p.0 < q.0 }
        case (nil, _?): return false
        case (_?, nil): return true
        }
    }
    return x.count < y.count
}
