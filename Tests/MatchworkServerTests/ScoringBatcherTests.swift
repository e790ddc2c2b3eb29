import Foundation
import MatchworkCore
@testable import MatchworkServer
import MatchworkStore
import MatchworkSynth
import NIOPosix
import Synchronization
import Testing

/// A value shared between tasks.
final class Locked<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

@Suite("Cache misses scored in batches")
struct ScoringBatcherTests {
    /// An engine over a small cleaning marketplace, and a serving state around it.
    static func engine() throws -> (MarketplaceSnapshot, RecommendationEngine, EngineHost.State) {
        let m = try CleaningMarketplace(seed: 5, size: .small).generate()
        let snapshot = try MarketplaceSnapshot(people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning)
        let engine = try RecommendationEngine(snapshot: snapshot)
        let state = EngineHost.State(engine: engine, generation: 1, builtThrough: 0, modelKey: "", models: ServingModels(), builtAt: Date(), seconds: 0)
        return (snapshot, engine, state)
    }

    @Test("Requests that queue while the scoring thread is busy are scored as one batch, each with its own list or error")
    func queuedRequestsShareABatch() async throws {
        let (snapshot, engine, state) = try Self.engine()
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let sizes = Locked<[Int]>([])
        let batcher = ScoringBatcher(pool: pool, workers: 1, maximumBatch: 4) { size in sizes.withLock { $0.append(size) } }

        // Hold the only scoring thread until every request has queued.
        let gate = DispatchSemaphore(value: 0)
        pool.submit { _ in gate.wait() }
        var queued = snapshot.takers.prefix(5).map { RecommendationRequest(.person(snapshot.people[Int($0)].id), count: 3, mode: .collaborative) }
        queued.insert(RecommendationRequest(.person(PersonID("nobody-at-all")), count: 3), at: 2)
        let requests = queued
        let answers = Locked<[Int: Result<[String], any Error>]>([:])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, request) in requests.enumerated() {
                group.addTask {
                    let result: Result<[String], any Error>
                    do { result = .success(try await batcher.answer(request, with: state).result.items.map(\.id)) } catch { result = .failure(error) }
                    answers.withLock { $0[i] = result }
                }
            }
            group.addTask {
                await waitUntil("every request queued behind the held scoring thread") { batcher.queuedCount >= requests.count }
                gate.signal()
            }
            try await group.waitForAll()
        }
        try await pool.shutdownGracefully()
        // Six requests, at most four per batch: two batches, the first full.
        #expect(sizes.withLock { $0 } == [4, 2])
        for (i, request) in requests.enumerated() {
            let got = try #require(answers.withLock { $0[i] })
            switch Result(catching: { () throws(MatchworkError) in try engine.recommend(request).items.map(\.id) }) {
            case .success(let alone): #expect(try got.get() == alone)
            case .failure(let error):
                #expect(throws: MatchworkError.self) { try got.get() }
                #expect(error.field == "person_id")
            }
        }
    }

    @Test("Requests queued together (a batch call) are scored in order in as few batches as the batch size allows, on every free thread")
    func requestsQueuedTogether() async throws {
        let (snapshot, engine, state) = try Self.engine()
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let sizes = Locked<[Int]>([])
        let batcher = ScoringBatcher(pool: pool, workers: 2, maximumBatch: 4) { size in sizes.withLock { $0.append(size) } }
        var requests = snapshot.takers.prefix(9).map { RecommendationRequest(.person(snapshot.people[Int($0)].id), count: 3) }
        requests.insert(RecommendationRequest(.person(PersonID("nobody-at-all")), count: 3), at: 4)
        let answers = await batcher.answer(requests, with: state)
        try await pool.shutdownGracefully()
        // Ten requests, at most four per batch: three batches, whichever thread took them.
        #expect(sizes.withLock { $0 }.sorted() == [2, 4, 4])
        #expect(answers.count == requests.count)
        let alone = engine.recommend(together: requests)
        for (got, expected) in zip(answers, alone) {
            switch expected {
            case .success(let list): #expect(try got.get().result.items.map(\.id) == list.items.map(\.id))
            case .failure: #expect(throws: MatchworkError.self) { try got.get() }
            }
        }
        #expect(await batcher.answer([], with: state).isEmpty)
    }
}

@Suite("Recommendation ids")
struct RecommendationIDTests {
    @Test("Ids are version-7 UUIDs that sort by time")
    func timeOrdered() throws {
        let earlier = RecommendationIDs.next(now: Date(timeIntervalSince1970: 1_700_000_000))
        let later = RecommendationIDs.next(now: Date(timeIntervalSince1970: 1_700_000_000.002))
        #expect(earlier < later)
        for id in [earlier, later, RecommendationIDs.next()] {
            let uuid = try #require(UUID(uuidString: id), "\(id) is not a UUID")
            #expect(uuid.uuidString.lowercased() == id)
            let parts = id.split(separator: "-")
            #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
            #expect(parts[2].first == "7")
            #expect("89ab".contains(parts[3].first!))
        }
        #expect(earlier.hasPrefix("018bcfe5-6800"))
        #expect(Set((0..<1000).map { _ in RecommendationIDs.next() }).count == 1000)
    }
}
