import MatchworkCore
import MatchworkSynth
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures one person's top-10 with explanations on a missions marketplace of 10,000 open
/// missions and 50,000 clinicians, in process, and the throughput of a batch for everyone.
///
/// Usage: swift run -c release EngineBenchmarks [clinicians] [open missions] [queries]

func seconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
}

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let clinicians = arguments.count > 0 ? arguments[0] : 50_000
let open = arguments.count > 1 ? arguments[1] : 10_000
let queries = arguments.count > 2 ? arguments[2] : 2_000
// Missions are posted uniformly over the year; those of the last `openDays` stay open.
let openDays = 120
let missions = open * 365 / openDays

var started = seconds()
let marketplace = try MissionsMarketplace(seed: 42, size: .standard, clinicians: clinicians, missions: missions, openDays: openDays).generate()
print("generated \(marketplace.people.count) people, \(marketplace.opportunities.count) missions (\(marketplace.opportunities.filter { $0.status == .open }.count) open), \(marketplace.interactions.count) events in \(String(format: "%.1f", seconds() - started)) s")

started = seconds()
let snapshot = try MarketplaceSnapshot(people: marketplace.people, opportunities: marketplace.opportunities, interactions: marketplace.interactions, scenario: .missions)
let snapshotSeconds = seconds() - started
started = seconds()
let engine = try RecommendationEngine(snapshot: snapshot)
print(String(format: "snapshot %.2f s, feature index %.2f s (dimension %d)", snapshotSeconds, seconds() - started, engine.index.space.dimension))

let workers = snapshot.people.filter { $0.role == .worker }.map(\.id)
var rng = SystemRandomNumberGenerator()
let subjects = (0..<queries).map { _ in workers[Int.random(in: 0..<workers.count, using: &rng)] }

for mode in [RecommendationMode.ensemble, .ruleBased, .similarity] {
    var times: [Double] = []
    var empty = 0
    for (i, id) in subjects.enumerated() {
        let t = seconds()
        let result = try engine.recommend(RecommendationRequest(.person(id), count: 10, mode: mode, explain: true))
        let elapsed = seconds() - t
        if i >= 50 { times.append(elapsed) }  // warm-up
        if result.items.isEmpty { empty += 1 }
    }
    times.sort()
    print(String(format: "%@ top-10 with explanations: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms over %d queries (%d with no eligible mission)",
        mode.rawValue, percentile(times, 0.5) * 1000, percentile(times, 0.9) * 1000, percentile(times, 0.99) * 1000, times.count, empty))
}

let batch = workers.prefix(3_000).map { RecommendationRequest(.person($0), count: 10, mode: .ensemble, explain: true) }
for parallelism in [1, 2] {
    started = seconds()
    let results = await engine.recommend(batch: batch, parallelism: parallelism)
    let elapsed = seconds() - started
    let failures = results.filter { if case .failure = $0 { true } else { false } }.count
    print(String(format: "batch of %d people, parallelism %d: %.2f s, %.0f people/s (%d failures)", batch.count, parallelism, elapsed, Double(batch.count) / elapsed, failures))
}
