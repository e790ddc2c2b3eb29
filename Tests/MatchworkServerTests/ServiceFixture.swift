import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MatchworkCore
import MatchworkServer
import MatchworkStore
import MatchworkSynth
import Metrics
import Prometheus
import Synchronization
import Testing

/// The process's metrics registry: swift-metrics is bootstrapped once per process.
let sharedMetrics: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    return registry
}()

/// A service over a fresh store holding a small cleaning marketplace, with one key per role.
struct ServiceFixture {
    let directory: String
    let store: SQLiteStore
    let service: MatchworkService
    let read: String
    let write: String
    let admin: String
    let marketplace: Marketplace
    /// Removes the directory when the last copy of the fixture is released, after the test's
    /// own reads of the store.
    let cleanup: Cleanup

    /// Closes the fixture's services (their scoring and training threads) and then removes the
    /// directory, when the last copy of the fixture is released.
    final class Cleanup: Sendable {
        let directory: String
        private let services = Mutex<[MatchworkService]>([])
        init(_ directory: String) { self.directory = directory }

        /// Closes `service` with the fixture (a restart's service, beside the first).
        func adopt(_ service: MatchworkService) { services.withLock { $0.append(service) } }

        deinit {
            let services = services.withLock { $0 }
            let directory = directory
            Task.detached {
                for service in services { await service.close() }
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
    }

    /// A service over the tiny cleaning marketplace, or the small one (`small`: for tests that
    /// need many subjects with non-empty lists; the tiny one has four open jobs).
    /// `metrics`: a registry of the test's own, for a test that reads the service's counts (the
    /// shared one also holds Hummingbird's request metrics, and every other service's counts).
    static func make(
        small: Bool = false, learning: Bool = false, logger serviceLogger: Logger? = nil, metrics: PrometheusCollectorRegistry = sharedMetrics,
        configure: (inout ServerConfiguration) -> Void = { _ in }, keeping keep: (Interaction) -> Bool = { _ in true }
    ) async throws -> ServiceFixture {
        let directory = NSTemporaryDirectory() + "matchwork-service-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory + "/store.sqlite")
        let marketplace = try learning ? learningMarketplaceResult.get() : small ? smallMarketplaceResult.get() : Self.marketplace
        try await store.setScenario(learning ? .learning : .cleaning)
        _ = try await store.write(
            RecordBatch(people: marketplace.people, opportunities: marketplace.opportunities, interactions: marketplace.interactions.filter(keep)), progress: nil)
        var configuration = ServerConfiguration()
        configuration.storePath = directory + "/store.sqlite"
        configuration.scoringThreads = 2
        configuration.refreshInterval = 0.05
        // Tests that write and read expect their writes (a loaded CI machine can take seconds to
        // rebuild); FreshnessTests sets its own.
        configuration.freshWait = 3600
        configure(&configuration)
        var logger = serviceLogger ?? Logger(label: "test")
        if serviceLogger == nil { logger.logLevel = .critical }
        let service = try await MatchworkService.open(
            configuration: configuration, store: store, registry: ModelRegistry(directory: directory + "/models"), metrics: metrics, logger: logger)
        let read = try await MatchworkService.createKey(store: store, role: .read, name: "reader", rateLimit: nil).secret
        let write = try await MatchworkService.createKey(store: store, role: .write, name: "writer", rateLimit: nil).secret
        let admin = try await MatchworkService.createKey(store: store, role: .admin, name: "admin", rateLimit: nil).secret
        let cleanup = Cleanup(directory)
        cleanup.adopt(service)
        return ServiceFixture(directory: directory, store: store, service: service, read: read, write: write, admin: admin, marketplace: marketplace, cleanup: cleanup)
    }

    static let marketplaceResult = Result { try CleaningMarketplace(seed: 7, size: .tiny).generate() }
    static var marketplace: Marketplace { get throws { try marketplaceResult.get() } }
    static let smallMarketplaceResult = Result { try CleaningMarketplace(seed: 7, size: .small).generate() }
    /// The tiny learning marketplace (real O*NET occupations; postings asking for skills).
    static let learningMarketplaceResult = Result {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try MarketplaceGenerator.generate(.learning, seed: 5, size: .tiny, onetDirectory: root.appendingPathComponent("shared/data/onet").path)
    }

    /// Runs `body` against the router; requests log through `logger` when one is given.
    func test(logger: Logger? = nil, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        // Without a logger of the test's own, the application's is silent: every request would
        // otherwise print its access line between the test results.
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let app = Application(router: service.routes(), logger: logger ?? quiet)
        try await app.test(.router, body)
    }

    /// Runs `body` against the service listening on a free local port (for a browser).
    func live(_ body: @escaping @Sendable (any TestClientProtocol, Int) async throws -> Void) async throws {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let app = Application(router: service.routes(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quiet)
        try await app.test(.live) { client in
            guard let port = client.port else { throw CancellationError() }
            try await body(client, port)
        }
    }

    /// An open job and a worker of the marketplace.
    var openJob: String { marketplace.opportunities.first { $0.status == .open }!.id.rawValue }
    var worker: String { marketplace.people.first { $0.role == .worker }!.id.rawValue }
}

extension TestClientProtocol {
    /// Sends a request with a key and an optional JSON body.
    func call(_ method: HTTPRequest.Method, _ uri: String, key: String?, json: String? = nil, bearer: Bool = false) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let key {
            if bearer { headers[.authorization] = "Bearer \(key)" } else { headers[HTTPField.Name("X-API-Key")!] = key }
        }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}

/// Keeps every log line, message and metadata, for tests that read the logs.
final class CapturedLogs: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
        /// The whole line as a log handler would print it, to search for what must never appear.
        var text: String { "\(level) \(message) " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    private let storage = Mutex<[Line]>([])
    var lines: [Line] { storage.withLock { $0 } }

    /// A logger at `level` writing here.
    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "captured") { _ in Handler(logs: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ line: Line) { storage.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            logs.append(Line(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}

/// Waits until `condition` holds, checking every 5 ms; after `seconds` records an issue naming
/// `what` and returns false, so that a test on a loaded machine fails instead of hanging.
@discardableResult
func waitUntil(
    _ what: String, seconds: Double = 120, sourceLocation: SourceLocation = #_sourceLocation, _ condition: @Sendable () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("waited \(Int(seconds)) s for \(what)", sourceLocation: sourceLocation)
    return false
}

/// The value of the Prometheus sample `name` (the sum over its label sets), 0 when absent.
func metricValue(_ exposition: String, _ name: String) -> Double {
    var total = 0.0
    for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { continue }
        let key = parts[0]
        guard key == name || key.hasPrefix(name + "{") else { continue }
        total += Double(parts[parts.count - 1]) ?? 0
    }
    return total
}
