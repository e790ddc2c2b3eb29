import Foundation
import Logging
import MatchworkCore
import MatchworkStore
import NIOPosix

/// Whose data a write touched: the key under which a subject's writes are counted.
enum SubjectKey: Hashable, Sendable {
    case person(String)
    case opportunity(String)

    init(_ subject: RecommendationSubject) {
        switch subject {
        case .person(let id): self = .person(id.rawValue)
        case .opportunity(let id): self = .opportunity(id.rawValue)
        }
    }
}

/// The engine the service answers with: built from the store and the registry's serving models,
/// and rebuilt in the background after writes.
///
/// Writes are counted; each build records the count it includes. A request about a subject
/// written since the last build waits for the next build (up to the service's `fresh_wait`), so
/// that a caller reads its own writes; other requests are answered by the last build while the
/// next one runs. After a write the engine rebuilds at most every `refreshInterval` seconds, and
/// never sooner after the last build ended than that build took: ``RebuildSchedule`` decides
/// when, and the host carries it out (tasks, timers, waiting requests).
actor EngineHost {
    /// One built engine and what it was built from (a class: every request takes one).
    final class State: Sendable {
        let engine: RecommendationEngine
        let generation: Int
        /// Writes up to this count are in the engine.
        let builtThrough: UInt64
        /// The serving models' versions, `als-000002,neural-000003`, or empty.
        let modelKey: String
        let models: ServingModels
        /// When it was built (wall time, for `/health/ready`).
        let builtAt: Date
        /// How long the build took, to time the next builds by.
        let buildDuration: Duration
        var seconds: Double { buildDuration.inSeconds }

        init(engine: RecommendationEngine, generation: Int, builtThrough: UInt64, modelKey: String, models: ServingModels, builtAt: Date, buildDuration: Duration) {
            self.engine = engine
            self.generation = generation
            self.builtThrough = builtThrough
            self.modelKey = modelKey
            self.models = models
            self.builtAt = builtAt
            self.buildDuration = buildDuration
        }

        convenience init(engine: RecommendationEngine, generation: Int, builtThrough: UInt64, modelKey: String, models: ServingModels, builtAt: Date, seconds: Double) {
            self.init(
                engine: engine, generation: generation, builtThrough: builtThrough, modelKey: modelKey, models: models, builtAt: builtAt,
                buildDuration: .milliseconds(Int64((seconds * 1000).rounded())))
        }
    }

    let store: any ServiceStore
    let registry: ModelRegistry
    let configuration: EngineConfiguration
    let pool: NIOThreadPool
    let logger: Logger
    /// The time the schedule runs on, and sleeps its timers on.
    private let clock: ElapsedClock

    private(set) var state: State?
    /// Runs on a build that brings other models than the serving engine's (the first build
    /// included), before it serves, with the subjects' write counts: the cache's warming.
    private var preparation: (@Sendable (State, [SubjectKey: UInt64]) async -> Void)?
    /// Told of every engine that starts serving (the demand trends refit from it).
    private var installed: [@Sendable (State) -> Void] = []
    /// When to build (see ``RebuildSchedule``).
    private var schedule: RebuildSchedule
    private var building: Task<State, any Error>?
    /// Requests waiting for a build through a write count (see ``current(for:patience:)``).
    private var waiters: [Int: (needed: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var nextWaiter = 0

    /// - Parameter clock: the time rebuilds are scheduled by (the continuous clock; a test's own).
    init(
        store: any ServiceStore, registry: ModelRegistry, configuration: EngineConfiguration, pool: NIOThreadPool, refreshInterval: Double, logger: Logger,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.store = store
        self.registry = registry
        self.configuration = configuration
        self.pool = pool
        self.logger = logger
        self.clock = ElapsedClock(clock)
        schedule = RebuildSchedule(refreshInterval: .seconds(refreshInterval))
    }

    /// Sets what runs on a build with other models before it serves (see `preparation`).
    func prepareSwitches(with body: @escaping @Sendable (State, [SubjectKey: UInt64]) async -> Void) {
        preparation = body
    }

    /// Adds what is told of each engine as it starts serving (see `installed`).
    func onInstall(_ body: @escaping @Sendable (State) -> Void) {
        installed.append(body)
        if let state { body(state) }
    }

    /// The engine to answer about `subject` with, the subject's write count (part of cache
    /// keys), and whether that engine predates a write about the subject (`stale`).
    ///
    /// When the subject was written since the serving engine was built, this waits up to
    /// `patience` for a build that includes the write (starting one if none runs), and past
    /// it answers with the serving engine, stale. With no engine yet it waits for the first.
    func current(for subject: SubjectKey?, patience: Duration) async throws -> (state: State, writes: UInt64, stale: Bool) {
        let needed = subject.map { schedule.writeCount(of: $0) } ?? 0
        if let state, state.builtThrough >= needed { return (state, needed, false) }
        guard state != nil else {
            while true {
                if let state, state.builtThrough >= needed { return (state, needed, false) }
                _ = try await rebuild()
            }
        }
        perform(schedule.buildSoon(at: clock.now()))
        // A build expected to take longer than `patience` (judging by the last one) is not
        // waited for: the answer would be stale all the same, only later.
        if patience > .zero, schedule.expectedWait(through: needed, at: clock.now()) <= patience { await wait(through: needed, atMost: patience) }
        let state = self.state!
        return (state, needed, state.builtThrough < needed)
    }

    /// Does what the schedule says: builds (failures logged; the serving engine stays), or sets
    /// a timer that reports back.
    private func perform(_ action: RebuildSchedule.Action) {
        switch action {
        case .none: break
        case .build: Task { await self.rebuildLogged() }
        case .wake(let delay, let timer):
            Task { [weak self, clock] in
                try? await clock.sleep(delay)
                await self?.fired(timer)
            }
        }
    }

    private func fired(_ timer: RebuildSchedule.Timer) {
        perform(schedule.fired(timer, at: clock.now()))
    }

    /// Suspends until a build through `needed` is installed, a build fails, or `patience` passes.
    private func wait(through needed: UInt64, atMost patience: Duration) async {
        let id = nextWaiter
        nextWaiter += 1
        let timeout = Task { [weak self, clock] in
            try? await clock.sleep(patience)
            await self?.resumeWaiter(id)
        }
        await withCheckedContinuation { continuation in waiters[id] = (needed, continuation) }
        timeout.cancel()
    }

    private func resumeWaiter(_ id: Int) {
        waiters.removeValue(forKey: id)?.continuation.resume()
    }

    /// The subject's write count.
    func writeCount(of subject: SubjectKey) -> UInt64 { schedule.writeCount(of: subject) }

    /// Records a committed write touching `subjects`, and schedules a rebuild.
    func noteWrite(_ subjects: [SubjectKey]) {
        perform(schedule.wrote(subjects, at: clock.now()))
    }

    private func rebuildLogged() async {
        do { _ = try await rebuild() } catch {
            logger.error("Rebuilding the engine after writes failed; the previous engine keeps serving", metadata: ["error": "\(error)"])
        }
    }

    /// Builds an engine that includes everything committed so far, in the store and in the
    /// registry (a build already running may predate a model just saved, so it is not enough to
    /// join it), and makes it current.
    @discardableResult
    func refresh() async throws -> State {
        let needed = schedule.countWrite()
        while true {
            if let state, state.builtThrough >= needed { return state }
            _ = try await rebuild()
        }
    }

    /// Builds a new engine from the store and the registry, or joins the build in progress, and
    /// makes it current. A build with other models than the serving engine's is first prepared
    /// (its cache warmed), so that it serves from a warm cache.
    ///
    /// The build installs its engine (and clears `building`) on the actor before its task
    /// finishes, so a caller that joined it and still needs a newer build starts one. (When a
    /// finished task stayed in `building` until its starter resumed, a caller looping in
    /// ``current(for:)`` kept joining it without ever giving the actor up: a livelock at 100%
    /// CPU that even SIGTERM could not end.)
    @discardableResult
    func rebuild() async throws -> State {
        if let building { return try await building.value }
        let started = clock.now()
        let (generation, through) = schedule.buildStarted(at: started)
        // The task runs on this actor (it uses `self`), giving it up while it awaits the store
        // and the thread pool, so `install` happens before the task's value is seen.
        let task = Task { [store, registry, configuration, pool, clock] in
            do {
                let snapshot = try await store.snapshot(now: nil)
                let state = try await pool.runIfActive {
                    let models = registry.servingModels(for: snapshot)
                    let engine = try RecommendationEngine(
                        snapshot: snapshot, configuration: models.configure(configuration), collaborativeCache: models.collaborative?.cache, learnedModel: models.learned
                    ).with(ranker: models.ranker)
                    return State(
                        engine: engine, generation: generation, builtThrough: through, modelKey: models.versionKey, models: models, builtAt: Date(),
                        buildDuration: clock.now() - started)
                }
                if let preparation = self.preparation, self.state?.modelKey != state.modelKey {
                    // The engine serving now keeps answering meanwhile.
                    await preparation(state, self.schedule.subjectWrites)
                }
                self.install(state)
                return state
            } catch {
                self.buildFailed(generation)
                throw error
            }
        }
        building = task
        return try await task.value
    }

    /// Makes a finished build current (unless a newer one already is) and logs it.
    private func install(_ built: State) {
        if building != nil, schedule.building == built.generation { building = nil }
        let installs = state.map { $0.generation < built.generation } ?? true
        schedule.buildEnded(built.generation, at: clock.now(), serving: installs ? built.buildDuration : nil)
        for note in built.models.notes { logger.notice("\(note)") }
        logger.info(
            "Engine built",
            metadata: [
                "generation": "\(built.generation)", "people": "\(built.engine.snapshot.people.count)",
                "opportunities": "\(built.engine.snapshot.opportunities.count)", "models": "\(built.modelKey.isEmpty ? "none" : built.modelKey)",
                "seconds": "\(String(format: "%.2f", built.seconds))",
            ])
        guard installs else { return }
        state = built
        for tell in installed { tell(built) }
        for (id, waiter) in waiters where waiter.needed <= built.builtThrough { resumeWaiter(id) }
        // Writes that arrived during this build: the requests waiting for them need another.
        if !waiters.isEmpty, building == nil { perform(schedule.buildSoon(at: clock.now())) }
    }

    private func buildFailed(_ failed: Int) {
        if schedule.building == failed { building = nil }
        schedule.buildEnded(failed, at: clock.now(), serving: nil)
        // Waiting longer would not help: the waiting requests are answered by the serving engine.
        for id in Array(waiters.keys) { resumeWaiter(id) }
    }
}
