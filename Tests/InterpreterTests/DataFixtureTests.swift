// DataFixtureTests.swift — every data built-in on the small files in Fixtures/, including
// malformed ones, with the exact error text each gives.

import Foundation
@testable import Interpreter
import SeqLang
import Tensor
import XCTest

final class DataFixtureTests: XCTestCase {
    let host = DataTestHost()
    var fx: String { DataTestHost.fixtures }

    // MARK: finding and reading files

    func testDataPathSearchesTheExplicitFolderFirst() throws {
        let path = try host.call("data_path", .string("tiny.txt"))
        XCTAssertEqual(path.description, fx + "/tiny.txt")
        XCTAssertEqual(host.authorized, [fx + "/tiny.txt"])
    }

    func testDataPathFallsBackToSeqDataThenTheCache() throws {
        let folder = DataFolder(explicitFolder: nil, environment: ["SEQ_DATA": fx, "HOME": "/nowhere"])
        XCTAssertEqual(try DataTestHost(folder: folder).call("data_path", .string("tiny.txt")).description, fx + "/tiny.txt")
        let cacheOnly = DataFolder(environment: ["HOME": "/nowhere"])
        XCTAssertEqual(cacheOnly.searchFolders.map(\.folder), ["/nowhere/.cache/seqlang/datasets"])
    }

    func testMissingDataSetNamesEveryPlaceAndHowToGetIt() throws {
        let folder = DataFolder(explicitFolder: "/data/a", environment: ["SEQ_DATA": "/data/b", "HOME": "/home/u"])
        let d = DataTestHost(folder: folder).error("data_path", .string("ptb/ptb.train.txt"))
        XCTAssertEqual(d?.kind, .io)
        XCTAssertEqual(d?.range.description, "test.seq:3:7")
        XCTAssertEqual(d?.message,
                       "data-set file 'ptb/ptb.train.txt' was not found; looked in: "
                       + "/data/a/ptb/ptb.train.txt (the data folder set by the host (--data)); "
                       + "/data/b/ptb/ptb.train.txt (SEQ_DATA); "
                       + "/home/u/.cache/seqlang/datasets/ptb/ptb.train.txt (the download cache)")
        XCTAssertEqual(d?.hint, "set SEQ_DATA to the folder holding the data sets, pass --data DIR to seqsh, or download it with 'seqsh fetch ptb'")
    }

    func testReadTextAndLines() throws {
        XCTAssertEqual(try host.call("read_text", DataTestHost.fixture("tiny.txt")).description,
                       "The cat sat, then slept.\nThe dog can't sit!\n")
        XCTAssertEqual(try host.call("read_lines", DataTestHost.fixture("tiny.txt")).strings,
                       ["The cat sat, then slept.", "The dog can't sit!"])
    }

    func testEveryReadGoesThroughTheHostPolicy() throws {
        host.denied = [fx + "/tiny.txt"]
        XCTAssertEqual(host.error("read_text", DataTestHost.fixture("tiny.txt"))?.message,
                       "reading '\(fx)/tiny.txt' is not allowed")
        host.denied = [fx + "/tiny-labels.idx"]
        XCTAssertEqual(host.error("read_idx", DataTestHost.fixture("tiny-labels.idx"))?.message,
                       "reading '\(fx)/tiny-labels.idx' is not allowed")
    }

    func testMissingFileIsAnIOError() throws {
        let d = host.error("read_text", .string("no/such.txt"))
        XCTAssertEqual(d?.kind, .io)
        XCTAssertEqual(d?.message, "cannot read 'no/such.txt': no such file")
        XCTAssertEqual(d?.hint, "paths are relative to the current folder; for a data set use data_path(\"no/such.txt\"), which searches the data folder")
    }

    func testNonUTF8TextNamesTheByteOffset() throws {
        let d = host.error("read_text", DataTestHost.fixture("latin1.txt"))
        XCTAssertEqual(d?.kind, .io)
        XCTAssertEqual(d?.message,
                       "'\(fx)/latin1.txt' is not valid UTF-8: byte 0xE9 at byte offset 13 (line 2) does not start or continue a UTF-8 character")
    }

    func testWrongArgumentsAreTypeErrors() throws {
        XCTAssertEqual(host.error("read_text", .int(3))?.message,
                       "read_text expects a file path (a string) as argument 1 but got int")
        XCTAssertEqual(host.error("words")?.message, "words takes 1 to 2 arguments but got 0")
        XCTAssertEqual(host.error("words")?.hint, "call it as words(text, [newline symbol])")
    }

    // MARK: symbols and vocabularies

