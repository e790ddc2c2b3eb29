// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Matchwork",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MatchworkCore", targets: ["MatchworkCore"]),
        .library(name: "MatchworkStore", targets: ["MatchworkStore"]),
        .library(name: "MatchworkSynth", targets: ["MatchworkSynth"]),
        .executable(name: "matchwork", targets: ["matchwork"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // Dense linear algebra: OpenBLAS on Linux (Debian libopenblas-dev, installed by
        // scripts/install-system-deps.sh); Accelerate on macOS.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "MatchworkCore",
            dependencies: [
                .product(name: "RealModule", package: "swift-numerics"),
                .target(name: "COpenBLAS", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: strictSettings,
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS]))]),
        .target(
            name: "MatchworkStore",
            dependencies: [
                "MatchworkCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings),
        .target(
            name: "MatchworkSynth",
            dependencies: ["MatchworkCore", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "matchwork",
            dependencies: [
                "MatchworkCore", "MatchworkStore", "MatchworkSynth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings),
        .testTarget(name: "MatchworkCoreTests", dependencies: ["MatchworkCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "MatchworkStoreTests",
            dependencies: ["MatchworkStore", "MatchworkSynth", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings),
        .testTarget(name: "MatchworkSynthTests", dependencies: ["MatchworkSynth"], swiftSettings: strictSettings),
        .testTarget(
            name: "MatchworkCLITests", dependencies: ["MatchworkStore", "matchwork"],
            swiftSettings: strictSettings),
    ]
)
