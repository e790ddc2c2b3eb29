import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

/// `/health/live`, `/health/ready` and `/metrics`: whether the process, the store and the engine
/// answer, and the service's figures.
struct HealthController: Sendable {
    let store: any ServiceStore
    let host: EngineHost
    let recorder: ServedListRecorder
    let cache: ResultCache
    let metrics: ServiceMetrics

    struct Health: Encodable {
        var status: String
        var store: String?
        var engine: EngineSummary?
        var reason: String?
    }

    struct EngineSummary: Encodable {
        var generation: Int
        var builtAt: String
        var people: Int
        var opportunities: Int
        var models: [String: String]
        /// What answers when a request names no mode: the trained models, or the rule-based scorer.
        var answering: String
    }

    func addRoutes(to router: Router<MatchworkRequestContext>) {
        router.get("health/live") { _, _ in try Reply.encode(Health(status: "live")) }
        router.get("health/ready") { _, _ in
            do {
                _ = try await store.scenario()
            } catch {
                return try Reply.encode(Health(status: "not_ready", store: "unavailable", reason: "The store does not answer: \(error)"), status: .serviceUnavailable)
            }
            if let failure = await recorder.writeFailure {
                return try Reply.encode(
                    Health(
                        status: "not_ready", store: "writes failing",
                        reason: "The store cannot record served lists (\(failure)); \(await recorder.backlog) wait. Free space on its disk; the service retries on its own."),
                    status: .serviceUnavailable)
            }
            guard let state = await host.state else {
                return try Reply.encode(
                    Health(status: "not_ready", store: "open", reason: "The engine has not been built yet; see the log for why, then add data or retrain."),
                    status: .serviceUnavailable)
            }
            return try Reply.encode(Health(status: "ready", store: "open", engine: EngineSummary(state)))
        }
        router.get("metrics") { _, _ in
            let text = metrics.exposition(cache: cache.statistics, cacheBytes: cache.bytes, modelKey: await host.state?.modelKey)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        }
    }

}

extension HealthController.EngineSummary {
    init(_ state: EngineHost.State) {
        self.init(
            generation: state.generation, builtAt: ISO8601DateFormatter().string(from: state.builtAt), people: state.engine.snapshot.people.count,
            opportunities: state.engine.snapshot.opportunities.count, models: state.models.versions,
            answering: state.models.learned != nil ? "trained models (\(state.modelKey))" : "the rule-based scorer and the engine's own components")
    }
}
