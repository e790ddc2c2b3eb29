import Foundation
import MatchworkCore
import Synchronization

/// Recommendation lists kept for a while, so that asking again costs a lookup.
///
/// A list is found again only with the same request, the same serving models and the same write
/// count of its subject: a model switch or a write about the subject makes earlier lists
/// unreachable, and they age out. Lists expire after `ttl` seconds; when the cache is full, the
/// expired go first, then about a tenth of the rest.
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
        var hits = 0
        var misses = 0
    }

    let ttl: Double
    let capacity: Int
    private let contents = Mutex(Contents())

    init(ttl: Double, capacity: Int) {
        self.ttl = ttl
        self.capacity = capacity
    }

    var isEnabled: Bool { ttl > 0 }

    func value(for key: Key) -> MatchworkService.RenderedList? {
        guard isEnabled else { return nil }
        let now = Self.now()
        return contents.withLock { c in
            if let entry = c.entries[key], entry.expires > now {
                c.hits += 1
                return entry.value
            }
            c.misses += 1
            return nil
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

    /// Hits, misses and lists held.
    var statistics: (hits: Int, misses: Int, size: Int) {
        contents.withLock { ($0.hits, $0.misses, $0.entries.count) }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
