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
        .library(name: "MatchworkServer", targets: ["MatchworkServer"]),
        .executable(name: "matchwork", targets: ["matchwork"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        // Heap, for the engine's top-k cuts and neighbour searches (already resolved through
        // Hummingbird).
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // The HTTP service: Hummingbird 2 without its swift-configuration trait (we read our own
        // configuration), hummingbird-auth for API-key authentication, swift-log, and
        // swift-metrics exported by swift-prometheus.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Already in the graph through Hummingbird; named for NIOHTTPTypes (the connection guard).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // SHA-256 of API keys, model artifacts and served lists (already resolved through
        // hummingbird-auth): BoringSSL's assembly on Linux, CryptoKit on Apple platforms.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // The dashboard's server-rendered HTML.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // Dense linear algebra: OpenBLAS on Linux (Debian libopenblas-dev, installed by
        // scripts/install-system-deps.sh); Accelerate on macOS.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        // Gradient-boosted trees: XGBoost's C API (Debian libxgboost-dev, installed by
        // scripts/install-system-deps.sh; Homebrew xgboost on macOS).
        .systemLibrary(name: "CXGBoost", path: "Sources/CXGBoost", providers: [.apt(["libxgboost-dev"]), .brew(["xgboost"])]),
        .target(
            name: "MatchworkCore",
            dependencies: [
                .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "HeapModule", package: "swift-collections"),
                .target(name: "COpenBLAS", condition: .when(platforms: [.linux])),
                "CXGBoost",
            ],
            swiftSettings: strictSettings,
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS]))]),
        .target(
            name: "MatchworkStore",
            dependencies: [
                "MatchworkCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings),
        .target(
            name: "MatchworkSynth",
            dependencies: ["MatchworkCore", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: strictSettings),
        // The operators' dashboard: its templates (resources), page models and SVG charts, kept
        // out of the API's target; the service mounts it at /dashboard.
        .target(
            name: "MatchworkDashboard",
            dependencies: ["MatchworkCore", "MatchworkStore", .product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Templates")],
            swiftSettings: strictSettings),
        .target(
            name: "MatchworkServer",
            dependencies: [
                "MatchworkCore", "MatchworkStore", "MatchworkDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The API's OpenAPI document, read once at start (see OpenAPIDocument).
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "matchwork",
            dependencies: [
                "MatchworkCore", "MatchworkStore", "MatchworkSynth", "MatchworkServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings),
        // Golden files are read by path from the source tree, not bundled.
        .testTarget(name: "MatchworkCoreTests", dependencies: ["MatchworkCore"], exclude: ["Golden"], swiftSettings: strictSettings),
        .testTarget(
            name: "MatchworkStoreTests",
            dependencies: ["MatchworkStore", "MatchworkSynth", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings),
        .testTarget(name: "MatchworkSynthTests", dependencies: ["MatchworkSynth"], swiftSettings: strictSettings),
        .testTarget(
            name: "MatchworkServerTests",
            dependencies: [
                "MatchworkServer", "MatchworkStore", "MatchworkSynth",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MatchworkCLITests", dependencies: ["MatchworkStore", "matchwork"], exclude: ["Golden"],
            swiftSettings: strictSettings),
    ]
)