    func testWordsSplitsPunctuationAndTokensDoesNot() throws {
        let text = Value.string("The cat sat, then slept.\nThe dog can't sit! <unk> u.s. 30-year\n")
        XCTAssertEqual(try host.call("words", text).strings,
                       ["The", "cat", "sat", ",", "then", "slept", ".", "The", "dog", "can't", "sit", "!",
                        "<unk>", "u.s", ".", "30-year"])
        XCTAssertEqual(try host.call("tokens", text, .string("<eos>")).strings,
                       ["The", "cat", "sat,", "then", "slept.", "<eos>", "The", "dog", "can't", "sit!",
                        "<unk>", "u.s.", "30-year", "<eos>"])
        XCTAssertEqual(try host.call("chars", .string("ab\n")).strings, ["a", "b", "\n"])
        let perLine = try host.call("tokens", .list([.string("a b"), .string("c")]))
        XCTAssertEqual(perLine.listValue?.map { $0.strings ?? [] }, [["a", "b"], ["c"]])
    }

    func testVocabularyOrdersByFrequencyThenFirstAppearance() throws {
        let symbols = Value.list(["b", "a", "c", "a", "b", "d", "a"].map { .string($0) })
        let vocab = try XCTUnwrap(try host.call("vocabulary", symbols, .string("closed")).vocabulary)
        XCTAssertEqual(vocab.symbols, ["a", "b", "c", "d"])
        XCTAssertNil(vocab.unknownID)
        XCTAssertEqual(vocab.member("size")?.description, "4")

        // Closed and capped at 3: a, b kept; c and d (2 occurrences) become <unk>, ranked with b (2) but after it.
        let capped = try XCTUnwrap(try host.call("vocabulary", symbols, .int(3), .string("closed")).vocabulary)
        XCTAssertEqual(capped.symbols, ["a", "b", "<unk>"])
        XCTAssertEqual(try host.call("encode", .object(capped), .list([.string("d"), .string("a")])).ints, [2, 0])
        XCTAssertEqual(try host.call("decode", .object(capped), .list([.int(1), .int(2)])).strings, ["b", "<unk>"])

        // Open (the default): <pad> = 0 and <unk> = 1 first, the cap counting them.
        let open = try XCTUnwrap(try host.call("vocabulary", symbols).vocabulary)
        XCTAssertEqual(open.symbols, ["<pad>", "<unk>", "a", "b", "c", "d"])
        XCTAssertEqual(open.paddingID, 0)
        XCTAssertEqual(open.unknownID, 1)
        let openCapped = try XCTUnwrap(try host.call("vocabulary", symbols, .int(4)).vocabulary)
        XCTAssertEqual(openCapped.symbols, ["<pad>", "<unk>", "a", "b"])
        XCTAssertEqual(try host.call("encode", .object(openCapped), .list([.string("d"), .string("a")])).ints, [1, 2])
    }

    func testEncodeAndDecodeErrors() throws {
        let vocab = try host.call("vocabulary", .list([.string("x")]), .string("closed"))
        XCTAssertEqual(host.error("encode", vocab, .list([.string("x"), .string("y")]))?.message,
                       "encode: symbol \"y\" (item 2) is not in the vocabulary of 1 symbols, which has no <unk>")
        XCTAssertEqual(host.error("decode", vocab, .list([.int(0), .int(5)]))?.message,
                       "decode: id 5 (item 2) is outside the vocabulary, whose ids are 0 to 0")
        XCTAssertEqual(host.error("encode", .int(1), .list([]))?.message,
                       "encode expects a vocabulary (a vocabulary) as argument 1 but got int")
    }

    // MARK: datasets from ids

    func testWindowsOfIds() throws {
        let ds = try XCTUnwrap(try host.call("windows", .list((0..<5).map { .int($0) }), .int(3)).dataset)
        XCTAssertEqual(ds.count, 2)
        XCTAssertEqual(ds.shape.description, "[sample 2, time 3]")
        guard case .tokens(let x) = ds.inputs, case .classes(let y)? = ds.targets else { return XCTFail("kinds") }
        XCTAssertEqual(x.ids, [0, 1, 2, 1, 2, 3])
        XCTAssertEqual(y, [3, 4])
        XCTAssertEqual(host.error("windows", .list([.int(1), .int(2)]), .int(2))?.message,
                       "windows: 2 ids make no window of 2 ids and a next one; need at least 3")
    }

