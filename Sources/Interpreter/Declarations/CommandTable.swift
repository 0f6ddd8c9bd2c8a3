// CommandTable.swift — the declaration of every command statement of SeqLang, written once.
//
// Execution (`StatementReader` before each handler), the checker (`SeqInterpreter.check`,
// `seqsh --check`), completion and `:help` read these declarations; see
// CommandDeclaration.swift for what a declaration holds and how to add a command, a layer
// kind or an option.

import SeqLang

enum CommandTable {
    /// Every declared command statement, in the order `:help` lists them.
    static let all: [CommandDeclaration] = [
        seed, model, input, layer, summary, train, resume, evaluate, predict, generate, save, check, plot, load, export,
    ]

    /// The declaration of `keyword`, if it is a declared command.
    static func declaration(_ keyword: String) -> CommandDeclaration? {
        byKeyword[keyword]
    }
    private static let byKeyword = Dictionary(uniqueKeysWithValues: all.map { ($0.keyword, $0) })

    /// The form of `layer KIND`.
    static func layerKind(_ kind: String) -> StatementForm? { layer.form(for: kind) }

    // MARK: - Shared option declarations

    static let dropoutRange = NumberRange(atLeast: 0, below: 1, message: "the dropout rate must be at least 0 and below 1",
        hint: "`dropout R` is the fraction of values dropped during training; `dropout 0.2` drops 20%")
    static let keepRange = NumberRange(above: 0, atMost: 1, message: "the keep probability must be above 0 and at most 1",
        hint: "`keep P` is the fraction of values kept; `keep 1` keeps them all")

    static let dropoutOption = OptionDeclaration("dropout",
        [.value(ValueSlot("R", .number(dropoutRange), "the dropout rate", missing: "the fraction of values to drop, at least 0 and below 1"))],
        doc: "drop this fraction of the values during training (0 ≤ R < 1)",
        conflicts: ["keep"], conflictMessage: "`dropout` and `keep` both set this layer's dropout; give only one",
        conflictHint: "`dropout 0.2` drops 20% of the values and `keep 0.8` keeps 80%: the same setting")
    static let keepOption = OptionDeclaration("keep",
        [.value(ValueSlot("P", .number(keepRange), "the keep probability", missing: "the fraction of values to keep, above 0 and at most 1"))],
        doc: "keep this fraction of the values during training (TensorFlow's keep_prob; 0 < P ≤ 1)",
        conflicts: ["dropout"], conflictMessage: "`dropout` and `keep` both set this layer's dropout; give only one",
        conflictHint: "`dropout 0.2` drops 20% of the values and `keep 0.8` keeps 80%: the same setting")
    static let initializerChoice = OptionPart.choice(noun: "initializer", [
        Choice("uniform", [.value(ValueSlot("R", .number(NumberRange(above: 0, message: "expected a positive number for the uniform range")), "the uniform range"))]),
        Choice("glorot"),
        Choice("normal", [.value(ValueSlot("S", .number(NumberRange(above: 0, message: "expected a positive number for the standard deviation")), "the standard deviation"))]),
    ])
    static let initOption = OptionDeclaration("init", [initializerChoice],
        doc: "how the weights start: uniform in ±R, Glorot uniform, or a truncated normal of deviation S")
    static let biasOption = OptionDeclaration("bias",
        [.value(ValueSlot("C", .number(nil), "the starting value of the biases"))],
        doc: "every bias starts at C")

    // MARK: - Model building

    static let seed = CommandDeclaration("seed", usage: "seed N",
        summary: "seeds weight initialisation, dropout and shuffling: the same seed gives the same training, bit for bit",
        form: StatementForm(positionals: [ValueSlot("N", .wholeNumber, "the seed", missing: "a number")],
                            owner: "`seed`", example: "seed 42", doc: "N is a whole number of 0 or more."))

    static let model = CommandDeclaration("model", usage: "model NAME [init INITIALIZER]",
        summary: "declares a model, makes it the current one and binds NAME to it",
        form: StatementForm(positionals: [ValueSlot("NAME", .name, "a name")], options: [
                OptionDeclaration("init", [initializerChoice], doc: "the initializer of every layer that does not give its own"),
            ], owner: "a model", example: "model sentiment",
            doc: "Later `input`, `layer`, `train`, `save` … act on the current model."),
        binds: Binding(nil, "model"), result: "model")

