// CommandDeclaration.swift — how a command statement is declared: its grammar (positional
// arguments, options with the types and ranges of their values, the docs), what it binds and
// what it needs.
//
// Every command statement (`model`, `input`, `layer KIND`, `train`, `evaluate`, …) is
// declared once, in `CommandTable` (CommandTable.swift). The one declaration drives:
//   - execution: the interpreter reads every command's arguments with `StatementReader`
//     against its declaration before the handler runs, so a misspelt option, a missing value
//     or a value of the wrong type or range is reported the same way everywhere;
//   - `seqsh --check` and `SeqInterpreter.check`: the checker reads the same declaration to
//     validate arguments it only knows the types of, and learns what a statement binds
//     (`train` binds `history` with these fields) and needs (a current model, data);
//   - completion, `:help` and "did you mean": the names, docs and examples come from here.
//
// ## Adding a command
// 1. Add its keyword to `Keywords.commands` (Sources/SeqLang/Token.swift) so the parser reads
//    `KEYWORD arg …` as a command statement.
// 2. Add a `CommandDeclaration` to `CommandTable.all`: its `usage` line, `summary`, the
//    positional `ValueSlot`s, the `OptionDeclaration`s, what it `binds` and `needs`. A
//    statement whose first word picks a form (`layer lstm`, `check gradients`,
//    `load weights`, `export onnx`) lists one `StatementForm` per word in `variants`.
// 3. Register its handler with `registry.register(CommandTable.NAME) { … }`. The handler may assume the
//    statement already passed `StatementReader.read` against the declaration; it reads its
//    values and checks what only it can (data contents, shapes against data).
//
// ## Adding a layer kind or a layer option
// Add a `StatementForm` to `CommandTable.layerKinds` (the kind's word, its sizes, its options)
// and handle the kind in `LayerSpec.Kind`, `ShapeFlow.applying` and `LayerStatement.run`.
// An option shared by several kinds (`dropout`, `init`) is one `OptionDeclaration` constant in
// CommandTable.swift, listed in each kind that takes it; add a new option the same way, then
// read it in `LayerStatement.run` (its `switch word` fails loudly on an option it does not
// handle).

import SeqLang

/// What a value argument must be. The reader checks a known value fully (type and range);
/// the checker, which may know only a type, checks the type.
enum ArgumentType: Sendable, Hashable {
    /// A positive integer: `128`, or a variable bound to one.
    case positiveInt
    /// A whole number of 0 or more.
    case wholeNumber
    /// A finite number, optionally inside a range.
    case number(NumberRange?)
    /// A non-empty string.
    case string
    /// A non-empty string naming a file; `writing` when the statement writes it.
    case path(writing: Bool)
    /// A name: a bare word (`model sentiment`) or a non-empty string.
    case name
    /// A positive integer or a non-empty list of them (`layer lstm [200, 200]`).
    case sizes
    /// A dataset (`windows`, `sequences`, `lm_batches`, `mnist`, `split`).
    case dataset
    /// A model (`model NAME` binds one; `load(PATH)` returns one).
    case model
    /// A training history record (what `train` binds).
    case history
    /// One of these bare words (`train OPTIMIZER`).
    case word([String])
    /// Anything (checked by the handler).
    case any

    /// The hint for an unbound `word` given where a value of this type is needed.
    func unboundHint(_ word: String, what: String) -> String {
        switch self {
        case .positiveInt, .wholeNumber, .number, .sizes:
            return "\(what) is needed here: write a number, or a variable bound to one"
        case .dataset:
            return "\(what) is needed here: make one with `windows`, `sequences`, `lm_batches`, `mnist` or `split` and bind it with `let`"
        case .model:
            return "\(what) is needed here: declare one with `model NAME`, or load one with `let m = load(\"model.safetensors\")`"
        case .history:
            let figure = word.hasPrefix("val_") ? String(word.dropFirst(4)) : word
            if CommandTable.plotFigures.contains(figure) {
                return "'\(word)' is a figure of a history: write `plot history \(figure)`"
                    + (figure == word ? "" : ", which draws \(word) beside \(figure) when the training was validated")
            }
            return "\(what) is needed here: `train` binds its history to `history`"
        default:
            return "\(what) is needed here: write a value, or a variable bound to one"
        }
    }

    /// The value type names that can be this (as `Value.typeName` spells them); nil: any.
    var typeNames: Set<String>? {
        switch self {
        case .positiveInt, .wholeNumber: return ["int", "number"]
        case .number: return ["int", "number"]
        case .string, .path: return ["string"]
        case .name: return ["string"]
        case .sizes: return ["int", "number", "list"]
        case .dataset: return ["dataset"]
        case .model: return ["model"]
        case .history: return ["record"]
        case .word: return []
        case .any: return nil
        }
    }
}

