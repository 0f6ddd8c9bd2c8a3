// DataBuiltins.swift — the data functions of SeqLang and where they are installed.
//
// `DataBuiltins.install(into:)` registers every data built-in (see docs/data.md): finding data
// (`data_path`), reading it (`read_text`, `read_lines`, `read_idx`, `read_csv`,
// `read_labelled`, `read_npy`; `write_npy` writes), turning text into symbols and ids (`words`, `tokens`, `chars`,
// `vocabulary`, `encode`, `decode`) and shaping ids into datasets (`windows`, `lm_batches`,
// `sequences`, `mnist`, `split`, `shuffle`). Calls are positional.

import SeqLang

/// The data built-ins of SeqLang.
enum DataBuiltins {
    /// Registers every data built-in in `registry`.
    /// - Parameters:
    ///   - registry: The interpreter (or any registry) to install into.
    ///   - folder: Where `data_path` looks for data sets (the interpreter's, from
    ///     `Configuration.dataFolder`).
    static func install(into registry: CommandRegistry, folder: DataFolder) {
        registry.register(function: "data_path") { values, context, range in
            let args = try Arguments("data_path", values, context, range, names: ["name"])
            let name = try args.string(0, "a data-set file name such as \"ptb/ptb.train.txt\"")
            // The policy first, so a script without file access learns nothing of what exists;
            // with folders, only files the script may read are seen.
            guard context.canUseFiles else { _ = try context.authorize(path: name, writing: false, at: range); return .none }
            let found = try folder.resolve(name, at: range, exists: context.fileExists)
            return .string(try context.authorize(path: found, writing: false, at: range))
        }
        TextBuiltins.install(into: registry)
        VocabularyBuiltins.install(into: registry)
        SequenceBuiltins.install(into: registry)
        SplitBuiltins.install(into: registry)
        IDX.install(into: registry)
        DelimitedBuiltins.install(into: registry)
        LabelBuiltins.install(into: registry)
        NPY.install(into: registry)
    }

    /// The names of the functions `install(into:)` registers.
    static let functionNames = [
        "data_path", "read_text", "read_lines", "words", "tokens", "chars", "lower", "vocabulary", "encode", "decode",
        "windows", "lm_batches", "sequences", "split", "shuffle", "read_idx", "mnist", "read_csv", "read_labelled",
        "read_npy", "write_npy",
    ]
}
