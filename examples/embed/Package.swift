// swift-tools-version:6.0
// An app that embeds SeqLang: it depends on the SeqLang package by path.
import PackageDescription

let package = Package(
    name: "EmbedDemo",
    dependencies: [.package(name: "SeqLang", path: "../..")],
    targets: [
        .executableTarget(
            name: "EmbedDemo",
            dependencies: [.product(name: "SeqLang", package: "SeqLang")]),
    ]
)
