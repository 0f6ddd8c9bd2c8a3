// DataTableTests.swift — data files as they come: CRLF line ends, a byte-order mark, a
// headerless tab-separated `.txt`, quoted fields, and the delimiter/header options with the
// note read_labelled gives when it assumed a header.

import Foundation
import Interpreter
import SeqLang
import Tensor
import XCTest

final class DataTableTests: XCTestCase {
    let host = DataTestHost()
    var fx: String { DataTestHost.fixtures }

    func testCRLFLinesAreSplitAndLoseTheirCarriageReturns() throws {
        XCTAssertEqual(try host.call("read_lines", DataTestHost.fixture("crlf.txt")).strings,
                       ["line one", "line two", "", "line four"])
    }

    func testCRLFTableHeaderAndQuotedFieldWithTheSeparator() throws {
        let r = try host.call("read_labelled", DataTestHost.fixture("crlf.csv"), .string("label"))
        XCTAssertEqual(r.field("label")?.strings, ["pos", "neg"])
        XCTAssertEqual(r.field("text")?.strings, ["a fine film", "dull, slow"])
        XCTAssertNil(r.field("note"), "a header named by the script is not a guess")
    }

    func testByteOrderMarkIsDroppedAndCRLFCSVReadsAsNumbers() throws {
        guard case .tensor(let t) = try host.call("read_csv", DataTestHost.fixture("bom.csv"), .list([.string("time"), .string("price")]))
        else { return XCTFail("not a tensor") }
        XCTAssertEqual(t.sizes, [2, 2])
        XCTAssertEqual(t.scalars, [1, 10.5, 2, 11])
        XCTAssertEqual(try host.call("read_lines", DataTestHost.fixture("bom.csv")).strings?.first, "time,price")
    }

    func testHeaderlessTabSeparatedTextKeepsItsFirstRow() throws {
        let r = try host.call("read_labelled", DataTestHost.fixture("headerless.txt"), .int(1), .int(0))
        XCTAssertEqual(r.field("text")?.strings, ["a fine , moving film .", "wonderful !", "dull and slow .", "not worth it ."])
        XCTAssertEqual(r.field("label")?.strings, ["1", "1", "0", "0"])
        XCTAssertNil(r.field("note"))
    }

    func testExplicitDelimiterAndHeader() throws {
        let asData = try host.call("read_labelled", DataTestHost.fixture("reviews.tsv"), .int(0), .int(1), .string("\t"), .bool(false))
        XCTAssertEqual(asData.field("label")?.strings, ["label", "pos", "neg", "pos"])
        let forced = try host.call("read_labelled", DataTestHost.fixture("headerless.txt"), .int(1), .none, .none, .bool(true))
        XCTAssertEqual(forced.field("text")?.strings?.count, 3)
        XCTAssertEqual(host.error("read_labelled", DataTestHost.fixture("reviews.tsv"), .int(0), .int(1), .string("ab"))?.message,
                       "read_labelled: the delimiter must be one character other than a quote or a line break but is \"ab\"")
        XCTAssertEqual(host.error("read_labelled", DataTestHost.fixture("reviews.tsv"), .int(0), .int(1), .none, .int(1))?.message,
                       "read_labelled expects whether the first line is a header (true, false or none) as argument 5 but got int")
    }

    func testAssumedHeaderIsNotedInTheResult() throws {
        let r = try host.call("read_labelled", DataTestHost.fixture("quoted.csv"), .int(1), .int(0))
        XCTAssertEqual(r.field("text")?.strings, ["quoted \"best\" film", "one, two", "plain"])
        XCTAssertEqual(r.field("label")?.strings, ["pos", "neg", "pos"])
        XCTAssertEqual(r.field("note")?.description,
                       "the first line of '\(fx)/quoted.csv' was read as a header (text, label) because 'label' stands above a column of the labels 'neg', 'pos' and is not one of them; pass header false to read it as data")
    }

    func testNamedColumnWithoutAHeaderSaysHowToGetOne() throws {
        let d = host.error("read_labelled", DataTestHost.fixture("headerless.txt"), .string("label"))
        XCTAssertEqual(d?.message, "read_labelled: column 'label' needs a header row, but the first line of '\(fx)/headerless.txt' was read as data")
        XCTAssertEqual(d?.hint, "choose columns by number (0 is the first), or pass header true")
    }
}
