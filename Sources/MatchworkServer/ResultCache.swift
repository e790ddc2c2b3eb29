import Foundation
import MatchworkCore
import Synchronization

/// Recommendation lists kept for a while, so that asking again costs a lookup.
///
/// A list is found again only with the same request, the same serving models and the same write
/// count of its subject: a model switch or a write about the subject makes earlier lists
/// unreachable, and they age out. Lists expire after `ttl` seconds; when the cache is full, the
/// expired go first, then about a tenth of the rest.
///
/// Concurrent misses for the same key are scored once: the first caller is told to score the
/// list (``Lookup/score(_:)``) and every caller that asks before it is done awaits that list
/// (``Lookup/join(_:)``). With the cache off (`ttl` 0) every request is scored.
final class ResultCache: Sendable {
    struct Key: Hashable, Sendable {
        let request: RecommendationRequest
        let modelKey: String
        let subjectWrites: UInt64
    }

    private struct Entry {
        let value: MatchworkService.RenderedList
        let expires: Double
    }

    private struct Contents {
        var entries: [Key: Entry] = [:]
        var scoring: [Key: Flight] = [:]
        var hits = 0
        var misses = 0
        var joined = 0
    }

    /// One list being scored, and the callers waiting for it.
    final class Flight: Sendable {
        typealias Outcome = Result<MatchworkService.RenderedList, any Error>
        private enum State {
            case scoring([CheckedContinuation<Outcome, Never>])
            case done(Outcome)
        }
        private let state = Mutex(State.scoring([]))

        /// The list once the caller scoring it is done (or its error).
        func outcome() async -> Outcome {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Outcome? in
                    switch state {
                    case .done(let outcome): return outcome
                    case .scoring(var waiting):
                        waiting.append(continuation)
                        state = .scoring(waiting)
                        return nil
                    }
                }
                if let done { continuation.resume(returning: done) }
            }
        }

        fileprivate func finish(_ outcome: Outcome) {
            let waiting = state.withLock { state -> [CheckedContinuation<Outcome, Never>] in
                guard case .scoring(let waiting) = state else { return [] }
                state = .done(outcome)
                return waiting
            }
            for continuation in waiting { continuation.resume(returning: outcome) }
        }
    }

    /// What a lookup found.
    enum Lookup {
        /// A list still fresh.
        case hit(MatchworkService.RenderedList)
        /// Nothing: score the list and hand it to ``finish(_:_:with:)``, which every caller
        /// that joined meanwhile awaits (so it must be called, with the list or the error).
        case score(Flight)
        /// The same list is being scored for another caller: await ``Flight/outcome()``.
        case join(Flight)
    }

    let ttl: Double
    let capacity: Int
    private let contents = Mutex(Contents())

    init(ttl: Double, capacity: Int) {
        self.ttl = ttl
        self.capacity = capacity
    }

    var isEnabled: Bool { ttl > 0 }

    /// The fresh list under `key`, or the flight that is scoring it, or a new flight for the
    /// caller to score it in. `counting` false leaves the hit and miss counts alone (warming).
    func lookup(_ key: Key, counting: Bool = true) -> Lookup {
        guard isEnabled else { return .score(Flight()) }
        let now = Self.now()
        let count = counting ? 1 : 0
        return contents.withLock { c in
            if let entry = c.entries[key], entry.expires > now {
                c.hits += count
                return .hit(entry.value)
            }
            if let flight = c.scoring[key] {
                c.hits += count
                c.joined += count
                return .join(flight)
            }
            c.misses += count
            let flight = Flight()
            c.scoring[key] = flight
            return .score(flight)
        }
    }

    /// Ends a flight ``lookup(_:)`` started: keeps the list (not an error) and hands it to every
    /// caller that joined.
    func finish(_ key: Key, _ flight: Flight, with outcome: Flight.Outcome) {
        if isEnabled {
            contents.withLock { c in
                if c.scoring[key] === flight { c.scoring[key] = nil }
            }
            if case .success(let list) = outcome { store(list, for: key) }
        }
        flight.finish(outcome)
    }

    /// The requests of the lists held and still fresh, each once (whatever models answered
    /// them), at most `limit` of them: what to score again after a model switch.
    func freshRequests(limit: Int) -> [RecommendationRequest] {
        let now = Self.now()
        return contents.withLock { c in
            var requests = Set<RecommendationRequest>()
            for (key, entry) in c.entries where entry.expires > now {
                guard requests.count < limit else { break }
                requests.insert(key.request)
            }
            return Array(requests)
        }
    }

    func store(_ value: MatchworkService.RenderedList, for key: Key) {
        guard isEnabled else { return }
        let now = Self.now()
        contents.withLock { c in
            if c.entries.count >= capacity {
                c.entries = c.entries.filter { $0.value.expires > now }
                if c.entries.count >= capacity {
                    var dropped = 0
                    let target = max(1, capacity / 10)
                    for key in c.entries.keys {
                        c.entries[key] = nil
                        dropped += 1
                        if dropped >= target { break }
                    }
                }
            }
            c.entries[key] = Entry(value: value, expires: now + ttl)
        }
    }

    /// Hits, misses and lists held. A request that joined another's scoring counts as a hit.
    var statistics: (hits: Int, misses: Int, size: Int) {
        contents.withLock { ($0.hits, $0.misses, $0.entries.count) }
    }

    /// Requests that joined the scoring of the same list for another request.
    var joinedCount: Int { contents.withLock { $0.joined } }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
