// swift-tools-version:6.1
// Benchmarks live in their own package so that benchmark-only code never slows the main build.
// Run from this directory: swift package --disable-sandbox benchmark (latency, allocations,
// memory), swift run -c release BatchThroughput (batch throughput on both cores) and
// swift run -c release ServedListRecording (the served-list encoding and digest) and
// swift run -c release TopK (the engine's bounded heap against swift-collections' Heap) and
// swift run -c release RankingCost (what the learned ranker costs a request).
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, whatever the clone is called.
let main = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "MatchworkBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "MatchworkCore", package: main),
                .product(name: "MatchworkSynth", package: main),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // Outside Benchmarks/, so that the benchmark plugin does not take it for one of its own.
        .executableTarget(
            name: "BatchThroughput",
            dependencies: [
                .product(name: "MatchworkCore", package: main),
                .product(name: "MatchworkSynth", package: main),
            ],
            path: "Throughput/BatchThroughput"),
        .executableTarget(
            name: "ServedListRecording",
            dependencies: [
                .product(name: "MatchworkCore", package: main),
                .product(name: "MatchworkStore", package: main),
            ],
            path: "Throughput/ServedListRecording"),
        // What the learned ranker costs a request of a job's bidders, against the ensemble.
        .executableTarget(
            name: "RankingCost",
            dependencies: [
                .product(name: "MatchworkCore", package: main),
                .product(name: "MatchworkSynth", package: main),
            ],
            path: "Throughput/RankingCost"),
        // The engine's bounded heap (linked from MatchworkCore) against swift-collections' Heap.
        .executableTarget(
            name: "TopK",
            dependencies: [.product(name: "HeapModule", package: "swift-collections")],
            path: "Throughput/TopK"),
    ])
