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
    private let serving = Mutex<String?>(nil)

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        cacheHits = Metrics.Counter(label: "matchwork_cache_hits")
        cacheMisses = Metrics.Counter(label: "matchwork_cache_misses")
        cacheHitRatio = Metrics.Gauge(label: "matchwork_cache_hit_ratio")
        cacheWarmed = Metrics.Counter(label: "matchwork_cache_warmed")
        eventsIngested = Metrics.Counter(label: "matchwork_events_ingested")
        eventsDuplicate = Metrics.Counter(label: "matchwork_events_duplicate")
        listsServed = Metrics.Counter(label: "matchwork_lists_served")
        staleAnswers = Metrics.Counter(label: "matchwork_stale_answers")
        retrainSeconds = Metrics.Timer(label: "matchwork_retrain_duration", preferredDisplayUnit: .seconds)
        retrainFailures = Metrics.Counter(label: "matchwork_retrain_failures")
        scoringBatches = Metrics.Counter(label: "matchwork_scoring_batches")
        scoringBatchedRequests = Metrics.Counter(label: "matchwork_scoring_batched_requests")
    }

    /// Updates what is derived from the service's state (the cache's hit ratio, the serving
    /// models), then prints every metric in the Prometheus text format.
    func exposition(cache: (hits: Int, misses: Int, size: Int), modelKey: String?) -> [UInt8] {
        if cache.hits + cache.misses > 0 { cacheHitRatio.record(Double(cache.hits) / Double(cache.hits + cache.misses)) }
        if let modelKey { modelServing(modelKey) }
        return registry.emitToBuffer()
    }

    /// Sets `matchwork_model_info{version="…"} 1` for the serving models (and 0 for the previous).
    private func modelServing(_ key: String) {
        let version = key.isEmpty ? "rule_based" : key
        let previous = serving.withLock { old -> String? in
            defer { old = version }
            return old
        }
        if let previous, previous != version { Metrics.Gauge(label: "matchwork_model_info", dimensions: [("version", previous)]).record(0) }
        Metrics.Gauge(label: "matchwork_model_info", dimensions: [("version", version)]).record(1)
    }
}
