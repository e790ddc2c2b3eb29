import Foundation
import MatchworkCore
import MatchworkSynth

/// Batch throughput: everyone's top 10 with explanations, on one and on two concurrent
/// workers, on the same marketplace as `EngineBenchmarks` (50,000 clinicians, 10,000 open
/// missions; `MATCHWORK_BENCH_CLINICIANS` and `MATCHWORK_BENCH_OPEN` change it).
///
/// Usage, from Benchmarks/: swift run -c release BatchThroughput [people per batch] [rounds]
let environment = ProcessInfo.processInfo.environment
let clinicians = environment["MATCHWORK_BENCH_CLINICIANS"].flatMap { Int($0) } ?? 50_000
let open = environment["MATCHWORK_BENCH_OPEN"].flatMap { Int($0) } ?? 10_000
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let batchSize = arguments.first ?? 5_000
let rounds = arguments.dropFirst().first ?? 3

let marketplace = try MissionsMarketplace(seed: 42, size: .standard, clinicians: clinicians, missions: open * 365 / 120, openDays: 120).generate()
let snapshot = try MarketplaceSnapshot(people: marketplace.people, opportunities: marketplace.opportunities, interactions: marketplace.interactions, scenario: .missions)
let engine = try RecommendationEngine(snapshot: snapshot)
let workers = snapshot.people.filter { $0.role == .worker }.map(\.id)
let requests = (0..<batchSize).map { RecommendationRequest(.person(workers[($0 &* 2_654_435_761) % workers.count]), count: 10, explain: true) }
print("\(snapshot.people.count) people, \(snapshot.openOpportunities.count) open missions; batches of \(batchSize) people, best of \(rounds)")

// The collaborative model: one fit on the snapshot, then one carried to a newer snapshot by
// fold-in (the newest 1% of people and their events added).
do {
    let clock = ContinuousClock()
    var started = clock.now
    let cache = CollaborativeCache()
    let fitted = try cache.index(for: snapshot, configuration: CollaborativeConfiguration())
    var seconds = started.duration(to: clock.now)
    print("collaborative fit (ALS, \(fitted.configuration.factors) factors, \(fitted.configuration.iterations) iterations): \(seconds)")
    let newcomers = Set(workers.suffix(workers.count / 100))
    let older = try MarketplaceSnapshot(
        people: marketplace.people.filter { !newcomers.contains($0.id) }, opportunities: marketplace.opportunities,
        interactions: marketplace.interactions.filter { !newcomers.contains($0.person) }, scenario: .missions)
    let carried = CollaborativeCache()
    _ = try carried.index(for: older, configuration: CollaborativeConfiguration())
    started = clock.now
    let updated = try carried.index(for: snapshot, configuration: CollaborativeConfiguration())
    seconds = started.duration(to: clock.now)
    print("carried to a snapshot with \(newcomers.count) new people by fold-in (\(updated.foldedIn) rows folded in, \(carried.fitCount) fit): \(seconds)")
}

var best: [Int: Double] = [:]
for _ in 0..<rounds {
    for parallelism in [1, 2] {
        let clock = ContinuousClock()
        let started = clock.now
        let results = await engine.recommend(batch: requests, parallelism: parallelism)
        let elapsed = started.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        precondition(results.count == requests.count)
        best[parallelism] = min(best[parallelism] ?? .infinity, seconds)
    }
}
for parallelism in [1, 2] {
    let seconds = best[parallelism]!
    print(String(format: "parallelism %d: %.2f s, %.0f people/s", parallelism, seconds, Double(batchSize) / seconds))
}
print(String(format: "speed-up on two workers: %.2fx", best[1]! / best[2]!))
