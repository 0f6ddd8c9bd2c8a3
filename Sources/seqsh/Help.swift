// Help.swift — the text of `:help` and `:help TOPIC`.
//
// Topics are the model statements, the language's control words, the built-in functions
// (FunctionHelp.swift) and the REPL's commands.
// A statement the interpreter has but this file does not describe still gets an answer that
// says it exists, so `:help` never claims a real statement is unknown.

import Foundation
import Interpreter

enum Help {
    static let overview = """
        SeqLang at the prompt: type statements and expressions; each value is shown.
          model sentiment                  declare a model (it becomes the current one)
          input tokens 100 vocab 10000     what it reads
          layer lstm 128 dropout 0.2       add a layer; its output shape is shown
          let x = 3                        bind a name;  fn f(a) { ... } defines a function
        A line that ends inside { ... }, [ ... ] or a string continues under ...>

        Commands:
          :help [TOPIC]   this text, or help on a statement (:help layer), a function
                          (:help windows) or a command (:help :load)
          :shape EXPR     the shape of a tensor, layer, model or shape
          :summary        the current model's layers, shapes and parameters
          :names          the bound names and their values
          :undo           take back the last layer of the current model
          :load FILE      run a script file into this session
          :reset          forget every name and model
          :quit           leave (or Ctrl-D)

        Keys: Tab completes, Up/Down walk the history, Ctrl-R searches it,
        Ctrl-C clears the line or stops a running statement, Ctrl-D quits
        (under ...> it drops the unfinished entry instead).

        """

    static let statements: [String: String] = [
        "model": """
            model NAME [init INITIALIZER]
              Declares a model, makes it the current one and binds NAME to it.
              Declaring a model again starts over. INITIALIZER: uniform R | glorot | normal S.
              Example: model ptb init uniform 0.1

            """,
        "input": """
            input tokens [LENGTH] [vocab V]         token ids: [batch, time LENGTH]
            input sequence [LENGTH] features F      vectors:   [batch, time LENGTH, feature F]
              Says what the current model reads; it comes before the layers.
              Without LENGTH, sequences may have any length.

            """,
        "layer": """
            layer KIND SIZES {OPTION}
              embedding [VOCAB] DIM   options: dropout R, keep P, init I, frozen
              lstm UNITS              options: dropout R, keep P, layers N, last, forget_bias F, init I, bias C
              lstm [U1, U2, ...]      one LSTM per size
              dense UNITS [ACTIVATION] options: per step, init I, bias C
              dropout RATE
              Adds a layer to the current model and shows its output shape and parameters.
              An LSTM returns the whole sequence unless given `last`; a dense layer after a
              sequence needs `per step`. :undo takes the last layer back.
              Example: layer lstm 128 dropout 0.2

            """,
        "summary": """
            summary [MODEL]
              Prints the table of layers, output shapes and parameter counts of MODEL, or of
              the current model. The REPL's :summary does the same.

            """,
        "seed": """
            seed N
              Seeds the initial weights, dropout masks and shuffling (default 42): the same
              seed gives the same losses, bit for bit. Write it before the weights are used.

            """,
        "train": """
            train OPTIMIZER on DATA {OPTION}
              OPTIMIZER: sgd | adam | rmsprop | adagrad. Trains the current model; binds `history`.
              lr F   momentum M (sgd)   epochs N | steps N   batch N   clip F   decay F after N
              validate DATA   every N   early stop on METRIC patience N   checkpoint PATH
              bptt N stateful | stateful   shuffle | shuffle off   loss NAME [sum]   quiet
              Ctrl-C stops it after the current batch, keeping the weights trained so far.
              Example: train adam lr 0.001 epochs 10 batch 64 on parts.train validate parts.test
              More: docs/training.md

            """,
        "evaluate": """
            evaluate [MODEL] on DATA [batch N]
              Loss and accuracy (or perplexity) on DATA with dropout off; binds `evaluation`.

            """,
        "predict": """
            predict [MODEL] INPUT
              INPUT: text, a list of ids or numbers, a tensor, or a dataset. One sequence gives
              a record (class, probability, probabilities; or next; or values); binds `prediction`.
              Example: predict "a truly wonderful film"

            """,
        "generate": """
            generate [MODEL] from TEXT length N [temperature T] [top K]
              Continues TEXT by N symbols: greedy, or sampled (seeded) with temperature/top.
              Binds `generated`. Example: generate from "had a general" length 32

            """,
        "save": """
            save [MODEL] PATH
              Writes the model (weights, architecture, vocabulary) to one safetensors file,
              atomically. `load(PATH)` reads it back and makes it the current model.

            """,
        "resume": """
            resume PATH on DATA [validate DATA] [epochs N | steps N] [every N] [checkpoint PATH]
              Continues a run from a checkpoint written by `train ... checkpoint PATH`, exactly
              as if it had not stopped. DATA must be the data it was trained on.

            """,
        "check": """
            check gradients [on DATA]
              Compares the model's backward pass with finite differences on two samples and
              prints the worst relative error of each parameter tensor; binds `gradients`.

            """,
        "plot": """
            plot HISTORY [PATH]
              Draws loss (and val_loss) per epoch as a bar chart; with PATH also an SVG file.

            """,
        "let": "let NAME = EXPR\n  Binds NAME in the current scope; NAME = EXPR rebinds it.\n",
        "fn": "fn NAME(A, B) { ... }\n  Defines a function; `return EXPR` gives its value.\n",
        "if": "if COND { ... } else { ... }\n",
        "for": "for NAME in LIST { ... }\n  `break` and `continue` work as usual.\n",
        "while": "while COND { ... }\n  Ctrl-C stops a loop that does not end.\n",
    ]

    static let commands: [ReplCommand: String] = [
        .help: "Shows the overview, or help on one statement or command.",
        .shape: "Evaluates EXPR and shows its shape: a tensor's sizes, a layer's output, a model's input -> output.",
        .summary: "Prints the current model's table of layers (the `summary` statement).",
        .names: "Lists every bound name with its type and value.",
        .undo: "Removes the last layer of the current model; the model's shape goes back one step.",
        .load: "Runs a script file into this session; its names and models stay.",
        .reset: "Starts over with no names and no models.",
        .quit: "Leaves seqsh (as Ctrl-D does). Also :q and :exit.",
    ]

    /// Every topic `:help` knows, sorted.
    static var topics: [String] {
        (Array(statements.keys) + SeqInterpreter.documentedFunctions + ReplCommand.allCases.map { ":" + $0.rawValue }).sorted()
    }

    /// The help on `topic` (a statement, a control word, or a command with or without its colon);
    /// nil when there is none. `statements` are the interpreter's command keywords.
    static func topic(_ topic: String, statements registered: [String]) -> String? {
        let word = topic.hasPrefix(":") ? String(topic.dropFirst()) : topic
        if !topic.hasPrefix(":"), let text = statements[word] { return text }
        // A function before a REPL command of the same name: `:help load` is load(PATH),
        // `:help :load` the command.
        if !topic.hasPrefix(":"), let text = SeqInterpreter.help(function: word) { return text }
        if let command = ReplCommand(rawValue: word) ?? ReplCommand.aliases[word], let text = commands[command] {
            return "\(command.usage)\n  \(text)\n"
        }
        if registered.contains(word) {
            return "`\(word)` is a statement of this interpreter: \(word) ARG ... {OPTION VALUE}\n"
        }
        return nil
    }

    /// "a" or "an" before a type name.
    static func article(_ word: String) -> String {
        guard let first = word.first else { return "a" }
        return "aeiou".contains(first) ? "an" : "a"
    }
}
