// PyTorchWeights.swift — a safetensors file of plain tensors (a PyTorch `state_dict` saved
// with `safetensors.torch.save_file`) grouped into modules.
//
// A tensor name is a module prefix and a parameter: `encoder.rnn.weight_ih_l0` is parameter
// `weight_ih_l0` of module `encoder.rnn`, whatever the prefix is. A module with recurrent
// parameters (`weight_ih_l0`, …, `_reverse`) is an `nn.LSTM`, `nn.GRU` or `nn.RNN` — which
// one, its gate count says: weight_ih has 4H, 3H or H rows for H = weight_hh's columns. A
// module with a 2-D `weight` and a `bias` is an `nn.Linear`; with a `weight` alone it is an
// `nn.Embedding` (or a Linear without bias, when its name does not say "emb" and the
// model's embedding has another shape — WeightMatcher decides). The layout is SeqLang's
// own, so nothing is converted.

import Tensor

enum PyTorchWeights {
    struct Failure: Error {
        var tensor: String
        var message: String
        var hint: String?
    }

    static func modules(_ tensors: [String: Tensor]) throws -> ForeignWeights {
        var grouped: [String: [String: ForeignTensor]] = [:]
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            let (prefix, parameter) = split(name)
            guard parameter == "weight" || parameter == "bias" || RecurrentName.suffix(of: parameter) != nil else {
                throw Failure(tensor: name, message: "'\(parameter)' is not a parameter of an Embedding, Linear, LSTM, GRU or RNN module",
                              hint: parameter.hasPrefix("weight_hr") ? "LSTMs with proj_size have no SeqLang layer"
                                  : "choose the modules to load with `map [\"prefix\", …]`, one per layer with weights")
            }
            grouped[prefix, default: [:]][parameter] = ForeignTensor(source: name, sourceShape: tensor.shape, conversion: nil, tensor: tensor)
        }
        var modules: [ForeignModule] = []
        for prefix in grouped.keys.sorted(by: naturalOrder) {
            let parameters = grouped[prefix]!
            if parameters.keys.contains(where: { RecurrentName.suffix(of: $0) != nil }) {
                guard parameters["weight"] == nil, parameters["bias"] == nil else {
                    throw Failure(tensor: (parameters["weight"] ?? parameters["bias"])!.source,
                                  message: "module '\(prefix)' mixes recurrent parameters with a plain weight or bias")
                }
                modules.append(ForeignModule(name: prefix, kind: .recurrent, cell: try cell(prefix, parameters), parameters: parameters))
            } else {
                guard let weight = parameters["weight"] else {
                    throw Failure(tensor: parameters["bias"]!.source, message: "module '\(prefix)' has a bias but no weight")
                }
                guard weight.tensor.rank == 2 else {
                    throw Failure(tensor: weight.source, message: "a weight of rank \(weight.tensor.rank) \(weight.tensor.shape); Embedding and Linear weights have rank 2",
                                  hint: "convolution and other layers have no SeqLang counterpart")
                }
                modules.append(ForeignModule(name: prefix, kind: parameters["bias"] == nil ? .embedding : .linear,
                                             cell: nil, parameters: parameters))
            }
        }
        return ForeignWeights(layout: "PyTorch", modules: modules)
    }

    /// `("encoder.rnn", "weight_ih_l0")` of `encoder.rnn.weight_ih_l0`; a name without a dot is
    /// a parameter of the unnamed module.
    static func split(_ name: String) -> (String, String) {
        guard let dot = name.lastIndex(of: ".") else { return ("", name) }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    /// "lstm", "gru" or "rnn" from the gate count of the first sub-layer.
    private static func cell(_ prefix: String, _ parameters: [String: ForeignTensor]) throws -> String {
        guard let ih = parameters["weight_ih_l0"], let hh = parameters["weight_hh_l0"] else {
            let any = parameters.values.map(\.source).sorted().first ?? prefix
            throw Failure(tensor: any, message: "recurrent module '\(prefix)' has no weight_ih_l0 and weight_hh_l0")
        }
        guard ih.tensor.rank == 2, hh.tensor.rank == 2, hh.tensor.shape[1] > 0, ih.tensor.shape[0] == hh.tensor.shape[0],
              hh.tensor.shape[0] % hh.tensor.shape[1] == 0 else {
            throw Failure(tensor: ih.source, message: "weight_ih_l0 \(ih.tensor.shape) and weight_hh_l0 \(hh.tensor.shape) are not the weights of one recurrent layer")
        }
        switch hh.tensor.shape[0] / hh.tensor.shape[1] {
        case 4: return "lstm"
        case 3: return "gru"
        case 1: return "rnn"
        default:
            throw Failure(tensor: hh.source, message: "weight_hh_l0 \(hh.tensor.shape) has \(hh.tensor.shape[0] / hh.tensor.shape[1]) gate blocks; an LSTM has 4, a GRU 3, an RNN 1")
        }
    }
}
