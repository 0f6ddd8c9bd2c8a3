// CheckBuiltins.swift — what the checker knows of each built-in function: the type it returns.
//
// A literal string option (`vocabulary(syms, "closed")`) is checked against the words its
// declaration allows (FunctionChoices.swift), with the run time's error.
// Pure built-ins given known values run for real (so `len([1, 2])` is 2 and `range(3)` a list
// of three ints, with the interpreter's own errors). Data built-ins never run: they return
// the type they would (`tokens` a list of strings, `windows` a dataset carrying its vocabulary),
// and `data_path` resolves its name without opening anything — a missing data set is a
// warning, since the data may be there when the script runs.

import SeqLang

enum CheckBuiltins {
    /// Built-ins without effects, safe to run on known values.
    static let pure: Set<String> = ["len", "str", "type", "int", "float", "range", "min", "max", "abs", "sqrt", "exp",
                                    "log", "round", "append", "join", "tensor", "list", "rows", "sum", "mean", "std"]
    /// `range` results up to this long are computed; longer ones are only typed.
    static let foldLimit = 10_000

    static func call(_ name: String, _ args: [CheckType], _ exprs: [Expr], at range: SourceRange,
                     _ checker: Checker) throws -> CheckType {
        // A literal string option that is none of its words fails as it would at run time.
        if let error = FunctionChoices.check(name, args, at: range) { throw error }
        if pure.contains(name), checker.host.natives.contains(name) {
            let values = args.compactMap(\.constant)
            let small: Bool = {
                guard name == "range" else { return true }
                return values.allSatisfy { if case .int(let n) = $0 { return abs(n) <= foldLimit } else { return true } }
            }()
            if values.count == args.count, small {
                return CheckType.of(try checker.host.callNative(name, values, range))
            }
        }
        func arg(_ i: Int) -> CheckType { i < args.count ? args[i] : .unknown }
        switch name {
        case "print", "assert": return .none
        case "len": return .int
        case "str", "type", "join": return .string
        case "int": return .int
        case "float", "sqrt", "exp", "log": return .number
        case "range": return .list(.int, items: nil)
        case "min", "max", "abs":
            if case .tensor = arg(0) { return args.count == 1 ? .number : .unknown }
            if args.count == 1, case .list(let e, let items) = arg(0) { return CheckType.widen(items.map(CheckType.joinAll) ?? e) }
            return CheckType.widen(CheckType.joinAll(args))
        case "round": return args.count == 2 ? .number : .unknown
        case "tensor", "rows", "read_npy", "read_csv": return .tensor
        case "list": return .list(.unknown, items: nil)
        case "write_npy": return .none
        case "sum", "mean", "std":
            // Over one axis: a tensor (a number for rank 1); `sum` of a list of ints is an int.
            return args.count == 2 || name == "sum" ? .unknown : .number
        case "append":
            if case .list(let e, let items) = arg(0) {
                return .list(CheckType.widen(CheckType.join(items.map(CheckType.joinAll) ?? e, arg(1))), items: nil)
            }
            return .list(.unknown, items: nil)
        case "data_path":
            if case .string(let file?) = arg(0) {
                do {
                    // The policy first, as at run time: without file access nothing is looked up.
                    // (Existence is a stat here, never an open: the check opens no data file.)
                    guard checker.host.canUseFiles else { _ = try checker.host.authorize(file, false, range); return .string }
                    let found = try checker.host.dataFolder.resolve(file, at: range)
                    return .string(try checker.host.authorize(found, false, range))
                } catch let d as Diagnostic {
                    // The data may be on the machine that runs the script: a warning here.
                    var warning = d
                    warning.severity = .warning
                    warning.kind = .warning
                    checker.report(warning)
                }
            }
            return .string
        case "read_text": return .string
        case "read_lines", "words", "tokens", "chars": return .list(.string, items: nil)
        case "vocabulary": return .vocabulary(size: nil)
        case "encode": return .list(.int, items: nil)
        case "decode": return .unknown
        case "windows", "lm_batches", "sequences":
            var input: DataFact.DataInput?
            if case .list = arg(0) {
                if name == "windows", case .int(let n?, nil) = arg(1) { input = .tokens(length: n) } else { input = .tokens(length: nil) }
                if name == "lm_batches" { input = nil }  // streams: their steps are the batches'
            }
            return .dataset(dataFact(args, exprs, input: input))
        case "mnist": return .dataset(DataFact(vocabulary: nil, noVocabulary: true, input: .features(length: 28, features: 28)))
        case "split":
            if case .string = arg(0) { return .list(.string, items: nil) }  // a text into words
            let part = CheckType.widen(arg(0))
            if case .list(_, let items?) = arg(1) {
                let names = items.count == 2 ? ["train", "test"] : items.count == 3 ? ["train", "val", "test"] : []
                if !names.isEmpty { return .record(names.map { ($0, part) }, open: false) }
            }
            return .unknown
        case "shuffle": return CheckType.widen(arg(0))
        case "load":
            checker.modelFromFile()
            return .model(nil)
        default:
            return .unknown
        }
    }
}

extension CheckBuiltins {
    /// A dataset made from `args`: the vocabulary among them names its size.
    static func dataFact(_ args: [CheckType], _ exprs: [Expr], input: DataFact.DataInput?) -> DataFact {
        if let i = args.firstIndex(where: { if case .vocabulary = $0 { return true } else { return false } }),
           case .vocabulary(let size) = args[i] {
            let named = size ?? (i < exprs.count ? Checker.spelled(exprs[i]).map { "\($0).size" } : nil)
            return DataFact(vocabulary: named, input: input)
        }
        return DataFact(vocabulary: nil, noVocabulary: args.allSatisfy { !$0.isUnknown }, input: input)
    }
}

extension Checker {
    /// `load(PATH)` makes the model in the file current; the checker knows nothing of its shape.
    func modelFromFile() {
        let m = Model(name: "?")
        unknownShape.insert(ObjectIdentifier(m))
        trainedModels.insert(ObjectIdentifier(m))
        models.current = m
    }
}

extension FunctionChoices {
    /// The error a call of `name` with these argument types has for sure: a literal string
    /// that is none of an option's words (the checker's half of `read`).
    static func check(_ name: String, _ args: [CheckType], at range: SourceRange) -> Diagnostic? {
        guard !of(name).isEmpty else { return nil }
        let given = args.map { type -> Given in
            if case .string(let s?) = type { return .word(s) }
            return .unknown
        }
        do { _ = try words(name, given, from: 0, at: range) } catch let d as Diagnostic { return d } catch { return nil }
        return nil
    }
}
