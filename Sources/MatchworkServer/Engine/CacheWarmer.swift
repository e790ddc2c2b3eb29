import Foundation
import Logging
import MatchworkCore
import MatchworkStore

/// Fills the cache for an engine that brings other models than the one serving (after a
/// retrain, or the first engine after a start) before it serves, while the engine before it
/// keeps answering: lists that would otherwise be scored on first request, while clients wait,
/// are ready when it takes over.
///
/// What is scored, at most `limit` lists: the requests whose lists the cache holds (answered by
/// the models before, filters and all), then, for the subjects served lately (the store
/// remembers them across restarts), the list a request naming only the subject and the mode it
/// was served in asks for (default length, no filters, no reasons), then the same default list
/// in the default mode for the people who take work, latest activity first (so that a service
/// that never served anyone does not score every first list while its clients wait).
struct CacheWarming: Sendable {
    let lists: ListSource
    let store: any ServiceStore
    let limit: Int
    /// The mode of a request that names none.
    let defaultMode: RecommendationMode
    let metrics: ServiceMetrics
    let logger: Logger

    /// What one round of warming did.
    struct Report: Sendable, Equatable {
        /// Lists scored and cached.
        var scored = 0
        /// Lists already cached (or being scored) when warming reached them.
        var present = 0
        /// Subjects written since the engine was built: their lists wait for the next build.
        var skipped = 0
        /// Requests the engine refused, such as for a subject deleted since it was served.
        var failed = 0
        /// Whether the shutdown cut the round short.
        var interrupted = false
    }

    /// Requests scored together per step: few, so that a request arriving meanwhile waits behind
    /// at most this many on its scoring thread.
    static let step = 16

    /// Warms the cache for `state` and logs what it did.
    func run(for state: EngineHost.State, subjectWrites: [SubjectKey: UInt64]) async {
        guard lists.cache.isEnabled, limit > 0 else { return }
        let started = ContinuousClock.now
        let requests = await requests(limit: limit, active: state.engine.snapshot)
        guard !requests.isEmpty else { return }
        let report = await warm(requests, with: state, subjectWrites: subjectWrites)
        let elapsed = started.duration(to: .now)
        logger.info(
            report.interrupted ? "Cache warming stopped by the shutdown" : "Cache warmed",
            metadata: [
                "models": "\(state.modelKey.isEmpty ? "none" : state.modelKey)", "scored": "\(report.scored)", "present": "\(report.present)",
                "skipped": "\(report.skipped)", "failed": "\(report.failed)",
                "seconds": "\(String(format: "%.2f", elapsed.inSeconds))",
            ])
    }

    /// What to score, at most `limit` requests (see the type's documentation); the people
    /// active lately come from `active` when given.
    func requests(limit: Int, active: MarketplaceSnapshot? = nil) async -> [RecommendationRequest] {
        guard lists.cache.isEnabled, limit > 0 else { return [] }
        var requests = lists.cache.freshRequests(limit: limit)
        var seen = Set(requests)
        guard requests.count < limit else { return requests }
        let served: [ServedSubject]
        do {
            served = try await store.recentlyServed(limit: limit, scanning: limit * 10)
        } catch {
            logger.warning("Warming the cache: the lists served lately could not be read; only the cached ones are scored again", metadata: ["error": "\(error)"])
            return requests
        }
        for subject in served {
            guard requests.count < limit else { break }
            guard let mode = RecommendationMode(rawValue: subject.mode) else { continue }
            let request = RecommendationRequest(subject.subject, count: RecommendationRequest.defaultCount, mode: mode, explain: false)
            if seen.insert(request).inserted { requests.append(request) }
        }
        guard let snapshot = active, requests.count < limit else { return requests }
        let takers = snapshot.takers.compactMap { p in snapshot.lastActivity(ofPerson: p).map { (p, $0) } }
            .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
        for (p, _) in takers {
            guard requests.count < limit else { break }
            let request = RecommendationRequest(
                .person(snapshot.people[Int(p)].id), count: RecommendationRequest.defaultCount, mode: defaultMode, explain: false)
            if seen.insert(request).inserted { requests.append(request) }
        }
        return requests
    }

    /// Scores `requests` with `state`'s engine into the cache, a few at a time, under the
    /// subjects' write counts as they were when warming began (a subject written meanwhile is
    /// asked under a newer count, so it misses these lists and is scored on demand). Nothing is
    /// recorded as served, and the hit ratio is left alone.
    func warm(_ requests: [RecommendationRequest], with state: EngineHost.State, subjectWrites: [SubjectKey: UInt64]) async -> Report {
        var report = Report()
        var start = 0
        while start < requests.count {
            if Task.isCancelled {
                report.interrupted = true
                break
            }
            var kept: [RecommendationRequest] = [], engines: [Result<ListSource.Engine, any Error>] = []
            for request in requests[start..<min(start + Self.step, requests.count)] {
                let writes = subjectWrites[SubjectKey(request.subject)] ?? 0
                guard writes <= state.builtThrough else {
                    report.skipped += 1
                    continue
                }
                kept.append(request)
                engines.append(.success((state, writes, false)))
            }
            start += Self.step
            for found in await lists.lists(for: kept, answeredBy: engines, counting: false) {
                switch found {
                case .success(let answer): if answer.cached { report.present += 1 } else { report.scored += 1 }
                case .failure: report.failed += 1
                }
            }
        }
        metrics.cacheWarmed.increment(by: report.scored)
        return report
    }
}