/// The allowed range of a number, with the message shown when a value falls outside it.
struct NumberRange: Sendable, Hashable {
    var lower: Double?
    var lowerInclusive: Bool
    var upper: Double?
    var upperInclusive: Bool
    /// "the dropout rate must be at least 0 and below 1" (", got X" is added).
    var message: String
    var hint: String?

    init(above lower: Double? = nil, atLeast: Double? = nil, below upper: Double? = nil, atMost: Double? = nil,
                message: String, hint: String? = nil) {
        self.lower = lower ?? atLeast
        self.lowerInclusive = atLeast != nil
        self.upper = upper ?? atMost
        self.upperInclusive = atMost != nil
        self.message = message
        self.hint = hint
    }

    func contains(_ v: Double) -> Bool {
        if let lower, lowerInclusive ? v < lower : v <= lower { return false }
        if let upper, upperInclusive ? v > upper : v >= upper { return false }
        return true
    }

    /// A value inside the range (what the checker assumes for a number it cannot know).
    var sample: Double {
        let lo = lower ?? min(0, (upper ?? 1) - 1)
        if let upper { return lowerInclusive || lower == nil ? lo : (lo + upper) / 2 }
        return lowerInclusive || lower == nil ? lo : lo + 1
    }
}

/// One value argument: where it goes and what it must be.
struct ValueSlot: Sendable, Hashable {
    /// The placeholder in usage lines: `UNITS`, `PATH`, `DATA`.
    var name: String
    var type: ArgumentType
    /// How messages name it: "the number of units", "the learning rate".
    var what: String
    /// An optional positional may be left out (`evaluate [MODEL] on DATA`).
    var optional: Bool
    /// How a message about its absence names it, when that differs from `what`
    /// ("option 'dropout' needs a value: the fraction of values to drop, …").
    var missing: String?

    init(_ name: String, _ type: ArgumentType, _ what: String, optional: Bool = false, missing: String? = nil) {
        self.name = name
        self.type = type
        self.what = what
        self.optional = optional
        self.missing = missing
    }
}

/// One piece of an option's grammar after the option word.
indirect enum OptionPart: Sendable, Hashable {
    /// A value: `lr F`.
    case value(ValueSlot)
    /// A word that must follow: the `after` of `decay F after N`, the `step` of `per step`.
    case keyword(String, message: String, hint: String?)
    /// A word that may follow: `bptt N [stateful]`, `shuffle [off]`, `loss NAME [sum]`.
    case flag(String)
    /// One of several words, each with its own continuation: `init uniform R | glorot | normal S`.
    case choice(noun: String, [Choice])
    /// Like `choice`, but it may be left out: `[restore best | keep last]`.
    case optionalChoice([Choice])
}

/// One word of a `choice` and what follows it.
struct Choice: Sendable, Hashable {
    var word: String
    var then: [OptionPart]
    init(_ word: String, _ then: [OptionPart] = []) {
        self.word = word
        self.then = then
    }
}

/// An option of a statement: its word, what follows it, its docs.
struct OptionDeclaration: Sendable, Hashable {
    var name: String
    var parts: [OptionPart]
    /// One line for `:help` and completion.
    var doc: String
    /// Options that set the same thing: giving both is an error with `conflictMessage`.
    var conflicts: [String]
    var conflictMessage: String?
    var conflictHint: String?

    init(_ name: String, _ parts: [OptionPart] = [], doc: String,
                conflicts: [String] = [], conflictMessage: String? = nil, conflictHint: String? = nil) {
        self.name = name
        self.parts = parts
        self.doc = doc
        self.conflicts = conflicts
        self.conflictMessage = conflictMessage
        self.conflictHint = conflictHint
    }

    /// The option as a usage line writes it: `decay F after N`, `init uniform R | glorot | normal S`.
    var usage: String {
        func text(_ parts: [OptionPart]) -> String {
            parts.map { part -> String in
                switch part {
                case .value(let slot): return slot.name
                case .keyword(let w, _, _): return w
                case .flag(let w): return "[\(w)]"
                case .optionalChoice(let choices):
                    return "[" + choices.map { ([$0.word] + ($0.then.isEmpty ? [] : [text($0.then)])).joined(separator: " ") }
                        .joined(separator: " | ") + "]"
                case .choice(_, let choices):
                    return choices.map { ([$0.word] + ($0.then.isEmpty ? [] : [text($0.then)])).joined(separator: " ") }
                        .joined(separator: " | ")
                }
            }.joined(separator: " ")
        }
        return parts.isEmpty ? name : name + " " + text(parts)
    }
}

