import Foundation
import Logging
import MatchworkCore
@testable import MatchworkServer
import MatchworkStore
import NIOPosix
import Synchronization
import Testing

/// The rebuild schedule's rules, on made-up times: no clock, no sleeping.
@Suite("Rebuild schedule: when the engine rebuilds after writes")
struct RebuildScheduleTests {
    static func s(_ seconds: Double) -> Duration { .milliseconds(Int64(seconds * 1000)) }

    /// A schedule whose first build (generation 1) started at 0 and served after `took` seconds.
    static func served(took: Double, refresh: Double = 1) -> RebuildSchedule {
        var schedule = RebuildSchedule(refreshInterval: s(refresh))
        let (generation, through) = schedule.buildStarted(at: .zero)
        #expect(generation == 1 && through == 0)
        schedule.buildEnded(generation, at: s(took), serving: s(took))
        return schedule
    }

    @Test("The first write sets the refresh timer; later writes join it; when it fires, the engine builds")
    func writesJoinOneRefresh() {
        var schedule = Self.served(took: 0.2)
        #expect(schedule.wrote([.person("cleaner-1")], at: Self.s(10)) == .wake(after: Self.s(1), .refresh))
        #expect(schedule.wrote([.person("cleaner-2"), .opportunity("job-1")], at: Self.s(10.5)) == .none)
        #expect(schedule.writeCount(of: .person("cleaner-1")) == 1)
        #expect(schedule.writeCount(of: .opportunity("job-1")) == 2)
        #expect(schedule.writeCount(of: .person("cleaner-9")) == 0)
        #expect(schedule.fired(.refresh, at: Self.s(11)) == .build)
        // The timer is free again: the next write sets it anew.
        #expect(schedule.wrote([.person("cleaner-1")], at: Self.s(12)) == .wake(after: Self.s(1), .refresh))
    }

    @Test("No build starts sooner after the last one ended than that build took")
    func buildsAreSpaced() {
        // A build took 5 s and ended at 5 s: until 10 s, builds wait.
        var schedule = Self.served(took: 5)
        #expect(schedule.spacing(at: Self.s(6)) == Self.s(4))
        #expect(schedule.wrote([.person("a")], at: Self.s(6)) == .wake(after: Self.s(4), .refresh), "the refresh waits out the spacing when longer")
        #expect(schedule.buildSoon(at: Self.s(7)) == .wake(after: Self.s(3), .deferred))
        #expect(schedule.buildSoon(at: Self.s(8)) == .none, "a deferred build is not deferred twice")
        #expect(schedule.fired(.deferred, at: Self.s(10)) == .build)
        // Past the spacing, a build starts at once.
        var later = Self.served(took: 5)
        #expect(later.buildSoon(at: Self.s(11)) == .build)
    }

    @Test("While a build runs, asking for one does nothing; the expected wait counts the rest of it, plus a whole build when it cannot include the write")
    func expectedWait() {
        var schedule = Self.served(took: 2)
        #expect(schedule.wrote([.person("a")], at: Self.s(10)) != .none)
        let (generation, through) = schedule.buildStarted(at: Self.s(11))
        #expect(generation == 2 && through == 1)
        #expect(schedule.buildSoon(at: Self.s(11.5)) == .none)
        // The build under way includes write 1: half a second of its 2 s are gone.
        #expect(schedule.expectedWait(through: 1, at: Self.s(11.5)) == Self.s(1.5))
        // Write 2 came after it started: the next build must include it.
        _ = schedule.wrote([.person("b")], at: Self.s(11.6))
        #expect(schedule.expectedWait(through: 2, at: Self.s(11.6)) == Self.s(1.4) + Self.s(2))
        // Once it ended (serving, having taken 1 s), spacing follows that build's duration.
        schedule.buildEnded(generation, at: Self.s(12), serving: Self.s(1))
        #expect(schedule.building == nil)
        #expect(schedule.spacing(at: Self.s(12.25)) == Self.s(0.75))
    }