    static let input = CommandDeclaration("input", usage: "input tokens [LENGTH] [vocab V] | input sequence [LENGTH] features F",
        summary: "what the current model reads: token ids [batch, time] or vectors [batch, time, feature]",
        form: StatementForm(owner: "an input", example: "input tokens 100 vocab 10000", doc: ""),
        variants: [
            StatementForm(word: "tokens", positionals: [ValueSlot("LENGTH", .positiveInt, "the number of time steps", optional: true)],
                options: [OptionDeclaration("vocab", [.value(ValueSlot("V", .positiveInt, "the vocabulary size"))],
                                            doc: "how many distinct token ids there are")],
                owner: "a tokens input", example: "input tokens 100 vocab 10000",
                doc: "Token ids [batch, time LENGTH]; without LENGTH the sequences may have any length."),
            StatementForm(word: "sequence", positionals: [ValueSlot("LENGTH", .positiveInt, "the number of time steps", optional: true)],
                options: [OptionDeclaration("features", [.value(ValueSlot("F", .positiveInt, "the number of features at each step"))],
                                            doc: "how many numbers each step holds")],
                owner: "a sequence input", example: "input sequence 28 features 28",
                doc: "Vectors [batch, time LENGTH, feature F].",
                required: [RequiredOption("features", message: "a sequence input needs `features N`, the number of values at each step",
                                          hint: "for example `input sequence 28 features 28`")]),
        ], variantNoun: "input kind", needs: [.currentModel], result: "shape")

    static let activations = Activation.allCases.map(\.rawValue)

    /// The cell activations an rnn layer accepts as a bare word (tanh is the default).
    static let rnnActivations = [Activation.tanh.rawValue, Activation.relu.rawValue]

    /// A recurrent layer kind (lstm, gru, rnn): sizes, then the options every recurrent kind
    /// shares, `extra` before `init` and `bias`, and cell activations as bare words last.
    static func recurrentForm(_ word: String, cell: String, extra: [OptionDeclaration],
                              activations: [String] = []) -> StatementForm {
        StatementForm(word: word,
            positionals: [ValueSlot("UNITS", .sizes, "the number of units")],
            options: [dropoutOption, keepOption,
                      OptionDeclaration("layers", [.value(ValueSlot("N", .positiveInt, "the number of stacked layers", missing: "the number of stacked \(cell) layers"))],
                                        doc: "stack N \(cell)s of UNITS each"),
                      OptionDeclaration("last", doc: "keep only the final step: [batch, feature UNITS]"),
                      OptionDeclaration("bidirectional", doc: "a second \(cell) reads each sequence backwards from its last real step; outputs side by side (feature 2·UNITS)")]
                + extra + [initOption, biasOption]
                + activations.map { OptionDeclaration($0, doc: "cell activation: \($0)\($0 == "tanh" ? " (the default)" : "")") },
            owner: "\(word == "gru" ? "a" : "an") \(word) layer", example: "layer \(word) 128",
            doc: "A sequence [batch, time, feature] to [batch, time, feature UNITS] (2·UNITS when bidirectional); `[128, 64]` stacks one \(cell) per size.")
    }

    /// The layer kinds, each with its sizes and options.
    static let layerKinds: [StatementForm] = [
        StatementForm(word: "embedding",
            positionals: [ValueSlot("VOCAB", .positiveInt, "the vocabulary size", optional: true),
                          ValueSlot("DIM", .positiveInt, "the embedding dimension")],
            options: [dropoutOption, keepOption, initOption,
                      OptionDeclaration("frozen", doc: "the vectors are not trained")],
            owner: "an embedding layer", example: "layer embedding 64",
            doc: "Turns token ids [batch, time] into vectors [batch, time, feature DIM]; VOCAB defaults to the input's vocab."),
        recurrentForm("lstm", cell: "LSTM", extra: [
            OptionDeclaration("forget_bias", [.value(ValueSlot("F", .number(nil), "the forget-gate bias"))],
                              doc: "the forget gate's bias starts at F (default 1)")]),
        recurrentForm("gru", cell: "GRU", extra: []),
        recurrentForm("rnn", cell: "RNN", extra: [], activations: rnnActivations),
        StatementForm(word: "dense",
            positionals: [ValueSlot("UNITS", .positiveInt, "the number of units")],
            options: activations.map { OptionDeclaration($0, doc: "activation: \($0)") } + [
                OptionDeclaration("per", [.keyword("step", message: "expected `per step`",
                                                    hint: "`per step` applies the dense layer at every time step")],
                                  doc: "apply the layer at every time step of a sequence"),
                initOption, biasOption],
            owner: "a dense layer", example: "layer dense 10 softmax",
            doc: "One vector [batch, feature] to [batch, class UNITS] (sigmoid, softmax) or [batch, feature UNITS]."),
        StatementForm(word: "dropout",
            positionals: [ValueSlot("RATE", .number(dropoutRange), "the dropout rate")],
            owner: "a dropout layer", example: "layer dropout 0.5",
            doc: "Drops RATE of the values during training; the shape passes through."),
    ]

