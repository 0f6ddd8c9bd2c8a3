// ForeignSpellings.swift — the words Keras and PyTorch users type for SeqLang's options,
// layer kinds, optimizers and losses, and the one rule that picks the word to offer when a
// word of a command statement is not one it knows.
//
//     train adam learning_rate 0.01 batch_size 32 on data
//                ^~~~~~~~~~~~~ unknown option 'learning_rate' for `train`; did you mean 'lr'?
//
// `suggestion(for:among:)` is asked by everything that reports an unknown word of a command
// (`StatementReader` for execution and the checker, so `seqsh --check` and the language
// server's diagnostics too): a foreign spelling whose SeqLang word is valid at that place
// first, then the same word in another case or without its underscores (`Adam`, `LSTM`,
// `forgetBias`), then the nearest word by edits (`suggestions(for:among:)`).

import SeqLang

enum ForeignSpellings {
    /// Other frameworks' spellings, normalised (lower case, no `_` or `-`), to SeqLang's. A
    /// SeqLang spelling of several words (`early stop`) is offered when its first word is valid.
    static let table: [String: String] = [
        // train, resume, evaluate
        "learningrate": "lr", "baselr": "lr", "initiallr": "lr",
        "batchsize": "batch", "minibatch": "batch", "minibatchsize": "batch",
        "validationdata": "validate", "validation": "validate", "valdata": "validate", "validationset": "validate",
        "evaldata": "validate", "validset": "validate",
        "earlystopping": "early stop", "earlystop": "early stop", "patience": "early stop",
        "epoch": "epochs", "numepochs": "epochs", "nepochs": "epochs", "maxepochs": "epochs", "nbepoch": "epochs",
        "stepsperepoch": "steps", "maxsteps": "steps", "numsteps": "steps", "iterations": "steps", "maxiter": "steps",
        "clipnorm": "clip", "gradclip": "clip", "clipgrad": "clip", "clipgradnorm": "clip", "maxnorm": "clip",
        "gradientclip": "clip", "gradientclipping": "clip", "clipvalue": "clip", "maxgradnorm": "clip",
        "lrdecay": "decay", "decayrate": "decay", "lrscheduler": "decay",
        "traindata": "on", "trainingdata": "on", "trainset": "on",
        "verbose": "quiet", "silent": "quiet",
        "modelcheckpoint": "checkpoint", "checkpointpath": "checkpoint", "savebestonly": "checkpoint",
        "truncatedbptt": "bptt", "bpttsteps": "bptt", "bpttlen": "bptt",
        "lossfn": "loss", "lossfunction": "loss", "criterion": "loss", "objective": "loss",
        // generate
        "maxlength": "length", "maxlen": "length", "maxnewtokens": "length", "numtokens": "length", "ntokens": "length",
        "temp": "temperature", "topk": "top",
        "prompt": "from", "seedtext": "from", "start": "from", "prefix": "from",
        // layer options
        "numlayers": "layers", "nlayers": "layers",
        "dropoutrate": "dropout", "rate": "dropout", "keepprob": "keep",
        "kernelinitializer": "init", "initializer": "init", "weightinit": "init", "weightsinit": "init",
        "biasinitializer": "bias", "biasinit": "bias", "unitforgetbias": "forget_bias",
        "trainable": "frozen",
        // input options
        "vocabsize": "vocab", "numembeddings": "vocab", "inputdim": "vocab",
        "numfeatures": "features", "nfeatures": "features", "inputsize": "features", "featuredim": "features",
        // layer kinds
        "simplernn": "rnn", "linear": "dense", "fullyconnected": "dense", "fc": "dense",
        // losses
        "categoricalcrossentropy": "cross_entropy", "sparsecategoricalcrossentropy": "cross_entropy",
        "crossentropyloss": "cross_entropy", "nllloss": "cross_entropy",
        "binarycrossentropy": "binary_cross_entropy", "bceloss": "binary_cross_entropy", "bce": "binary_cross_entropy",
        "bcewithlogitsloss": "binary_cross_entropy",
        "meansquarederror": "mse", "mseloss": "mse",
    ]

    /// Keywords of other frameworks that SeqLang does not write: the value stands alone
    /// (`layer dense 2 softmax`, not `activation softmax`). Normalised, to what the value is.
    static let leftOut: [String: String] = ["activation": "the activation", "activations": "the activation"]

    /// `message; write the activation alone: softmax, …` when `word` is a keyword SeqLang
    /// leaves out and some of `valid` are what it names (`among` the values it may take).
    static func leftOutMessage(_ message: String, for word: String, among valid: [String], values: [String]) -> String? {
        guard let what = leftOut[normalised(word)] else { return nil }
        let alone = values.filter(valid.contains)
        guard !alone.isEmpty else { return nil }
        return "\(message); SeqLang writes \(what) alone, without '\(word)': \(alone.joined(separator: ", "))"
    }

    /// `learning_rate`, `Learning-Rate` and `learningRate` all read as `learningrate`.
    static func normalised(_ word: String) -> String {
        String(word.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// The SeqLang word to offer for `word` where one of `valid` belongs; nil when nothing fits.
    static func suggestion(for word: String, among valid: [String]) -> String? {
        guard !word.isEmpty, !valid.contains(word) else { return nil }
        let key = normalised(word)
        if let ours = table[key], let first = ours.split(separator: " ").first, valid.contains(String(first)) {
            return ours
        }
        if let same = valid.first(where: { normalised($0) == key }) { return same }
        return Suggestion.closest(to: word, in: valid)
    }

    /// `message; did you mean 'x'?` when `suggestion(for:among:)` has a word, else `message`.
    static func message(_ message: String, for word: String?, among valid: [String]) -> String {
        guard let word, let near = suggestion(for: word, among: valid) else { return message }
        return Suggestion.message(message, suggesting: near)
    }
}
