import Foundation
import Metrics
import Prometheus
import Synchronization

/// The service's own metrics, beside Hummingbird's per-route request counts and latencies
/// (`hb_requests_total`, `http_server_request_duration_seconds`): cache hits and misses, events
/// ingested, the serving models, and retrain durations. `/metrics` prints `registry`.
final class ServiceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let cacheHits: Metrics.Counter
    let cacheMisses: Metrics.Counter
    let cacheHitRatio: Metrics.Gauge
    /// Lists scored ahead by warming, after a start or a model switch.
    let cacheWarmed: Metrics.Counter
    let eventsIngested: Metrics.Counter
    let eventsDuplicate: Metrics.Counter
    let listsServed: Metrics.Counter
    /// Answers from an engine built before a write about their subject (the build that
    /// includes it took longer than `fresh_wait`).
    let staleAnswers: Metrics.Counter
    let retrainSeconds: Metrics.Timer
    let retrainFailures: Metrics.Counter
    /// Batches of cache misses scored together, and the requests in them.
    let scoringBatches: Metrics.Counter
    let scoringBatchedRequests: Metrics.Counter
    /// Served lists deleted past `served_list_retention`.
    let servedListsPruned: Metrics.Counter
    /// What the cache holds, and this process's resident memory (Linux).
    let cacheLists: Metrics.Gauge
    let cacheBytes: Metrics.Gauge
    let residentMemory: Metrics.Gauge
    private let serving = Mutex<String?>(nil)

    private let factory: PrometheusMetricsFactory

    /// The service's metrics, kept in `registry` (whichever registry swift-metrics was
    /// bootstrapped with: a test's service counts on its own).
    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        let factory = PrometheusMetricsFactory(registry: registry)
        self.factory = factory
        cacheHits = Metrics.Counter(label: "matchwork_cache_hits", factory: factory)
        cacheMisses = Metrics.Counter(label: "matchwork_cache_misses", factory: factory)
        cacheHitRatio = Metrics.Gauge(label: "matchwork_cache_hit_ratio", factory: factory)
        cacheWarmed = Metrics.Counter(label: "matchwork_cache_warmed", factory: factory)
        eventsIngested = Metrics.Counter(label: "matchwork_events_ingested", factory: factory)
        eventsDuplicate = Metrics.Counter(label: "matchwork_events_duplicate", factory: factory)
        listsServed = Metrics.Counter(label: "matchwork_lists_served", factory: factory)
        staleAnswers = Metrics.Counter(label: "matchwork_stale_answers", factory: factory)
        retrainSeconds = Metrics.Timer(label: "matchwork_retrain_duration", dimensions: [], preferredDisplayUnit: .seconds, factory: factory)
        retrainFailures = Metrics.Counter(label: "matchwork_retrain_failures", factory: factory)
        scoringBatches = Metrics.Counter(label: "matchwork_scoring_batches", factory: factory)
        scoringBatchedRequests = Metrics.Counter(label: "matchwork_scoring_batched_requests", factory: factory)
        servedListsPruned = Metrics.Counter(label: "matchwork_served_lists_pruned", factory: factory)
        cacheLists = Metrics.Gauge(label: "matchwork_cache_lists", factory: factory)
        cacheBytes = Metrics.Gauge(label: "matchwork_cache_bytes", factory: factory)
        residentMemory = Metrics.Gauge(label: "process_resident_memory_bytes", factory: factory)
    }

    /// Updates what is derived from the service's state (the cache's hit ratio, the serving
    /// models), then prints every metric in the Prometheus text format.
    func exposition(cache: (hits: Int, misses: Int, size: Int), cacheBytes bytes: Int, modelKey: String?) -> [UInt8] {
        if cache.hits + cache.misses > 0 { cacheHitRatio.record(Double(cache.hits) / Double(cache.hits + cache.misses)) }
        cacheLists.record(cache.size)
        cacheBytes.record(bytes)
        if let rss = Self.residentBytes() { residentMemory.record(rss) }
        if let modelKey { modelServing(modelKey) }
        return registry.emitToBuffer()
    }

    /// This process's resident set size, from `/proc/self/statm` (Linux; `nil` elsewhere).
    static func residentBytes() -> Int? {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    /// Sets `matchwork_model_info{version="…"} 1` for the serving models (and 0 for the previous).
    private func modelServing(_ key: String) {
        let version = key.isEmpty ? "rule_based" : key
        let previous = serving.withLock { old -> String? in
            defer { old = version }
            return old
        }
        if let previous, previous != version { Metrics.Gauge(label: "matchwork_model_info", dimensions: [("version", previous)], factory: factory).record(0) }
        Metrics.Gauge(label: "matchwork_model_info", dimensions: [("version", version)], factory: factory).record(1)
    }
}
