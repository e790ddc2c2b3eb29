import Foundation
import MatchworkCore
import MatchworkStore

/// The served-list path outside the store: each list the service answers is written as the JSON
/// it is recorded with and digested (SHA-256), so that the same items served again are stored
/// once. This encodes explained lists of 10 items (each with a rule-based breakdown of nine
/// parts, as on the cleaning marketplace) LISTS times, each list different, and prints lists/s.
///
/// Usage, from Benchmarks/: swift run -c release ServedListRecording [lists] (default 200,000)
let lists = CommandLine.arguments.dropFirst().compactMap { Int($0) }.first ?? 200_000
let rules = ["location", "pricing", "specialization", "availability", "quality", "reliability", "experience", "bidding", "activity"]

func items(_ n: Int) -> [ServedItem] {
    (0..<10).map { rank in
        let parts = rules.enumerated().map { k, rule in
            ScorePart(component: rule, value: Double((n &* 31 &+ rank &* 7 &+ k) % 100) / 100, weight: 0.1, assumed: k == 4 && rank % 3 == 0)
        }
        return ServedItem(
            id: "job-\(4000 + (n &+ rank) % 1000)", rank: rank + 1, score: Double(90 - rank * 3) + Double(n % 7) / 10,
            breakdown: [ScorePart(component: "rule_based", value: 0.71, weight: 0.6, parts: parts), ScorePart(component: "neural", value: 0.8, weight: 0.4)])
    }
}

// The items are built first: only their encoding and digest are timed.
let inputs = (0..<1000).map(items)
let clock = ContinuousClock()
let started = clock.now
var bytes = 0
var check: UInt8 = 0
for n in 0..<lists {
    let encoded = EncodedServedItems(inputs[n % inputs.count])
    bytes += encoded.json.utf8.count
    check ^= encoded.digest[n % 32]
}
let elapsed = started.duration(to: clock.now)
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(String(format: "%d lists (%.1f KB of JSON each) in %.2f s: %.0f lists/s (check %d)", lists, Double(bytes) / Double(lists) / 1024, seconds, Double(lists) / seconds, check))
