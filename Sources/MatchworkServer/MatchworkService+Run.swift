import Foundation
import Hummingbird
public import Logging
import MatchworkCore
import MatchworkStore
import Metrics
import NIOCore
public import Prometheus

extension MatchworkService {
    /// Routes the process's logs to stderr (one line per record, with its metadata, such as
    /// `hb.request.id`) at `level`, and its metrics to a Prometheus registry, which it returns;
    /// has BLAS run on its callers' threads alone. Call it once per process, before ``run(configuration:)``.
    public static func bootstrapProcess(logLevel: Logger.Level) -> PrometheusCollectorRegistry {
        // The scoring threads are the parallelism: BLAS runs each product on its caller alone.
        // (Set once, before any product runs: OpenBLAS must not change its thread count
        // while another thread is inside it.)
        LinearAlgebra.useCallingThreadOnly()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    /// Opens the store and the registry that `configuration` names and serves until SIGTERM or
    /// SIGINT, then shuts down gracefully.
    public static func run(configuration: ServerConfiguration, metrics: PrometheusCollectorRegistry) async throws {
        var logger = Logger(label: "matchwork")
        logger.logLevel = configuration.logLevel
        guard FileManager.default.fileExists(atPath: configuration.storePath) else {
            throw StoreError(
                .notFound, "There is no store at '\(configuration.storePath)'; create one with `matchwork init` or `matchwork generate`, or set --store or MATCHWORK_STORE.")
        }
        let store = try SQLiteStore(path: configuration.storePath, limits: configuration.storeLimits)
        let registry = configuration.modelPath.map { ModelRegistry(directory: $0) } ?? ModelRegistry(besideStore: configuration.storePath)
        let service = try await open(configuration: configuration, store: store, registry: registry, metrics: metrics, logger: logger)
        // "Serving" is logged once the port is bound, with the port the system gave for 0.
        let serving: @Sendable (any Channel) async -> Void = { [logger] channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("Serving", metadata: ["address": "http://\(configuration.host):\(port)", "store": "\(configuration.storePath)", "models": "\(registry.path)"])
        }
        do {
            try await service.application(onServerRunning: serving).runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw MatchworkError(
                .invalidConfiguration, "Port \(configuration.port) on \(configuration.host) is in use by another process; choose another with --port (or MATCHWORK_PORT), or stop the other process.",
                field: "port")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL || error.errnoCode == EACCES {
            throw MatchworkError(
                .invalidConfiguration,
                "Cannot listen on \(configuration.host):\(configuration.port) (\(error.errnoCode == EACCES ? "permission denied: ports below 1024 need privileges" : "no such local address")); choose another --host or --port.",
                field: "port")
        }
    }
}