    static let layer = CommandDeclaration("layer", usage: "layer KIND SIZES {OPTION}",
        summary: "adds a layer to the current model and shows the shape it gives",
        form: StatementForm(owner: "a layer", example: "layer lstm 128", doc: ""),
        variants: layerKinds, variantNoun: "layer kind", needs: [.currentModel], result: "layer")

    static let summary = CommandDeclaration("summary", usage: "summary [MODEL]",
        summary: "prints the model's table of layers, output shapes and parameter counts",
        form: StatementForm(positionals: [ValueSlot("MODEL", .model, "a model", optional: true)],
                            owner: "`summary`", example: "summary", doc: "Without MODEL, the current model."),
        needs: [.currentModel], result: "model")

    // MARK: - Training

    static let optimizers = ["sgd", "adam", "rmsprop", "adagrad"]
    static let losses = ["cross_entropy", "binary_cross_entropy", "mse"]
    static let earlyMetrics = ["val_loss", "val_accuracy", "val_perplexity"]

    static func positive(_ what: String) -> NumberRange {
        NumberRange(above: 0, message: "\(what) must be above 0")
    }

    static let trainOptions: [OptionDeclaration] = [
        OptionDeclaration("lr", [.value(ValueSlot("F", .number(positive("the learning rate")), "the learning rate"))],
                          doc: "the learning rate (sgd, adagrad 0.01; adam, rmsprop 0.001)"),
        OptionDeclaration("momentum", [.value(ValueSlot("M", .number(NumberRange(atLeast: 0, below: 1,
                              message: "the momentum must be at least 0 and below 1")), "the momentum", missing: "the momentum, at least 0 and below 1"))],
                          doc: "sgd's momentum (0 ≤ M < 1)"),
        OptionDeclaration("epochs", [.value(ValueSlot("N", .positiveInt, "the number of epochs", missing: "a number of epochs"))],
                          doc: "passes over the data", conflicts: ["steps"], conflictMessage: "give `epochs` or `steps`, not both",
                          conflictHint: "`epochs N` passes over the data N times; `steps N` takes N batches"),
        OptionDeclaration("steps", [.value(ValueSlot("N", .positiveInt, "the number of steps", missing: "a number of steps"))],
                          doc: "batches to train on", conflicts: ["epochs"], conflictMessage: "give `epochs` or `steps`, not both",
                          conflictHint: "`epochs N` passes over the data N times; `steps N` takes N batches"),
        OptionDeclaration("batch", [.value(ValueSlot("N", .positiveInt, "the batch size"))], doc: "examples per step"),
        OptionDeclaration("clip", [.value(ValueSlot("F", .number(positive("the largest global gradient norm")), "the largest global gradient norm"))],
                          doc: "clip the global gradient norm to F"),
        OptionDeclaration("decay", [
                .value(ValueSlot("F", .number(positive("the factor the learning rate is multiplied by each epoch")),
                                 "the factor the learning rate is multiplied by each epoch")),
                .keyword("after", message: "expected `after N` following `decay {value}`: the epochs trained at the full rate",
                         hint: "for example `decay 0.5 after 4` (PTB small: the rate halves every epoch after the 4th)"),
                .value(ValueSlot("N", .wholeNumber, "the number of epochs at the full rate")),
            ], doc: "multiply the learning rate by F every epoch after the N-th"),
        OptionDeclaration("on", [.value(ValueSlot("DATA", .dataset, "a dataset"))], doc: "the training data"),
        OptionDeclaration("validate", [.value(ValueSlot("DATA", .dataset, "a dataset"))], doc: "held-out data measured after every epoch"),
        OptionDeclaration("every", [.value(ValueSlot("N", .positiveInt, "the number of steps between reports"))],
                          doc: "a progress line every N steps"),
        OptionDeclaration("early", [
                .keyword("stop", message: "expected `stop` in `early stop on METRIC patience N`", hint: "for example `early stop on val_loss patience 3`"),
                .keyword("on", message: "expected `on` in `early stop on METRIC patience N`", hint: "for example `early stop on val_loss patience 3`"),
                .value(ValueSlot("METRIC", .word(earlyMetrics), "the metric", missing: "the metric to watch")),
                .keyword("patience", message: "expected `patience` in `early stop on METRIC patience N`", hint: "for example `early stop on val_loss patience 3`"),
                .value(ValueSlot("N", .positiveInt, "the patience")),
                .optionalChoice([
                    Choice("restore", [.keyword("best", message: "expected `best` after `restore`: early stopping ends with `restore best` (the default) or `keep last`",
                                                hint: "for example `early stop on val_loss patience 3 keep last`")]),
                    Choice("keep", [.keyword("last", message: "expected `last` after `keep`: early stopping ends with `restore best` (the default) or `keep last`",
                                             hint: "for example `early stop on val_loss patience 3 keep last`")]),
                ]),
            ], doc: "stop when the validation METRIC has not improved for N epochs; `keep last` leaves the last epoch's weights instead of the best"),
        OptionDeclaration("checkpoint", [.value(ValueSlot("PATH", .path(writing: true), "the checkpoint file's path")), .flag("best")],
                          doc: "write a checkpoint after every epoch (`best`: only after one that improved); `resume PATH` continues from it"),
        OptionDeclaration("bptt", [.value(ValueSlot("N", .positiveInt, "the steps of truncated backpropagation")), .flag("stateful")],
                          doc: "truncated backpropagation through N steps"),
        OptionDeclaration("stateful", doc: "carry the LSTM state from each batch to the next (data from `lm_batches`)"),
        OptionDeclaration("shuffle", [.flag("off")], doc: "shuffle the examples every epoch (`shuffle off`: keep their order)"),
        OptionDeclaration("loss", [.choice(noun: "loss", losses.map { Choice($0, [.flag("sum")]) } + [Choice("sum")])],
                          doc: "the loss (default from the last layer); `sum` sums it over the steps"),
        OptionDeclaration("quiet", doc: "print no epoch lines"),
    ]

