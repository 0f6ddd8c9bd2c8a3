// swift-tools-version:6.0
// How soon every long operation stops after its time limit and after cancel(), measured in a
// release build through the public embedding API alone (scripts/stop-latency.sh runs it).
import PackageDescription

let package = Package(
    name: "StopLatency",
    dependencies: [.package(name: "SeqLang", path: "../..")],
    targets: [
        .executableTarget(
            name: "StopLatency",
            dependencies: [.product(name: "SeqLang", package: "SeqLang")],
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
