// swift-tools-version:6.1
// Benchmarks live in their own package so that benchmark-only code never slows the main build.
// Run from this directory: swift run -c release EngineBenchmarks
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, whatever the clone is called.
let main = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "MatchworkBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "MatchworkCore", package: main),
                .product(name: "MatchworkSynth", package: main),
            ],
            path: "EngineBenchmarks"),
    ])