    static let historyFields: [Binding.Field] = [
        .init("loss", "list"), .init("accuracy", "list", when: "classifiers"), .init("perplexity", "list", when: "language models"),
        .init("val_loss", "list", when: "with validate"), .init("val_accuracy", "list", when: "classifiers with validate"),
        .init("val_perplexity", "list", when: "language models with validate"),
        .init("lr", "list"), .init("epochs", "int"), .init("steps", "int"), .init("seconds", "number"), .init("stopped_early", "bool"),
    ]

    static let train = CommandDeclaration("train", usage: "train OPTIMIZER {OPTION}",
        summary: "trains the current model on data and binds its history",
        form: StatementForm(positionals: [ValueSlot("OPTIMIZER", .word(optimizers), "an optimizer")],
            options: trainOptions, owner: "`train`", example: "train adam lr 0.001 epochs 10 on data",
            doc: "OPTIMIZER is sgd, adam, rmsprop or adagrad; options come in any order, each once.",
            required: [RequiredOption("on", message: "`train` needs data: add `on DATA`",
                hint: "for example `train adam epochs 10 on data`, where data comes from `windows`, `sequences`, `lm_batches` or `mnist`")]),
        binds: Binding("history", "record", fields: historyFields), needs: [.completeModel, .data], result: "record", printsResult: true)

    static let resumeOptionNames = ["on", "validate", "epochs", "steps", "every", "checkpoint"]

    static let resume = CommandDeclaration("resume",
        usage: "resume PATH on DATA [validate DATA] [epochs N | steps N] [every N] [checkpoint PATH]",
        summary: "continues training from a checkpoint, exactly where it stopped",
        form: StatementForm(positionals: [ValueSlot("PATH", .path(writing: false), "a file path")],
            options: trainOptions.filter { resumeOptionNames.contains($0.name) }, owner: "`resume`",
            example: "resume \"model.ckpt\" on data", doc: "The other settings come from the checkpoint.",
            required: [RequiredOption("on", message: "`resume` needs the training data again: add `on DATA`",
                                      hint: "give the same data the checkpoint was trained on")]),
        binds: Binding("history", "record", fields: historyFields), needs: [.data], result: "record", printsResult: true)