    func testLMBatchesFollowTheTensorFlowPTBProducer() throws {
        // 22 ids, 2 streams: batch_len 11, epoch_size (11 - 1) / 3 = 3.
        let ids = Value.list((0..<22).map { .int($0) })
        let ds = try XCTUnwrap(try host.call("lm_batches", ids, .int(2), .int(3)).dataset)
        XCTAssertTrue(ds.isContiguousStreams)
        XCTAssertEqual(ds.streams, StreamLayout(streams: 2, steps: 3, streamLength: 11, batchesPerEpoch: 3))
        XCTAssertEqual(ds.count, 6)
        let second = ds.streamBatch(1)
        guard case .tokens(let x) = second.inputs, case .tokens(let y)? = second.targets else { return XCTFail("kinds") }
        XCTAssertEqual(x.ids, [3, 4, 5, 14, 15, 16])   // data[:, 3:6] of [[0..10], [11..21]]
        XCTAssertEqual(y.ids, [4, 5, 6, 15, 16, 17])
        XCTAssertEqual(ds.member("contiguous")?.description, "true")
        XCTAssertEqual(host.error("lm_batches", ids, .int(4), .int(5))?.message,
                       "lm_batches: 22 ids in 4 streams of 5 ids give no batch of 5 steps (each stream needs at least 6 ids)")
        XCTAssertEqual(host.error("shuffle", .object(ds), .int(1))?.message,
                       "shuffle: the dataset is 2 contiguous streams from lm_batches, which reordering would break")
    }

    func testSequencesPadAndTruncate() throws {
        let samples = Value.list([[1, 2, 3, 4], [5], [6, 7]].map { .list($0.map { .int($0) }) })
        let labels = Value.list(["pos", "neg", "pos"].map { .string($0) })
        let first = try XCTUnwrap(try host.call("sequences", samples, labels, .int(3)).dataset)
        guard case .tokens(let x) = first.inputs, case .classes(let y)? = first.targets else { return XCTFail("kinds") }
        XCTAssertEqual(x.ids, [1, 2, 3, 5, 0, 0, 6, 7, 0])
        XCTAssertEqual(first.lengths, [3, 1, 2])
        XCTAssertEqual(y, [1, 0, 1])
        XCTAssertEqual(first.classes, ["neg", "pos"])
        let last = try XCTUnwrap(try host.call("sequences", samples, labels, .int(3), .string("last")).dataset)
        guard case .tokens(let x2) = last.inputs else { return XCTFail("kinds") }
        XCTAssertEqual(x2.ids, [2, 3, 4, 5, 0, 0, 6, 7, 0])
        XCTAssertEqual(host.error("sequences", samples, labels, .int(3), .string("middle"))?.message,
                       "sequences: argument 4 is \"first\" (the default: a long sample's first symbols are kept) or \"last\" (its last symbols), not \"middle\"")
        XCTAssertEqual(host.error("sequences", samples, .list([.int(1)]), .int(3))?.message,
                       "sequences: expected one label per sample, but there are 3 samples and 1 labels")
    }

    func testSplitAndShuffleAreDeterministic() throws {
        let items = Value.list((0..<10).map { .int($0) })
        let a = try host.call("split", items, .list([.number(0.8), .number(0.1), .number(0.1)]), .int(42))
        let b = try host.call("split", items, .list([.number(0.8), .number(0.1), .number(0.1)]), .int(42))
        XCTAssertEqual(a.description, b.description)
        let parts = ["train", "val", "test"].map { a.field($0)?.ints ?? [] }
        XCTAssertEqual(parts.map(\.count), [8, 1, 1])
        XCTAssertEqual(Set(parts.joined()), Set(0..<10))
        XCTAssertNotEqual(parts[0], Array(0..<8))
        let ordered = try host.call("split", items, .list([.number(0.5), .number(0.5)]))
        XCTAssertEqual(ordered.field("train")?.ints, [0, 1, 2, 3, 4])
        XCTAssertEqual(ordered.field("test")?.ints, [5, 6, 7, 8, 9])
        let s1 = try host.call("shuffle", items, .int(7)).ints ?? []
        XCTAssertEqual(s1, try host.call("shuffle", items, .int(7)).ints)
        XCTAssertEqual(s1.sorted(), Array(0..<10))
        XCTAssertNotEqual(s1, try host.call("shuffle", items, .int(8)).ints)
        XCTAssertEqual(host.error("split", items, .list([.number(0.5), .number(0.3)]))?.message,
                       "split: the fractions must add up to 1 but [0.5, 0.3] adds up to 0.8")
    }

    func testSplitKeepsDatasetRowsTogether() throws {
        let ds = try host.call("windows", .list((0..<12).map { .int($0) }), .int(2))
        let parts = try host.call("split", ds, .list([.number(0.5), .number(0.5)]), .int(3))
        let train = try XCTUnwrap(parts.field("train")?.dataset)
        XCTAssertEqual(train.count, 5)
        guard case .tokens(let x) = train.inputs, case .classes(let y)? = train.targets else { return XCTFail("kinds") }
        for r in 0..<train.count { XCTAssertEqual([x.ids[2 * r] + 1, x.ids[2 * r] + 2], [x.ids[2 * r + 1], y[r]]) }
    }

    // MARK: idx files

