// swift-tools-version:6.0
// SeqLang: an embedded scripting language for sequence models, on a native LSTM core.
import PackageDescription

let package = Package(
    name: "SeqLang",
    products: [
        // What an app embeds: `import Interpreter` (the public API lives in Interpreter/Embedding.swift).
        // Only Interpreter's Embedding.swift and the value types it hands out are public there
        // (docs/embedding.md); the other modules' shared declarations are `package`.
        .library(name: "SeqLang", targets: ["Interpreter", "SeqLang", "Tensor"]),
        // The downloader of known data sets behind `seqsh fetch` (docs/fetch.md), apart so that
        // the embeddable library links no URLSession or FoundationNetworking.
        .library(name: "SeqFetch", targets: ["SeqFetch"]),
        .executable(name: "seqsh", targets: ["seqsh"]),
        .executable(name: "seqbench", targets: ["seqbench"]),
        // Data-parallel training under `mpirun`: a plug-in the interpreter opens with dlopen
        // only when MPI started the process, so nothing else links MPI (docs/distributed.md).
        .library(name: "SeqMPI", type: .dynamic, targets: ["SeqMPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, libreadline-dev, zlib1g-dev, libhdf5-dev, libzip-dev).
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CReadline", path: "Sources/CReadline",
            providers: [.apt(["libreadline-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]),
        // Debian installs HDF5 under hdf5/serial and names its pkg-config file hdf5-serial
        // (hdf5.pc is only an alternatives link to it).
        .systemLibrary(
            name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"])]),
        // libzip reads the `.keras` archive from memory. (ZIPFoundation is not used: on Linux
        // it brings a module of its own named CZlib, which clashes with ours.)
        .systemLibrary(
            name: "CZip", path: "Sources/CZip", pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"])]),

        // Open MPI (Debian: libopenmpi-dev), used by the SeqMPI plug-in alone.
        .systemLibrary(
            name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "SeqMPI", dependencies: ["CMPI"]),

        // The hot element-wise and matrix-vector loops in plain C (vector square roots, AVX2
        // copies chosen at run time), each beside its reference loop.
        .target(name: "CKernels"),
        // The Linux calls Glibc does not wrap: openat2, O_TMPFILE, the stack address.
        .target(name: "CSystem"),
        // The numeric core: tensors, BLAS, layers with backward passes, optimizers, weight files.
        // Swift 5 mode: the kernels share raw buffers across BLAS threads, which strict
        // concurrency checking cannot express without noise.
        .target(
            name: "Tensor", dependencies: ["COpenBLAS", "CKernels", "CSystem"],
            swiftSettings: [.swiftLanguageMode(.v5)]),
        // The language front end: lexer, parser, AST, diagnostics.
        .target(name: "SeqLang"),
        // The ONNX model format's messages, generated from the official onnx.proto of the pip package onnx (generate.sh) and
        // committed, so a build needs only the SwiftProtobuf runtime.
        .target(
            name: "ONNXFormat",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["generate.sh"]),
        // The tree-walking interpreter, model builder, training, and the embedding API.
        .target(name: "Interpreter", dependencies: ["SeqLang", "Tensor", "CZlib", "CSystem", "CHDF5", "CZip", "ONNXFormat"]),
        // Downloads known data sets into the data cache, checked by swift-crypto's SHA-256.
        .target(
            name: "SeqFetch",
            dependencies: ["Interpreter", "SeqLang", .product(name: "Crypto", package: "swift-crypto")]),
        // The REPL and script runner.
        .executableTarget(
            name: "seqsh",
            dependencies: [
                "Interpreter", "SeqLang", "SeqFetch", "CReadline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // The libFuzzer target of the front end and checker: scripts/fuzz.sh builds it with
        // --sanitize=fuzzer --sanitize=address -DFUZZING; a plain build makes a replay tool.
        .executableTarget(name: "seqfuzz", dependencies: ["Interpreter", "SeqLang"],
                          path: "Tests/Fuzz", exclude: ["Regressions"]),
        // Release-mode benchmark of the five reference configurations.
        .executableTarget(name: "seqbench", dependencies: ["Tensor"],
                          swiftSettings: [.swiftLanguageMode(.v5)]),

        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CKernels"], exclude: ["Reference"],
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "SeqLangTests", dependencies: ["SeqLang"]),
        .testTarget(name: "InterpreterTests", dependencies: ["Interpreter", "SeqLang", "Tensor", "ONNXFormat", "SeqFetch"],
                    exclude: ["Fixtures", "Reference"]),
        .testTarget(name: "seqshTests", dependencies: ["seqsh"]),
    ]
)
