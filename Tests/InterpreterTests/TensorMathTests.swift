// TensorMathTests.swift — numbers in and out: read_npy on files numpy wrote (float64,
// column-major big-endian int32, bool), write_npy read back by numpy, arithmetic with numbers
// and tensors, reductions over everything and over a named axis against numpy's values (from
// Reference/interchange_reference.py, seed 20261201), rows, tensor(list)/list(tensor), and the
// located, named-axis errors, and what the static checker knows of them.

import Foundation
import Interpreter
import SeqLang
import XCTest

final class TensorMathTests: XCTestCase {
    func interpreter() throws -> Captured {
        let dir = try InterchangeTests.referenceFolder()
        return Captured { $0.workingDirectory = dir }
    }

    /// The flat values of global `name` (a number or nested lists of numbers).
    func values(_ c: Captured, _ name: String) -> [Double] {
        func flat(_ v: Value?) -> [Double] {
            switch v {
            case .number(let x)?: return [x]
            case .int(let i)?: return [Double(i)]
            case .list(let items)?: return items.flatMap { flat($0) }
            default: return [.nan]
            }
        }
        return flat(c.interpreter[global: name])
    }

    func assertClose(_ a: [Double], _ b: [Double], accuracy: Double = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, "\(a) vs \(b)", file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
    }

    func testReadNpyOfNumpysFiles() throws {
        let c = try interpreter(), e = try InterchangeTests.expected()
        for name in ["npy_f64.npy", "npy_fortran_i4.npy", "npy_bool.npy"] {
            XCTAssertEqual(c.run("let v = list(read_npy(\"\(name)\"))").errors, [])
            assertClose(values(c, "v"), e.npy[name]!.values)
        }
        XCTAssertEqual(c.run("let s = read_npy(\"npy_fortran_i4.npy\").shape").errors, [])
        XCTAssertEqual(values(c, "s"), [2, 3])
    }

    func testReductionsMatchNumpy() throws {
        let c = try interpreter(), e = try InterchangeTests.expected()
        for f in ["sum", "mean", "std", "min", "max"] {
            XCTAssertEqual(c.run("""
                let a = read_npy("npy_f64.npy")
                let all = \(f)(a)
                let rows = list(\(f)(a, "row"))
                let columns = list(\(f)(a, 1))
                """).errors, [])
            assertClose(values(c, "all"), e.stats[f]!["all"]!.values)
            assertClose(values(c, "rows"), e.stats[f]!["row"]!.values)
            assertClose(values(c, "columns"), e.stats[f]!["column"]!.values)
        }
    }

    func testWriteNpyReadsBackInNumpy() throws {
        let c = try interpreter()
        let dir = try InterchangeTests.referenceFolder()
        XCTAssertEqual(c.run("write_npy(\"written.npy\", tensor([[1, 2.5, -3], [4, 5, 6]]) / 2)").errors, [])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import numpy, sys; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, a.tolist())", dir + "/written.npy"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(out, "float32 (2, 3) [[0.5, 1.25, -1.5], [2.0, 2.5, 3.0]]\n")
        XCTAssertEqual(c.run("let back = list(read_npy(\"written.npy\"))").errors, [])
        XCTAssertEqual(values(c, "back"), [0.5, 1.25, -1.5, 2, 2.5, 3])
    }

    func testArithmeticRowsAndLists() throws {
        let c = try interpreter()
        XCTAssertEqual(c.run("""
            let t = tensor([[1, 2], [3, 4]])
            let a = list(t * 2 + 1)
            let b = list(10 - t)
            let d = list(t / t)
            let n = list(-t)
            let z = list((t - mean(t, "row")) / std(t, "row"))
            let r = list(t[-1])
            let x = t[0][1]
            let s = list(rows(t, 1, 2))
            let axes = t.axes
            """).errors, [])
        XCTAssertEqual(values(c, "a"), [3, 5, 7, 9])
        XCTAssertEqual(values(c, "b"), [9, 8, 7, 6])
        XCTAssertEqual(values(c, "d"), [1, 1, 1, 1])
        XCTAssertEqual(values(c, "n"), [-1, -2, -3, -4])
        XCTAssertEqual(values(c, "z"), [-1, -1, 1, 1])
        XCTAssertEqual(values(c, "r"), [3, 4])
        XCTAssertEqual(values(c, "x"), [2])
        XCTAssertEqual(values(c, "s"), [3, 4])
        XCTAssertEqual(c.interpreter[global: "axes"]?.description, "[\"row\", \"column\"]")
        XCTAssertEqual(c.run("let k = sum([1, 2, 3])").errors, [])
        XCTAssertEqual(c.interpreter[global: "k"]?.description, "6")
    }

    func testShapeErrorsAreLocatedWithNamedAxes() throws {
        let c = try interpreter()
        func error(_ line: String) -> (String, String?) {
            let d = c.run("let t = tensor([[1, 2, 3], [4, 5, 6]])\n" + line).result.errors.first
            return (d.map { "\($0.range.start): \($0.message)" } ?? "no error", d?.hint)
        }
        XCTAssertEqual(error("let u = t + tensor([1, 2])").0,
                       "2:11: '+' needs tensors of the same shape, or one whose shape is the other's last axes, but found [row 2, column 3] and [value 2]")
        XCTAssertEqual(error("let m = mean(t, \"rows\")").0, "2:9: mean: a tensor [row 2, column 3] has no axis 'rows'")
        XCTAssertEqual(error("let m = mean(t, \"rows\")").1, "did you mean 'row'?")
        XCTAssertEqual(error("let m = max(t, 2)").0, "2:9: max: a tensor [row 2, column 3] has axes 0 to 1, not 2")
        XCTAssertEqual(error("let r = t[2]").0, "2:10: row 2 is outside a tensor [row 2, column 3]: expected -2 to 1")
        XCTAssertEqual(error("let r = rows(t, 1, 5)").0, "2:9: rows(1, 5) is outside the 2 rows of a tensor [row 2, column 3]")
        XCTAssertEqual(error("let r = tensor([[1, 2], [3]])").0,
                       "2:9: tensor: item [1] has 1 items but the first at its level has 2; every row needs the same length")
        XCTAssertEqual(error("let r = tensor([1, \"a\"])").0, "2:9: tensor: item [1] is string, expected a number")
        XCTAssertEqual(error("let r = t % 2").0, "2:11: '%' does not apply to tensors; tensors take + - * /")
        XCTAssertEqual(error("let r = read_npy(\"expected.json\")").0.hasSuffix("not a .npy file: it does not start with \\x93NUMPY"), true)
    }

    func testTheCheckerKnowsTheTensorBuiltins() throws {
        let c = try interpreter()
        let report = c.interpreter.check(source: """
            let t = read_npy("npy_f64.npy")
            let m = mean(t, "row")
            let z = (t - m) / std(t, "row")
            let r = list(rows(z, 0, 1))
            let n = sum(t) + max(t)
            write_npy("never-written.npy", z)
            let y = t["a"]
            print(t.axez)
            """, file: "check.seq")
        XCTAssertEqual(report.diagnostics.map { "\($0.range.start): \($0.message)" },
                       ["7:10: a tensor is indexed by an int (its row) but found string", "8:9: tensor has no member 'axez'"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: try InterchangeTests.referenceFolder() + "/never-written.npy"))
    }
}