    func testReadIdxPlainAndGzipGiveTheSameScaledImages() throws {
        let plain = try host.call("read_idx", DataTestHost.fixture("tiny-images.idx"))
        let gz = try host.call("read_idx", DataTestHost.fixture("tiny-images.idx.gz"))
        guard case .tensor(let a) = plain, case .tensor(let b) = gz else { return XCTFail("not tensors") }
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.sizes, [2, 2, 3])
        XCTAssertEqual(a.scalars[0..<6].map { $0 }, [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(try host.call("read_idx", DataTestHost.fixture("tiny-labels.idx")).ints, [7, 2])
        let ds = try XCTUnwrap(try host.call("mnist", plain, .list([.int(7), .int(2)])).dataset)
        XCTAssertEqual(ds.shape.description, "[sample 2, time 2, feature 3]")
        XCTAssertEqual(ds.targetShape?.description, "[sample 2]")
    }

    func testTruncatedIdx() throws {
        XCTAssertEqual(host.error("read_idx", DataTestHost.fixture("truncated.idx"))?.message,
                       "'\(fx)/truncated.idx' is not a valid idx file: dimensions 2x2x3 of unsigned bytes need 28 bytes but the file ends at byte offset 21")
    }

    func testBadMagicIdx() throws {
        let d = host.error("read_idx", DataTestHost.fixture("bad-magic.idx"))
        XCTAssertEqual(d?.kind, .io)
        XCTAssertEqual(d?.message,
                       "'\(fx)/bad-magic.idx' is not a valid idx file: bad magic number at byte offset 0: expected 0x00 0x00 but found 0x12 0x34")
    }

    func testTruncatedGzip() throws {
        XCTAssertEqual(host.error("read_idx", DataTestHost.fixture("truncated.idx.gz"))?.message,
                       "'\(fx)/truncated.idx.gz' is a truncated gzip file: the compressed data ends at byte offset 164 after 151 uncompressed bytes")
    }

    // MARK: tables and labelled text

    func testReadCSVColumnsAsASeries() throws {
        guard case .tensor(let t) = try host.call("read_csv", DataTestHost.fixture("series.csv"),
                                                  .list([.string("price"), .int(2)])) else { return XCTFail("not a tensor") }
        XCTAssertEqual(t.sizes, [4, 2])
        XCTAssertEqual(t.scalars, [10.5, 100, 11, 120, 10.75, 90, 12, 130])
        let ds = try XCTUnwrap(try host.call("windows", .tensor(t), .int(2)).dataset)
        XCTAssertEqual(ds.shape.description, "[sample 2, time 2, feature 2]")
        XCTAssertEqual(ds.targetShape?.description, "[sample 2, value 2]")
        XCTAssertEqual(host.error("read_csv", DataTestHost.fixture("series.csv"), .list([.string("cost")]))?.message,
                       "read_csv: '\(fx)/series.csv' has no column 'cost'; its columns are 'time', 'price', 'volume'")
    }

    func testCSVBadNumberNamesFileAndLine() throws {
        let d = host.error("read_csv", DataTestHost.fixture("bad-number.csv"))
        XCTAssertEqual(d?.kind, .io)
        XCTAssertEqual(d?.message, "\(fx)/bad-number.csv:3: expected a number in column 'volume' but found 'abc'")
    }

    func testReadLabelledFromOneFilePerClass() throws {
        let r = try host.call("read_labelled", .list([DataTestHost.fixture("reviews.pos"), DataTestHost.fixture("reviews.neg")]),
                              .list([.string("pos"), .string("neg")]))
        XCTAssertEqual(r.field("text")?.strings, ["a fine , moving film .", "wonderful !", "dull and slow .", "not worth it .", "awful"])
        XCTAssertEqual(r.field("label")?.strings, ["pos", "pos", "neg", "neg", "neg"])
    }

    func testReadLabelledFromALabelColumn() throws {
        let r = try host.call("read_labelled", DataTestHost.fixture("reviews.tsv"), .string("label"))
        XCTAssertEqual(r.field("text")?.strings, ["a fine film", "dull , slow", "quoted \"best\" film"])
        XCTAssertEqual(r.field("label")?.strings, ["pos", "neg", "pos"])
    }

    func testTextToPaddedClassificationData() throws {
        let r = try host.call("read_labelled", DataTestHost.fixture("reviews.tsv"), .string("label"))
        let words = try host.call("words", r.field("text")!)
        let vocab = try host.call("vocabulary", words, .int(4))
        let ids = try host.call("encode", vocab, words)
        let ds = try XCTUnwrap(try host.call("sequences", ids, r.field("label")!, .int(3), vocab).dataset)
        XCTAssertEqual(ds.count, 3)
        XCTAssertEqual(ds.lengths, [3, 3, 3])
        XCTAssertEqual(ds.vocabulary?.size, 4)
        XCTAssertEqual(ds.member("classes")?.strings, ["neg", "pos"])
        XCTAssertEqual(ds.batch([2, 0]).count, 2)
    }
}