/// The grammar of one statement form: `layer lstm UNITS {OPTION}`.
struct StatementForm: Sendable, Hashable {
    /// The word choosing this form (`lstm`, `gradients`), nil for a statement with one form.
    var word: String?
    var positionals: [ValueSlot]
    var options: [OptionDeclaration]
    /// How messages name the statement: "an lstm layer", "`train`".
    var owner: String
    /// `layer lstm 128`: shown as a hint when something is missing.
    var example: String
    /// One paragraph for `:help`.
    var doc: String
    /// Options that must be there.
    var required: [RequiredOption]
    /// What this form needs, when it differs from its statement's (`load onnx` needs no model,
    /// `load weights` a complete one).
    var needs: [Need]?

    init(word: String? = nil, positionals: [ValueSlot] = [], options: [OptionDeclaration] = [],
                owner: String, example: String, doc: String, required: [RequiredOption] = [], needs: [Need]? = nil) {
        self.needs = needs
        self.word = word
        self.positionals = positionals
        self.options = options
        self.owner = owner
        self.example = example
        self.doc = doc
        self.required = required
    }

    var optionNames: [String] { options.map(\.name) }
    func option(_ name: String) -> OptionDeclaration? { options.first { $0.name == name } }

}

/// An option a form cannot do without (`input sequence … features F`), and what to say.
struct RequiredOption: Sendable, Hashable {
    var option: String
    var message: String
    var hint: String
    init(_ option: String, message: String, hint: String) {
        self.option = option
        self.message = message
        self.hint = hint
    }
}

/// What a statement binds after it runs: `train` binds `history`.
struct Binding: Sendable, Hashable {
    /// The global name bound (nil: the statement's own NAME argument, as `model NAME`).
    var name: String?
    /// The value's type name (`record`, `model`, `string`, `tensor`).
    var type: String
    /// A record's fields: (name, type name, present always).
    var fields: [Field]

    struct Field: Sendable, Hashable {
        var name: String
        var type: String
        /// "always", or when it is present ("classifiers", "with validate").
        var when: String
        init(_ name: String, _ type: String, when: String = "always") {
            self.name = name
            self.type = type
            self.when = when
        }
    }

    init(_ name: String?, _ type: String, fields: [Field] = []) {
        self.name = name
        self.type = type
        self.fields = fields
    }
}

/// What must hold before a statement can run.
enum Need: Sendable, Hashable {
    /// A current model (`model NAME` before).
    case currentModel
    /// A model whose input and layers are declared (it can be built into a network).
    case completeModel
    /// A model that knows its vocabulary (trained on tokens made with one, or loaded).
    case vocabulary
    /// Data: the `on DATA` option.
    case data
}

/// One command statement, declared once (see the file header).
struct CommandDeclaration: Sendable, Hashable {
    var keyword: String
    /// `train OPTIMIZER {OPTION}`
    var usage: String
    /// One line: what it does.
    var summary: String
    /// The forms chosen by the first word (`layer KIND`); empty when there is one form.
    var variants: [StatementForm]
    /// How messages name the first word when there are variants: "layer kind".
    var variantNoun: String
    /// The single form, when `variants` is empty.
    var form: StatementForm
    var binds: Binding?
    var needs: [Need]
    /// The type name of the statement's value (nil: none).
    var result: String?
    /// Whether the statement prints its result itself (the epoch lines, the metrics, the
    /// text), so a REPL does not echo its value again.
    var printsResult: Bool

    init(_ keyword: String, usage: String, summary: String, form: StatementForm,
                variants: [StatementForm] = [], variantNoun: String = "",
                binds: Binding? = nil, needs: [Need] = [], result: String? = nil, printsResult: Bool = false) {
        self.keyword = keyword
        self.usage = usage
        self.summary = summary
        self.form = form
        self.variants = variants
        self.variantNoun = variantNoun
        self.binds = binds
        self.needs = needs
        self.result = result
        self.printsResult = printsResult
    }

    /// The form picked by `word`, or the single form.
    func form(for word: String?) -> StatementForm? {
        if variants.isEmpty { return form }
        return variants.first { $0.word == word }
    }

    var variantWords: [String] { variants.compactMap(\.word) }

    /// What the statement needs when its first word is `word` (the form's own needs, if it has them).
    func needs(for word: String?) -> [Need] {
        form(for: word)?.needs ?? needs
    }
}
