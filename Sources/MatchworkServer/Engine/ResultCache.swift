import Foundation
import MatchworkCore
import Synchronization

/// Recommendation lists kept for a while, so that asking again costs a lookup.
///
/// A list is found again only with the same request, the same serving models and the same write
/// count of its subject: a model switch or a write about the subject makes earlier lists
/// unreachable, and they age out. Lists expire after `ttl` seconds. The cache holds at most
/// `capacity` lists and about `memoryBudget` bytes (each list costs an estimate of what it holds:
/// its items twice as JSON, as answered and as recorded, and once as values); when either bound
/// is reached, the expired go first, then the least recently used tenth of the rest.
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
        let value: RenderedList
        let expires: Double
        let cost: Int
        /// When it was stored or last found (a count of lookups and stores).
        var used: UInt64
    }

    private struct Contents {
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var tick: UInt64 = 0
        var scoring: [Key: Flight] = [:]
        var hits = 0
        var misses = 0
        var joined = 0
    }

    /// One list being scored, and the callers waiting for it.
    final class Flight: Sendable {
        typealias Outcome = Result<RenderedList, any Error>
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
        case hit(RenderedList)
        /// Nothing: score the list and hand it to ``finish(_:_:with:)``, which every caller
        /// that joined meanwhile awaits (so it must be called, with the list or the error).
        case score(Flight)
        /// The same list is being scored for another caller: await ``Flight/outcome()``.
        case join(Flight)
    }

    let ttl: Double
    let capacity: Int
    let memoryBudget: Int
    private let contents = Mutex(Contents())

    init(ttl: Double, capacity: Int, memoryBudget: Int = 256 << 20) {
        self.ttl = ttl
        self.capacity = capacity
        self.memoryBudget = memoryBudget
    }

    /// What a list is counted as holding, in bytes: its answer's and its record's JSON, the
    /// values both were written from (about as large again), and a fixed part for the key and
    /// the entry.
    static func cost(of list: RenderedList) -> Int {
        2 * (list.itemsJSON.count + list.served.json.utf8.count) + 512
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
                c.tick &+= 1
                c.entries[key]?.used = c.tick
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

    func store(_ value: RenderedList, for key: Key) {
        guard isEnabled else { return }
        let now = Self.now()
        let cost = Self.cost(of: value)
        guard cost <= memoryBudget else { return }
        contents.withLock { c in
            if let old = c.entries.removeValue(forKey: key) { c.bytes -= old.cost }
            if c.entries.count >= capacity || c.bytes + cost > memoryBudget { Self.evict(&c, now: now, capacity: capacity, budget: memoryBudget - cost) }
            c.tick &+= 1
            c.entries[key] = Entry(value: value, expires: now + ttl, cost: cost, used: c.tick)
            c.bytes += cost
        }
    }

    /// Drops the expired lists, then, while the cache is still full (`capacity` lists, or more
    /// than `budget` bytes), the least recently used tenth of the rest.
    private static func evict(_ c: inout Contents, now: Double, capacity: Int, budget: Int) {
        c.entries = c.entries.filter { $0.value.expires > now }
        c.bytes = c.entries.values.reduce(0) { $0 + $1.cost }
        while !c.entries.isEmpty, c.entries.count >= capacity || c.bytes > budget {
            let ages = c.entries.values.map(\.used).sorted()
            let cut = ages[min(ages.count - 1, max(0, ages.count / 10 - 1))]
            c.entries = c.entries.filter { $0.value.used > cut }
            c.bytes = c.entries.values.reduce(0) { $0 + $1.cost }
        }
    }

    /// Hits, misses and lists held. A request that joined another's scoring counts as a hit.
    var statistics: (hits: Int, misses: Int, size: Int) {
        contents.withLock { ($0.hits, $0.misses, $0.entries.count) }
    }

    /// The estimated bytes the lists held take (see ``cost(of:)``).
    var bytes: Int { contents.withLock { $0.bytes } }

    /// Requests that joined the scoring of the same list for another request.
    var joinedCount: Int { contents.withLock { $0.joined } }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