    @Test("Before any engine serves, nothing is waited for and nothing is spaced")
    func beforeTheFirstBuild() {
        var schedule = RebuildSchedule(refreshInterval: Self.s(1))
        #expect(schedule.expectedWait(through: 5, at: Self.s(3)) == .zero)
        #expect(schedule.spacing(at: Self.s(3)) == .zero)
        #expect(schedule.buildSoon(at: Self.s(3)) == .build)
    }

    @Test("A failed or superseded build ends without changing the spacing of the serving engine")
    func failedBuilds() {
        var schedule = Self.served(took: 4)
        let (second, _) = schedule.buildStarted(at: Self.s(10))
        schedule.buildEnded(second, at: Self.s(11), serving: nil)
        #expect(schedule.building == nil)
        // Spaced by the serving build's 4 s after the failed one ended.
        #expect(schedule.spacing(at: Self.s(12)) == Self.s(3))
        // A build that ends after a newer one started leaves the newer one under way.
        let (third, _) = schedule.buildStarted(at: Self.s(20))
        let (fourth, _) = schedule.buildStarted(at: Self.s(21))
        schedule.buildEnded(third, at: Self.s(22), serving: nil)
        #expect(schedule.building == fourth)
    }

    @Test("A model saved counts as a write the next build must include")
    func countedWrites() {
        var schedule = RebuildSchedule(refreshInterval: Self.s(1))
        _ = schedule.wrote([.person("a")], at: .zero)
        #expect(schedule.countWrite() == 2)
        let (_, through) = schedule.buildStarted(at: Self.s(1))
        #expect(through == 2)
    }
}

/// A clock that moves only when told to (``advance(by:)``): sleepers wake when their deadline is
/// reached, and a cancelled sleep ends at once with `CancellationError`.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct State {
        var now = Instant(offset: .zero)
        var next = 0
        var sleepers: [Int: (deadline: Instant, continuation: CheckedContinuation<Void, any Error>)] = [:]
    }

    private let state = Mutex(State())

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }
    /// How many sleeps wait for the clock to move.
    var sleeping: Int { state.withLock { $0.sleepers.count } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { s -> Int in
            s.next += 1
            return s.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { s -> Bool in
                    if deadline <= s.now || Task.isCancelled { return true }
                    s.sleepers[id] = (deadline, continuation)
                    return false
                }
                if resumeNow { Task.isCancelled ? continuation.resume(throwing: CancellationError()) : continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock on, waking the sleepers whose deadline has come.
    func advance(by duration: Duration) {
        let due = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.now = s.now.advanced(by: duration)
            let ready = s.sleepers.filter { $0.value.deadline <= s.now }
            for id in ready.keys { s.sleepers.removeValue(forKey: id) }
            return ready.values.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }
}

@Suite("Engine host on a manual clock")
struct EngineHostClockTests {
    @Test("A write rebuilds the engine once the refresh interval has passed on the host's clock, not before")
    func refreshFollowsTheClock() async throws {
        let fixture = try await ServiceFixture.make()
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let clock = ManualClock()
        let host = EngineHost(
            store: fixture.store, registry: ModelRegistry(directory: NSTemporaryDirectory() + "matchwork-clock-\(UUID().uuidString)"),
            configuration: EngineConfiguration(), pool: pool, refreshInterval: 60, logger: Logger(label: "test"), clock: clock)
        let first = try await host.rebuild()
        #expect(first.generation == 1)
        // Given a write, the refresh timer sleeps on the host's clock;
        await host.noteWrite([.person(fixture.worker)])
        await waitUntil("the refresh timer to sleep") { clock.sleeping == 1 }
        // 59 s later nothing has been built,
        clock.advance(by: .seconds(59))
        #expect(clock.sleeping == 1)
        #expect(await host.state?.generation == 1)
        // and at 60 s the engine rebuilds with the write.
        clock.advance(by: .seconds(1))
        await waitUntil("the rebuild after the write") { await host.state?.generation == 2 }
        #expect(await host.state?.builtThrough == 1)
        try await pool.shutdownGracefully()
        await fixture.service.close()
    }
}
