// EmbeddingTests.swift — the public embedding API as a host uses it: output, globals, host
// functions, errors as values, echo, completion, independence of interpreters, cancellation
// from another thread, the time limit, and the file-access policy.

import XCTest
import Foundation
import SeqLang
import Interpreter

final class EmbeddingTests: XCTestCase {
    func testOutputGoesToTheSinkAndTheLastValueIsReturned() {
        let c = Captured()
        let o = c.run("print(\"hello\", 1)\n40 + 2")
        XCTAssertEqual(o.output, "hello 1\n")
        XCTAssertTrue(o.result.succeeded)
        guard case .int(42)? = o.result.value else { return XCTFail("expected 42, got \(String(describing: o.result.value))") }
    }

    func testGlobalsPersistAndCrossTheBoundaryAsValues() throws {
        let c = Captured()
        _ = c.run("let xs = [1, 2]")
        guard case .list(let xs)? = c.interpreter[global: "xs"] else { return XCTFail("xs is not a list") }
        XCTAssertEqual(xs.count, 2)
        c.interpreter[global: "t"] = .tensor(try TensorValue(sizes: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        c.interpreter[global: "name"] = .string("imdb")
        XCTAssertEqual(c.run("print(t.shape, t.count, name + \"!\", xs)").output, "[2, 3] 6 imdb! [1, 2]\n")
        c.interpreter[global: "name"] = nil
        XCTAssertEqual(c.run("print(name)").errors, ["1:7: unknown name 'name'"])
        XCTAssertTrue(c.interpreter.globalNames.contains("xs"))
    }

    func testHostFunctionsAreCallableAndReportErrorsAtTheCall() {
        let c = Captured()
        c.interpreter.register(function: "double") { args, _, range in
            guard args.count == 1, case .int(let n) = args[0] else {
                throw Diagnostic.error(.type, at: range, "'double' expects one int")
            }
            return .int(2 * n)
        }
        c.interpreter.register(function: "shout") { args, context, _ in
            context.output("LOUD \(args[0])\n")
            context.define("shouted", .bool(true))
            return .none
        }
        XCTAssertEqual(c.run("print(double(21))\nshout(\"x\")\nprint(shouted)").output, "42\nLOUD x\ntrue\n")
        XCTAssertEqual(c.run("let y = 1\nprint(double(\"no\"))").errors, ["2:7: 'double' expects one int"])
    }

    func testHostFunctionMayReadGlobalsWhileTheScriptRuns() {
        let c = Captured()
        let interp = c.interpreter
        interp.register(function: "peek") { _, _, _ in interp[global: "secret"] ?? .none }
        XCTAssertEqual(c.run("let secret = 7\nprint(peek())").output, "7\n")
    }

    func testErrorsComeBackAsValuesAndRenderWithTheSource() {
        let c = Captured()
        let o = c.run("let x = 1\nprint(x / 0)", file: "calc.seq")
        XCTAssertFalse(o.result.succeeded)
        XCTAssertNil(o.result.value)
        let d = o.result.errors[0]
        XCTAssertEqual(d.kind, .runtime)
        XCTAssertEqual(c.interpreter.source(of: "calc.seq"), "let x = 1\nprint(x / 0)")
        XCTAssertEqual(c.interpreter.render(d),
                       "calc.seq:2:9: error: division by zero\n  print(x / 0)\n          ^\n  hint: check the divisor before dividing\n")
    }

    func testSyntaxErrorsStopTheWholeRunAndAreAllReported() {
        let o = Captured().run("print(1)\nlet = 2\nprint(3 +)")
        XCTAssertEqual(o.output, "")
        XCTAssertEqual(o.errors, ["2:5: expected a name after 'let' but found '='", "3:10: expected an expression but found ')'"])
    }

    func testIncompleteInputIsAKindNotAMessage() {
        let c = Captured()
        XCTAssertTrue(c.run("fn f(x) {\n  return x").result.isIncomplete)
        XCTAssertTrue(c.run("let xs = [1,").result.isIncomplete)
        XCTAssertFalse(c.run("let x = )").result.isIncomplete)
        XCTAssertTrue(c.run("fn f(x) {\n  return x\n}\nprint(f(5))").result.succeeded)
    }

    func testEchoReportsTopLevelValues() {
        let echoed = TextBox()
        let c = Captured { $0.echo = { echoed.text += $0.description + ";" } }
        _ = c.run("let x = 2\nx * 3\nprint(\"p\")\nnone\n[x]")
        XCTAssertEqual(echoed.text, "6;[2];")
    }

    func testCompletionsListKeywordsBuiltinsAndNames() {
        let c = Captured()
        _ = c.run("let printer = 1\nlet layers = 2")
        XCTAssertEqual(c.interpreter.completions(prefix: "pr"), ["predict", "print", "printer"])
        XCTAssertEqual(c.interpreter.completions(prefix: "lay"), ["layer", "layers"])
        XCTAssertEqual(c.interpreter.completions(prefix: "wh"), ["while"])
    }

    func testTwoInterpretersAreIndependent() {
        let a = Captured(), b = Captured()
        _ = a.run("let x = \"a\"")
        _ = b.run("let x = \"b\"")
        XCTAssertEqual(a.run("print(x)").output, "a\n")
        XCTAssertEqual(b.run("print(x)").output, "b\n")
        a.interpreter.register(function: "only_a") { _, _, _ in .none }
        XCTAssertEqual(b.run("only_a()").errors, ["1:1: unknown name 'only_a'"])
    }

    func testCancelFromAnotherThread() {
        let c = Captured()
        let interp = c.interpreter
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { interp.cancel() }
        let o = c.run("let n = 0\nwhile true {\n  n += 1\n}")
        XCTAssertEqual(o.result.errors.map(\.kind), [.cancelled])
        // The next run starts afresh.
        XCTAssertTrue(c.run("print(1)").result.succeeded)
    }

    func testTimeLimitStopsRunawayLoops() {
        let c = Captured { $0.timeLimit = 0.2 }
        let o = c.run("for i in range(10) {\n  while true { }\n}")
        XCTAssertEqual(o.result.errors.map(\.kind), [.limit])
        XCTAssertEqual(o.errors, ["2:3: the script ran longer than its time limit of 0.2 s"])
    }

    func testFilePolicyIsEnforcedByAuthorize() {
        func reader(_ c: Captured) {
            c.interpreter.register(function: "open") { args, context, range in
                guard case .string(let path) = args[0] else { return .none }
                return .string(try context.authorize(path: path, writing: false, at: range))
            }
        }
        let none = Captured { $0.fileAccess = .none }
        reader(none)
        let denied = none.run("open(\"data/x.txt\")")
        XCTAssertEqual(denied.result.errors.map(\.kind), [.io])
        XCTAssertEqual(denied.errors, ["1:1: cannot read 'data/x.txt': this interpreter has no file access"])

        let app = NSTemporaryDirectory() + "seqlang-app-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: app + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: app) }
        let folders = Captured {
            $0.fileAccess = .folders(["data"])
            $0.workingDirectory = app
        }
        reader(folders)
        XCTAssertEqual(folders.run("print(open(\"data/x.txt\"))").output, app + "/data/x.txt\n")
        XCTAssertEqual(folders.run("open(\"data/../secret.txt\")").errors,
                       ["1:1: cannot read 'data/../secret.txt': it is outside the folders this interpreter may use"])
        XCTAssertEqual(folders.run("open(\"/etc/passwd\")").result.errors.map(\.kind), [.io])
    }

    func testWarningsGoToTheSinkOrTheResult() {
        func warner(_ c: Captured) {
            c.interpreter.register(function: "careful") { _, context, range in
                context.warn(.warning(at: range, "this is only a warning"))
                return .none
            }
        }
        let collected = Captured()
        warner(collected)
        let o = collected.run("careful()\nprint(\"after\")")
        XCTAssertTrue(o.result.succeeded)
        XCTAssertEqual(o.output, "after\n")
        XCTAssertEqual(o.result.warnings.map(\.message), ["this is only a warning"])

        let seen = TextBox()
        let sunk = Captured { $0.onWarning = { seen.text += $0.message } }
        warner(sunk)
        XCTAssertEqual(sunk.run("careful()").result.diagnostics.count, 0)
        XCTAssertEqual(seen.text, "this is only a warning")
    }

    func testRunFileReportsMissingAndNonUTF8Files() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqlang-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.seq"), bad = dir.appendingPathComponent("bad.seq")
        try Data("print(\"ok\")\n".utf8).write(to: good)
        try Data([0x70, 0x0A, 0xC3, 0x28]).write(to: bad)
        let c = Captured()
        XCTAssertTrue(c.interpreter.run(file: good.path).succeeded)
        let badResult = c.interpreter.run(file: bad.path)
        XCTAssertEqual(badResult.errors.map(\.kind), [.lexical])
        XCTAssertEqual(badResult.errors.first?.message, "the file is not valid UTF-8: byte 0xC3 at byte offset 2 does not form a character")
        XCTAssertEqual(c.interpreter.run(file: dir.appendingPathComponent("none.seq").path).errors.map(\.kind), [.io])
    }

    func testModelStatementsAreInstalled() {
        let c = Captured()
        XCTAssertTrue(Set(c.interpreter.registeredCommands).isSuperset(of: ["model", "input", "layer", "summary"]))
        let o = c.run("model demo\nprint(type(demo))")
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "model\n")
    }