    static let evaluate = CommandDeclaration("evaluate", usage: "evaluate [MODEL] on DATA [batch N]",
        summary: "loss and the metrics that fit the model (accuracy, precision, recall, F1 and a confusion matrix; MAE and RMSE; perplexity) on data; binds `evaluation`",
        form: StatementForm(positionals: [ValueSlot("MODEL", .model, "a model", optional: true)],
            options: [OptionDeclaration("on", [.value(ValueSlot("DATA", .dataset, "a dataset"))], doc: "the data to measure on"),
                      OptionDeclaration("batch", [.value(ValueSlot("N", .positiveInt, "the batch size"))], doc: "examples per batch (default 32)")],
            owner: "`evaluate`", example: "evaluate on test",
            doc: "Without MODEL, the current model.",
            required: [RequiredOption("on", message: "`evaluate` needs data: add `on DATA`", hint: "for example `evaluate on test`")]),
        binds: Binding("evaluation", "record", fields: [.init("loss", "number"), .init("accuracy", "number", when: "classifiers"),
                                                        .init("perplexity", "number", when: "language models"),
                                                        .init("mae", "number", when: "regressions"), .init("rmse", "number", when: "regressions"),
                                                        .init("macro_f1", "number", when: "classifiers"),
                                                        .init("precision", "list", when: "classifiers"), .init("recall", "list", when: "classifiers"),
                                                        .init("f1", "list", when: "classifiers"),
                                                        .init("macro_precision", "number", when: "classifiers"),
                                                        .init("macro_recall", "number", when: "classifiers"),
                                                        .init("confusion", "list", when: "classifiers"),
                                                        .init("classes", "list", when: "classifiers")]),
        needs: [.completeModel, .data], result: "record", printsResult: true)

    static let predict = CommandDeclaration("predict", usage: "predict [MODEL] INPUT",
        summary: "the model's output for one input (a text, a list of ids, a dataset); binds `prediction`",
        form: StatementForm(positionals: [ValueSlot("MODEL", .model, "a model", optional: true),
                                          ValueSlot("INPUT", .any, "the input", missing: "what to predict from")],
            owner: "`predict`", example: "predict \"had a general\"",
            doc: "One input gives a record (`class`, `probability` or `values`), or a tensor [time, class] for a model with an output at every step; a dataset or a batch gives a tensor; a list of texts, a list of their records."),
        binds: Binding("prediction", "record", fields: [.init("class", "any", when: "classifiers"), .init("probability", "number", when: "sigmoid outputs"),
                                                        .init("values", "tensor", when: "other outputs")]),
        needs: [.completeModel], result: "any")

    static let generate = CommandDeclaration("generate", usage: "generate [MODEL] from TEXT length N [temperature T] [top K]",
        summary: "continues a text with a trained language model; binds `generated`",
        form: StatementForm(positionals: [ValueSlot("MODEL", .model, "a model", optional: true)],
            options: [OptionDeclaration("from", [.value(ValueSlot("TEXT", .string, "the text to continue"))], doc: "the start of the text"),
                      OptionDeclaration("length", [.value(ValueSlot("N", .positiveInt, "the number of symbols to generate"))], doc: "how many symbols to add"),
                      OptionDeclaration("temperature", [.value(ValueSlot("T", .number(positive("the temperature")), "the temperature"))],
                                        doc: "sample with this temperature (lower: safer choices)"),
                      OptionDeclaration("top", [.value(ValueSlot("K", .positiveInt, "the number of symbols to sample from", missing: "how many of the likeliest symbols to sample from"))],
                                        doc: "sample from the K likeliest symbols only")],
            owner: "`generate`", example: "generate from \"had a general\" length 32",
            doc: "Without `temperature` or `top` the likeliest symbol is taken at every step.",
            required: [RequiredOption("from", message: "`generate` needs a text to continue: add `from \"…\"`",
                                      hint: "for example `generate from \"had a general\" length 32`"),
                       RequiredOption("length", message: "`generate` needs `length N`: how many symbols to add", hint: "")]),
        binds: Binding("generated", "string"), needs: [.completeModel, .vocabulary], result: "string", printsResult: true)

