// CommandTableTests.swift — the command declarations: every command keyword declared once,
// every layer kind declared, and execution reading arguments by the declaration.

import XCTest
import SeqLang
@testable import Interpreter

final class CommandTableTests: XCTestCase {
    func testEveryCommandKeywordIsDeclaredOnce() {
        let declared = CommandTable.all.map(\.keyword)
        XCTAssertEqual(Set(declared).count, declared.count, "a keyword declared twice")
        XCTAssertEqual(Set(declared), Set(Keywords.commands))
        for keyword in Keywords.commands {
            XCTAssertNotNil(CommandTable.declaration(keyword), keyword)
        }
    }

    func testEveryLayerKindIsDeclaredAndTheHandlerUsesItsOptions() {
        XCTAssertEqual(CommandTable.layer.variantWords, LayerSpec.Kind.allCases.map(\.rawValue))
        for kind in LayerSpec.Kind.allCases {
            XCTAssertEqual(LayerStatement.options(for: kind), CommandTable.layerKind(kind.rawValue)!.optionNames)
        }
        XCTAssertEqual(TrainPlanReader.options, CommandTable.train.form.optionNames)
    }

    func testEveryDeclaredLayerOptionRuns() {
        // Each declared option of each kind, written the way its grammar says, is accepted.
        let samples = ["dropout": "dropout 0.2", "keep": "keep 0.8", "init": "init uniform 0.1", "frozen": "frozen",
                       "layers": "layers 2", "last": "last", "forget_bias": "forget_bias 0", "bias": "bias 0.1",
                       "per": "per step"]
        let before = ["embedding": "input tokens 5 vocab 10", "lstm": "input sequence 5 features 3",
                      "gru": "input sequence 5 features 3", "rnn": "input sequence 5 features 3",
                      "dense": "input sequence features 3\nlayer lstm 4 last", "dropout": "input sequence features 3"]
        for form in CommandTable.layerKinds {
            let kind = form.word!
            let size = kind == "dropout" ? "0.5" : "4"
            for option in form.optionNames {
                var text = samples[option] ?? option
                if kind == "dense" && option == "per" { continue }  // needs a sequence; covered below
                if kind == "dense", CommandTable.activations.contains(option) { text = option }
                let o = runSeq("model m\n\(before[kind]!)\nlayer \(kind) \(size) \(text)")
                XCTAssertEqual(o.errors, [], "layer \(kind) \(size) \(text)")
            }
        }
        XCTAssertEqual(runSeq("model m\ninput sequence features 3\nlayer dense 2 per step").errors, [])
    }

    func testTheReaderReportsGrammarErrorsWhereTheyAre() {
        XCTAssertEqual(runSeq("model m\ninput tokens 5 vocab 10\nlayer embedding 4 dropout 0.2 keep 0.5").errors,
                       ["3:31: `dropout` and `keep` both set this layer's dropout; give only one"])
        XCTAssertEqual(runSeq("model m\ninput sequence 5 features 3\nlayer lstm 4 init unifrom 0.1").errors,
                       ["3:19: unknown initializer 'unifrom'; did you mean 'uniform'?"])
        XCTAssertEqual(runSeq("model m\ninput sequence 5 features 3\nlayer lstm 4 init uniform").errors,
                       ["3:19: initializer 'uniform' needs the uniform range"])
        XCTAssertEqual(runSeq("model m\ninput sequence 5 features 3\nlayer lstm 4\nlayer dense 2 last").errors,
                       ["4:15: unknown option 'last' for a dense layer", ])
    }

    func testUsageLinesComeFromTheDeclaration() {
        XCTAssertEqual(StatementReader.usage(CommandTable.layer, CommandTable.layerKind("embedding")!),
                       "layer embedding [VOCAB] DIM {OPTION}")
        XCTAssertEqual(CommandTable.train.form.option("decay")?.usage, "decay F after N")
        XCTAssertEqual(CommandTable.train.form.option("init")?.usage, nil)
        XCTAssertEqual(CommandTable.initOption.usage, "init uniform R | glorot | normal S")
        XCTAssertEqual(CommandTable.train.binds?.name, "history")
        XCTAssertTrue(CommandTable.train.binds!.fields.contains { $0.name == "loss" })
    }
}
