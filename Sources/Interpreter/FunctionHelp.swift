// FunctionHelp.swift — the help of every built-in function (what seqsh's `:help NAME` shows):
// how it is called, what it gives, an example, and the words of its string options. docs/language.md and docs/data.md say more; a
// test checks that every function an interpreter has is here, so no built-in goes without help.

/// The help texts of the built-in functions.
enum FunctionHelp {
    /// Name → the help text (usage line, then indented lines).
    static let entries: [String: String] = [
        "print": "print(VALUE, ...)\n  Writes the values separated by spaces, then a line break.\n  Example: print(\"loss\", history.loss[0])",
        "len": "len(X)\n  The number of items of a list, characters of a string, fields of a record, values of a tensor.",
        "str": "str(X)\n  X as text, as print shows it.",
        "type": "type(X)\n  The type name of X: \"int\", \"number\", \"string\", \"list\", \"model\", ...",
        "int": "int(X)\n  A number truncated toward zero, a bool as 0/1, or the text of an int.",
        "float": "float(X)\n  X as a number (from an int or the text of a number).",
        "range": "range(END) | range(START, END [, STEP])\n  The ints from START (default 0) up to but not including END.\n  Example: for i in range(10) { ... }",
        "min": "min(A, B, ...) | min(LIST) | min(TENSOR [, AXIS])\n  The smallest of the numbers, or of a tensor's values (over one axis with AXIS).",
        "max": "max(A, B, ...) | max(LIST) | max(TENSOR [, AXIS])\n  The largest of the numbers, or of a tensor's values (over one axis with AXIS).",
        "abs": "abs(X)\n  The absolute value of an int or number.",
        "sqrt": "sqrt(X)\n  The square root (X at least 0).",
        "exp": "exp(X)\n  e to the power X.",
        "log": "log(X)\n  The natural logarithm (X above 0).",
        "round": "round(X [, DIGITS])\n  The nearest int, or a number rounded to DIGITS decimals (0 to 15).\n  Example: round(history.val_loss[-1], 4)",
        "append": "append(LIST, VALUE)\n  A new list with VALUE at the end (LIST is left as it was).",
        "join": "join(LIST [, SEPARATOR])\n  The items as text, joined by SEPARATOR (default none).",
        "split": "split(TEXT [, SEPARATOR]) | split(DATA, FRACTIONS [, SEED])\n  Text: the pieces between separators (default: whitespace).\n  Data: a record of parts, e.g. split(data, [0.8, 0.2]) gives .train and .test (docs/data.md).",
        "assert": "assert(CONDITION [, MESSAGE])\n  Stops the script with an error when CONDITION is false.",
        "data_path": "data_path(NAME)\n  The path of a known data set's file (ptb, mnist, rt-polarity, aesop, tinyshakespeare), from --data, SEQ_DATA or the cache.\n  Example: read_text(data_path(\"aesop\"))",
        "read_text": "read_text(PATH)\n  The whole UTF-8 file as one string.",
        "read_lines": "read_lines(PATH)\n  The lines of the file, without their line breaks.",
        "words": "words(TEXT [, NEWLINE])\n  The words of raw text, punctuation split off as symbols of its own; line breaks become NEWLINE when given.\n  Example: words(lower(\"A truly wonderful film!\"))",
        "tokens": "tokens(TEXT [, NEWLINE])\n  The pieces of already tokenized text, split at whitespace only; line breaks become NEWLINE when given.",
        "chars": "chars(TEXT)\n  The characters of TEXT, each a symbol (for character models).",
        "lower": "lower(TEXT)\n  TEXT lower-cased and composed (Unicode NFC); a list of strings, nested or not, string by string.\n  Example: tokens(lower(read_text(\"reviews.txt\")))",
        "vocabulary": "vocabulary(SYMBOLS [, N] [, \"closed\"] [, \"chars\" | \"words\"])\n  The symbol <-> id table: <pad> = 0 and <unk> = 1 (every unknown symbol, with a warning), then the\n  symbols, most frequent first; a cap N counts the two. \"closed\": the corpus' symbols alone, no\n  reserved id (with a cap, the N - 1 most frequent and <unk>).\n  Counted from lower-cased text (lower(...)), it lower-cases what it looks up: \"The\" finds \"the\".\n  Of characters (every symbol one character, as chars(...) gives, or \"chars\"): text is cut into\n  characters and generated text joined without spaces; \"words\" keeps single-character words apart.\n  Members: size, symbols, unk (the id of <unk>, or none), pad (the id of <pad>, or none), lower, unit.",
        "encode": "encode(VOCAB, SYMBOLS)\n  The ids of the symbols (a list, or a list of lists).",
        "decode": "decode(VOCAB, IDS)\n  The symbols of the ids.",
        "windows": "windows(IDS, N [, VOCAB])\n  A dataset of every N ids in a row with the id after them as the target (next-symbol models).",
        "lm_batches": "lm_batches(IDS, BATCH, BPTT [, VOCAB])\n  A corpus cut into BATCH streams of BPTT steps, for stateful language models.",
        "sequences": "sequences(SAMPLES, LABELS, MAX_LENGTH [, keep] [, VOCAB])\n  A classification dataset of id sequences padded or cut to MAX_LENGTH (keep \"first\" or \"last\").",
        "shuffle": "shuffle(DATA, SEED)\n  The samples of DATA in a seeded random order.",
        "read_idx": "read_idx(PATH)\n  A tensor from an IDX file (MNIST's format, gzip or not).",
        "mnist": "mnist(IMAGES, LABELS)\n  A dataset of MNIST images as 28 rows of 28 features, scaled to [0, 1], with their labels.",
        "read_csv": "read_csv(PATH [, COLUMNS [, DELIMITER [, HEADER]]])\n  A table of numbers (a tensor [row, column]) from a CSV file; the header and delimiter are sniffed by default.",
        "read_labelled": "read_labelled(FILES, LABELS) | read_labelled(TABLE, LABEL_COLUMN [, TEXT_COLUMN [, DELIMITER [, HEADER]]])\n  Texts and their labels: one file per label, or a CSV/TSV table.\n  Example: let r = read_labelled(\"reviews.tsv\", \"label\")",
        "tensor": "tensor(LIST)\n  A tensor from a list of numbers or nested lists (every row the same length).\n  Example: tensor([[1, 2], [3, 4]])",
        "list": "list(TENSOR)\n  The tensor's values as nested lists of numbers.",
        "rows": "rows(TENSOR, START, END)\n  Rows START up to but not including END (negative numbers count from the end).",
        "sum": "sum(X [, AXIS])\n  The sum of a list of numbers or of a tensor's values; with AXIS (a name like \"row\" or a number), one sum per slice.",
        "mean": "mean(X [, AXIS])\n  The mean of a list of numbers or of a tensor's values, or over one axis.\n  Example: t - mean(t, \"row\") centres every column",
        "std": "std(X [, AXIS])\n  The population standard deviation (numpy's default), of all values or over one axis.",
        "read_npy": "read_npy(PATH)\n  A numpy .npy file as a float32 tensor.",
        "write_npy": "write_npy(PATH, TENSOR)\n  Writes the tensor as a float32 .npy file numpy.load reads.",
        "load": "load(PATH)\n  The model in a file written by `save` (or a checkpoint), made the current model, with its vocabulary (m.vocab).\n  Example: let m = load(\"sentiment.safetensors\")\n  (The REPL command that runs a script file is :load FILE; see :help :load.)",
    ]

    /// The help of function `name`, ending in a line break; nil for a name without help. The
    /// words of its string options come from their declarations (FunctionChoices.swift).
    static func text(_ name: String) -> String? {
        entries[name].map { entry in entry + FunctionChoices.of(name).map { "\n  " + $0.helpLine }.joined() + "\n" }
    }
}