    static let save = CommandDeclaration("save", usage: "save [MODEL] PATH",
        summary: "writes the model (architecture and weights) to a safetensors file",
        form: StatementForm(positionals: [ValueSlot("MODEL", .model, "a model", optional: true),
                                          ValueSlot("PATH", .path(writing: true), "a file path")],
            owner: "`save`", example: "save \"model.safetensors\"", doc: "`load(PATH)` reads it back."),
        needs: [.completeModel])

    static let check = CommandDeclaration("check", usage: "check gradients [on DATA]",
        summary: "compares the gradients with finite differences on a couple of samples; binds `gradients`",
        form: StatementForm(owner: "`check`", example: "check gradients on data", doc: ""),
        variants: [
            StatementForm(word: "gradients",
                options: [OptionDeclaration("on", [.value(ValueSlot("DATA", .dataset, "a dataset"))], doc: "the samples to check on")],
                owner: "`check gradients`", example: "check gradients on data",
                doc: "Prints each parameter's worst relative error.",
                required: [RequiredOption("on", message: "`check gradients` needs data: add `on DATA`",
                                          hint: "a couple of samples are enough: `check gradients on data`")]),
        ], variantNoun: "check", binds: Binding("gradients", "record"), needs: [.completeModel, .data], result: "record")

    /// The figures `plot` draws, each with its `val_` curve when the history has one.
    static let plotFigures = ["loss", "accuracy", "perplexity", "lr"]

    static let plot = CommandDeclaration("plot", usage: "plot HISTORY [PATH] [loss | accuracy | perplexity | lr …]",
        summary: "draws a history's curves (the loss, or the figures named) in the terminal, or writes them to an SVG file",
        form: StatementForm(positionals: [ValueSlot("HISTORY", .history, "a training history"),
                                          ValueSlot("PATH", .path(writing: true), "the SVG file's path", optional: true)],
            options: plotFigures.map { OptionDeclaration($0, doc: "draw the history's \($0) (and val_\($0), when validated)") },
            owner: "`plot`", example: "plot history accuracy",
            doc: "`train` binds its history to `history`. Each figure's y axis starts at zero (a figure below zero: at its least value)."))

    static let load = CommandDeclaration("load", usage: "load weights PATH [into MODEL] [map [MODULE, …]] | load onnx PATH",
        summary: "reads another framework's weights (PyTorch safetensors, Keras .keras / .weights.h5) into a declared model, or an ONNX graph as a new model",
        form: StatementForm(owner: "`load`", example: "load weights \"model.safetensors\"", doc: ""),
        variants: [
            StatementForm(word: "weights", positionals: [ValueSlot("PATH", .path(writing: false), "a file path")],
                options: [OptionDeclaration("into", [.value(ValueSlot("MODEL", .model, "a model"))], doc: "the model to load into (default: the current one)"),
                          OptionDeclaration("map", [.value(ValueSlot("MODULES", .any, "a list of module names, one per layer with weights"))],
                                            doc: "the file's module for each layer with weights, in order")],
                owner: "`load weights`", example: "load weights \"model.safetensors\"",
                doc: "The modules are matched to the layers by kind and order; every tensor is checked before the first is copied."),
            StatementForm(word: "onnx", positionals: [ValueSlot("PATH", .path(writing: false), "a file path")],
                owner: "`load onnx`", example: "load onnx \"model.onnx\"",
                doc: "Reads an ONNX graph (SeqLang's own export, or torch.onnx.export's Embedding → LSTM/GRU/RNN → Linear) as a new model, made current and bound to its name; returns the model.",
                needs: []),
        ], variantNoun: "kind of file", needs: [.completeModel])

    static let export = CommandDeclaration("export", usage: "export onnx [MODEL] PATH",
        summary: "writes the model (the current one by default) as an ONNX graph that ONNX Runtime runs",
        form: StatementForm(owner: "`export`", example: "export onnx \"model.onnx\"", doc: ""),
        variants: [
            StatementForm(word: "onnx", positionals: [ValueSlot("MODEL", .model, "a model", optional: true),
                                                      ValueSlot("PATH", .path(writing: true), "a file path")],
                owner: "`export onnx`", example: "export onnx \"model.onnx\"",
                doc: "Opset 17: Gather, LSTM/GRU/RNN, Gemm/MatMul, Softmax/Sigmoid; dynamic batch and time; the vocabulary and class names as metadata. `load onnx PATH` reads it back."),
        ], variantNoun: "format", needs: [.completeModel])
}