    func testCommandArgumentsArriveAsWordsAndValues() {
        let c = Captured()
        let seen = TextBox()
        c.interpreter.register(command: "plot") { request, _ in
            seen.text = request.args.map { "\($0.word ?? "_")=\($0.value?.debugText ?? "nil")@\($0.range.start.column)+\($0.range.length)" }
                .joined(separator: " ")
            return .string("plotted")
        }
        let o = c.run("let units = 64\nplot loss units -0.5 (units * 2) \"t\" [1]")
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(seen.text, "loss=nil@6+4 units=64@11+5 _=-0.5@17+4 _=128@22+11 _=\"t\"@34+3 _=[1]@38+3")
        guard case .string("plotted")? = o.result.value else { return XCTFail("the handler's value is the run's value") }
    }

    func testTensorValuesCrossWithNamedAxes() throws {
        let c = Captured()
        c.interpreter[global: "m"] = .tensor(try TensorValue(sizes: [2, 2], scalars: [1, 2, 3, 4]))
        XCTAssertEqual(c.run("let s = sum(m, \"row\")\nlet v = m[1]").errors, [])
        guard case .tensor(let s)? = c.interpreter[global: "s"] else { return XCTFail("s is not a tensor") }
        XCTAssertEqual(s.shape, NamedShape([.init("value", 2)]))
        XCTAssertEqual(s.scalars, [4, 6])
        XCTAssertEqual(try TensorValue(sizes: [2, 0], scalars: []).count, 0)
        XCTAssertEqual(TensorValue([1, 2, 3]).description, "tensor [value 3] [1.0, 2.0, 3.0]")
        XCTAssertThrowsError(try TensorValue(sizes: [2, 3], scalars: [1, 2])) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "a tensor of sizes [2, 3] holds 6 numbers, but 2 were given")
        }
        XCTAssertThrowsError(try TensorValue(sizes: [-1], scalars: [])) { error in
            XCTAssertEqual((error as? Diagnostic)?.kind, .shape)
        }
    }

    func testWhatAnEditorAsksOfTheAPI() {
        XCTAssertTrue(SeqInterpreter.isKeyword("while") && SeqInterpreter.isKeyword("train"))
        XCTAssertFalse(SeqInterpreter.isKeyword("sentiment"))
        XCTAssertEqual(SeqInterpreter.suggesting("unknown command ':hlep'", for: "hlep", among: ["help", "quit"], prefix: ":"),
                       "unknown command ':hlep'; did you mean ':help'?")
        XCTAssertThrowsError(try SeqInterpreter.sourceText([0x61, 0xFF], file: "bad.seq")) { error in
            XCTAssertEqual((error as? Diagnostic)?.kind, .lexical)
        }
        XCTAssertEqual(SeqInterpreter.shapeDescription(of: .int(3)), nil)
        XCTAssertEqual(SeqInterpreter.shapeDescription(of: .list([.int(1), .int(2)])), "list of 2")
        XCTAssertEqual(SeqInterpreter.downloadCacheFolder(environment: ["HOME": "/home/u", "SEQ_DATA": "/d"]),
                       "/home/u/.cache/seqlang/datasets")
        XCTAssertFalse(SeqInterpreter.version.isEmpty)
    }

    func testEveryBuiltInFunctionHasHelp() {
        let names = SeqInterpreter().functionNames
        XCTAssertTrue(names.contains("windows") && names.contains("lower") && names.contains("load"), "\(names)")
        for name in names {
            XCTAssertTrue(SeqInterpreter.help(function: name)?.hasPrefix(name + "(") == true, "no help on \(name)")
            XCTAssertTrue(SeqInterpreter.documentedFunctions.contains(name), name)
        }
    }
}
