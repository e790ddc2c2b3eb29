import Benchmark
import Foundation
import MatchworkCore
import MatchworkSynth
import Synchronization

/// The engine on the scale: a missions marketplace of 50,000 clinicians and 10,000 open
/// missions (missions are posted over a year; those of the last 120 days are open), generated
/// once per process with a fixed seed.
///
/// Run from this directory: `swift package --disable-sandbox benchmark` (release build). Batch
/// throughput over both cores is measured by `swift run -c release BatchThroughput`: inside
/// this harness a multi-threaded closure ran on one core on a 2-core Linux machine.
/// `MATCHWORK_BENCH_CLINICIANS` and `MATCHWORK_BENCH_OPEN` change the scale.
struct Fixture: Sendable {
    let engine: RecommendationEngine
    let workers: [PersonID]

    static let shared: Fixture = {
        let environment = ProcessInfo.processInfo.environment
        let clinicians = environment["MATCHWORK_BENCH_CLINICIANS"].flatMap { Int($0) } ?? 50_000
        let open = environment["MATCHWORK_BENCH_OPEN"].flatMap { Int($0) } ?? 10_000
        let openDays = 120
        do {
            let marketplace = try MissionsMarketplace(seed: 42, size: .standard, clinicians: clinicians, missions: open * 365 / openDays, openDays: openDays).generate()
            let snapshot = try MarketplaceSnapshot(people: marketplace.people, opportunities: marketplace.opportunities, interactions: marketplace.interactions, scenario: .missions)
            let engine = try RecommendationEngine(snapshot: snapshot)
            return Fixture(engine: engine, workers: snapshot.people.filter { $0.role == .worker }.map(\.id))
        } catch {
            fatalError("benchmark fixture: \(error)")
        }
    }()

    /// A worker chosen by a fixed-seed sequence, so every run asks for the same people.
    func worker(_ n: Int) -> PersonID { workers[(n &* 2_654_435_761) % workers.count] }
}

/// Counts requests across a benchmark's runs.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 50, maxDuration: .seconds(10), maxIterations: 3_000)

    // One person's top 10 with explanations, in process, per mode.
    for mode in [RecommendationMode.ensemble, .ruleBased, .similarity, .neighbourhood, .collaborative] {
        let counter = Counter()
        Benchmark("top-10 with explanations, \(mode.rawValue)") { benchmark in
            let fixture = Fixture.shared
            for _ in benchmark.scaledIterations {
                let request = RecommendationRequest(.person(fixture.worker(counter.next())), count: 10, mode: mode, explain: true)
                blackHole(try fixture.engine.recommend(request))
            }
        } setup: {
            // The collaborative model is fitted once, outside the measured requests.
            _ = try? Fixture.shared.engine.collaborativeIndex()
        }
    }

    // Clinicians for one open mission (the other direction), among everyone.
    let missions = Counter()
    Benchmark("clinicians for a mission, ensemble") { benchmark in
        let fixture = Fixture.shared
        let open = fixture.engine.snapshot.openOpportunities
        for _ in benchmark.scaledIterations {
            let o = open[(missions.next() &* 40_503) % open.count]
            let request = RecommendationRequest(.opportunity(fixture.engine.snapshot.opportunities[Int(o)].id), count: 10, explain: true)
            blackHole(try fixture.engine.recommend(request))
        }
    } setup: {
        _ = Fixture.shared
    }
}
