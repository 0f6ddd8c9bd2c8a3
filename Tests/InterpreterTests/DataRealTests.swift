// DataRealTests.swift — the data built-ins on the real data sets (SEQ_DATA, else ../shared/data
// beside the repository). A missing data folder fails these tests; it never skips them.

import Foundation
@testable import Interpreter
import SeqLang
import Tensor
import XCTest

final class DataRealTests: XCTestCase {
    private func host() throws -> DataTestHost {
        DataTestHost(folder: DataFolder(explicitFolder: try DataTestHost.sharedData()))
    }

    func testAesopTokensAndVocabulary() throws {
        let h = try host()
        let text = try h.call("read_text", try h.call("data_path", .string("aesop/belling_the_cat.txt")))
        let tokens = try h.call("tokens", text)
        XCTAssertEqual(tokens.strings?.count, 204)
        XCTAssertEqual(try h.call("words", text).strings, tokens.strings, "the file is already tokenized")
        // Closed, as examples/aesop.seq asks: the fable's own 112 symbols, most frequent first.
        let vocab = try XCTUnwrap(try h.call("vocabulary", tokens, .string("closed")).vocabulary)
        XCTAssertEqual(vocab.size, 112)
        XCTAssertEqual(vocab.id(of: ","), 0)
        XCTAssertEqual(vocab.id(of: "the"), 1)
        let open = try XCTUnwrap(try h.call("vocabulary", tokens).vocabulary)
        XCTAssertEqual(open.size, 114, "by default <pad> and <unk> come first")
        XCTAssertEqual(open.id(of: ","), 2)
        let ids = try h.call("encode", .object(vocab), tokens)
        XCTAssertEqual(try h.call("decode", .object(vocab), ids).strings, tokens.strings)
        let windows = try XCTUnwrap(try h.call("windows", ids, .int(3)).dataset)
        XCTAssertEqual(windows.count, 201)
    }

    func testPTBTrainWordsAndVocabulary() throws {
        let h = try host()
        let text = try h.call("read_text", try h.call("data_path", .string("ptb/ptb.train.txt")))
        let words = try h.call("tokens", text, .string("<eos>"))
        XCTAssertEqual(words.listValue?.count, 929_589)
        let vocab = try XCTUnwrap(try h.call("vocabulary", words, .int(10_000)).vocabulary)
        XCTAssertEqual(vocab.size, 10_000)
        XCTAssertNotNil(vocab.id(of: "<eos>"))
        XCTAssertNotNil(vocab.id(of: "<unk>"))
        let ids = try h.call("encode", .object(vocab), words)
        let ds = try XCTUnwrap(try h.call("lm_batches", ids, .int(20), .int(20), .object(vocab)).dataset)
        // TensorFlow PTB: batch_len = 929589 // 20 = 46479, epoch_size = 46478 // 20 = 2323.
        XCTAssertEqual(ds.streams, StreamLayout(streams: 20, steps: 20, streamLength: 46_479, batchesPerEpoch: 2_323))
        XCTAssertEqual(ds.vocabulary?.size, 10_000)
    }

    func testMNISTTestSet() throws {
        let h = try host()
        let images = try h.call("read_idx", try h.call("data_path", .string("mnist/t10k-images-idx3-ubyte.gz")))
        let labels = try h.call("read_idx", try h.call("data_path", .string("mnist/t10k-labels-idx1-ubyte.gz")))
        guard case .tensor(let t) = images else { return XCTFail("images are not a tensor") }
        XCTAssertEqual(t.sizes, [10_000, 28, 28])
        XCTAssertEqual(t.scalars.min(), 0)
        XCTAssertEqual(t.scalars.max(), 1)
        XCTAssertEqual(labels.ints?.count, 10_000)
        XCTAssertEqual(labels.ints?.first, 7)
        XCTAssertEqual(labels.ints?.filter { $0 == 7 }.count, 1_028)
        let ds = try XCTUnwrap(try h.call("mnist", images, labels).dataset)
        XCTAssertEqual(ds.shape.description, "[sample 10000, time 28, feature 28]")
    }

    func testRTPolarityLines() throws {
        let h = try host()
        let r = try h.call("read_labelled",
                           .list([try h.call("data_path", .string("rt-polarity/rt-polarity.pos")),
                                  try h.call("data_path", .string("rt-polarity/rt-polarity.neg"))]),
                           .list([.string("pos"), .string("neg")]))
        let labels = try XCTUnwrap(r.field("label")?.strings)
        XCTAssertEqual(labels.filter { $0 == "pos" }.count, 5_331)
        XCTAssertEqual(labels.filter { $0 == "neg" }.count, 5_331)
        XCTAssertEqual(r.field("text")?.listValue?.count, 10_662)
    }

    func testOriginalRTPolarityIsNotUTF8() throws {
        let h = try host()
        let path = try h.call("data_path", .string("rt-polarity/original-cp1252/rt-polarity.pos"))
        let d = h.error("read_text", path)
        XCTAssertEqual(d?.kind, .io)
        XCTAssertTrue(d?.message.hasPrefix("'\(path)' is not valid UTF-8: byte 0x") ?? false, d?.message ?? "")
    }
}
