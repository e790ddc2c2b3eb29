/// When the serving engine rebuilds, as a state machine: fed with what happens (a write, a
/// build starting or ending, a timer firing) and the time it happens, it answers what to do.
/// It holds no clock and starts no task: ``EngineHost`` performs its actions and feeds it the
/// time, so its rules are tested with made-up times and no sleeping.
///
/// The rules: after a write the engine rebuilds once `refreshInterval` has passed (writes in
/// between join the same build); a build asked for at once (a request waiting for a write) starts
/// when none runs; and no build starts sooner after the last one ended than that build took, so
/// that writes arriving all the time leave the scoring threads at least half of one thread's
/// time. Times are durations since the host's clock started.
struct RebuildSchedule: Sendable {
    /// What the host does next.
    enum Action: Equatable, Sendable {
        case none
        /// Build now, or join the build under way (``EngineHost/rebuild()``).
        case build
        /// Call back with `timer` after `delay`.
        case wake(after: Duration, Timer)
    }

    /// The timers the schedule sets.
    enum Timer: Equatable, Sendable {
        /// The rebuild after writes, `refreshInterval` after the first one.
        case refresh
        /// A build asked for at once but held back by the spacing after the last build.
        case deferred
    }

    let refreshInterval: Duration

    /// Committed writes counted so far, and each subject's count at its last write.
    private(set) var writes: UInt64 = 0
    private(set) var subjectWrites: [SubjectKey: UInt64] = [:]
    /// The last build's number.
    private(set) var generation = 0
    /// The build under way, if any.
    private(set) var building: Int?
    private var refreshSet = false
    private var deferredSet = false
    /// When the latest build started (or was asked to start), and the writes it includes.
    private var lastStart: (at: Duration, through: UInt64)?
    /// When the last build ended, and how long the serving engine's build took.
    private var lastEnd: Duration?
    private var servingBuild: Duration?

    init(refreshInterval: Duration) {
        self.refreshInterval = refreshInterval
    }

    /// The count a subject's requests need in the engine answering them.
    func writeCount(of subject: SubjectKey) -> UInt64 { subjectWrites[subject] ?? 0 }

    /// A committed write touching `subjects`: sets the refresh timer unless it is set.
    mutating func wrote(_ subjects: [SubjectKey], at now: Duration) -> Action {
        writes += 1
        for subject in subjects { subjectWrites[subject] = writes }
        guard !refreshSet else { return .none }
        refreshSet = true
        return .wake(after: max(refreshInterval, spacing(at: now)), .refresh)
    }

    /// A write counted without a subject (a model saved): the next build must include it.
    mutating func countWrite() -> UInt64 {
        writes += 1
        return writes
    }

    /// A timer fired.
    mutating func fired(_ timer: Timer, at now: Duration) -> Action {
        switch timer {
        case .refresh:
            refreshSet = false
            return .build
        case .deferred:
            deferredSet = false
            return buildSoon(at: now)
        }
    }

    /// A build is wanted as soon as the spacing allows (a request waits for a write): build now,
    /// or set the deferred timer; nothing when a build runs or is already deferred.
    mutating func buildSoon(at now: Duration) -> Action {
        guard building == nil, !deferredSet else { return .none }
        let wait = spacing(at: now)
        guard wait <= .zero else {
            deferredSet = true
            return .wake(after: wait, .deferred)
        }
        lastStart = (now, writes)
        return .build
    }

    /// A build starts: its number and the write count it includes.
    mutating func buildStarted(at now: Duration) -> (generation: Int, through: UInt64) {
        generation += 1
        building = generation
        lastStart = (now, writes)
        return (generation, writes)
    }

    /// A build ended, installed or not (`took` is its duration when it serves).
    mutating func buildEnded(_ generation: Int, at now: Duration, serving took: Duration?) {
        if building == generation { building = nil }
        lastEnd = now
        if let took { servingBuild = took }
    }

    /// How long before the next build may start: the serving build's duration after the last
    /// build ended.
    func spacing(at now: Duration) -> Duration {
        guard let servingBuild, let lastEnd else { return .zero }
        return servingBuild - (now - lastEnd)
    }

    /// How long until a build through `needed` should serve, judging by the serving engine's
    /// build time: the rest of the build under way, plus a whole build when that one started
    /// before the write (and so cannot include it). Zero before any build served.
    func expectedWait(through needed: UInt64, at now: Duration) -> Duration {
        guard let build = servingBuild else { return .zero }
        guard building != nil || !deferredSet, let lastStart else { return max(.zero, spacing(at: now)) + build }
        let remaining = max(.zero, build - (now - lastStart.at))
        return lastStart.through >= needed ? remaining : remaining + build
    }
}

/// A clock's time as durations since it was read first, so that the schedule works on any
/// clock (a test's, or the continuous clock the service runs on).
struct ElapsedClock: Sendable {
    let now: @Sendable () -> Duration
    let sleep: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        (now, sleep) = Self.open(clock)
    }

    private static func open<C: Clock<Duration>>(_ clock: C) -> (@Sendable () -> Duration, @Sendable (Duration) async throws -> Void) {
        let origin = clock.now
        return ({ origin.duration(to: clock.now) }, { try await clock.sleep(for: $0) })
    }
}
