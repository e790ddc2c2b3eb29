import Logging
import MatchworkCore
import MatchworkStore
import Synchronization

/// The experiments the service assigns subjects to, as the store has them, and the engine each
/// arm ranks with.
///
/// The list is read from the store when first needed, again at most every `refresh` (so that
/// `matchwork experiments update` from the command line reaches a running service), and at once
/// after a change through the API. A request that names no `mode` and whose kind of list a live
/// experiment covers is ranked by the arm its subject hashes to; a request naming a mode, or a
/// subject outside the shares, is served as the service would without the experiment.
final class ExperimentBook: Sendable {
    /// Where a request was assigned.
    struct Assignment: Sendable {
        let experiment: String
        let arm: ExperimentArm
        let target: RankingTarget
    }

    private struct Contents {
        var experiments: [Experiment] = []
        var loadedAt: ContinuousClock.Instant?
        /// Per `experiment/arm`: the arm's engine state, and the serving state it was made from.
        var states: [String: (base: ObjectIdentifier, state: EngineHost.State)] = [:]
    }

    let store: any ServiceStore
    let registry: ModelRegistry?
    let refresh: Duration
    let logger: Logger
    private let contents = Mutex(Contents())

    init(store: any ServiceStore, registry: ModelRegistry? = nil, refresh: Duration = .seconds(10), logger: Logger) {
        self.store = store
        self.registry = registry
        self.refresh = refresh
        self.logger = logger
    }

    /// Forgets the list, so the next request reads it again.
    func invalidate() { contents.withLock { $0.loadedAt = nil } }

    /// The experiments, read again when older than ``refresh``; a failed read keeps the last list.
    func experiments() async -> [Experiment] {
        let now = ContinuousClock.now
        let cached = contents.withLock { c -> [Experiment]? in
            guard let at = c.loadedAt, at.duration(to: now) < refresh else { return nil }
            return c.experiments
        }
        if let cached { return cached }
        do {
            let loaded = try await store.experiments()
            contents.withLock { c in
                c.experiments = loaded
                c.loadedAt = now
                let live = Set(loaded.flatMap { e in e.arms.map { "\(e.name)/\($0.name)" } })
                c.states = c.states.filter { live.contains($0.key) }
            }
            return loaded
        } catch {
            logger.warning("The experiments could not be read; the last list read serves", metadata: ["error": "\(error.message)"])
            return contents.withLock { c in
                c.loadedAt = now
                return c.experiments
            }
        }
    }

    /// The kind of list `request` asks for.
    static func target(of request: RecommendationRequest) -> RankingTarget {
        switch request.subject {
        case .person: .opportunities
        case .opportunity: request.pool == .applicants ? .applicants : .people
        }
    }

    /// The arm of the live experiment on `request`'s kind of list that its subject falls in.
    func assignment(for request: RecommendationRequest, at time: Timestamp) async -> Assignment? {
        let target = Self.target(of: request)
        for experiment in await experiments() where experiment.target == target && experiment.isLive(at: time) {
            guard let arm = experiment.arm(for: request.subject) else { return nil }
            return Assignment(experiment: experiment.name, arm: arm, target: target)
        }
        return nil
    }

    /// The serving state that ranks `assignment`'s arm, made from `base` (the engine serving
    /// now) once per arm and engine: its own model key keeps its lists apart in the cache.
    func state(for assignment: Assignment, base: EngineHost.State) throws(MatchworkError) -> EngineHost.State {
        let key = "\(assignment.experiment)/\(assignment.arm.name)"
        if let found = contents.withLock({ c in c.states[key].flatMap { $0.base == ObjectIdentifier(base) ? $0.state : nil } }) { return found }
        var engine = try assignment.arm.engine(base.engine, target: assignment.target)
        var models = base.models
        // Pinned versions replace the serving ones; one that no longer loads leaves the serving
        // one in its place, and the log says so.
        for (kind, version) in (assignment.arm.models ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let registry else { continue }
            do {
                let (model, metadata) = try registry.load(version, scenario: base.engine.snapshot.preset?.name)
                if kind == "neural", let learned = model.learned {
                    engine = engine.with(learnedModel: learned)
                    models.learned = learned
                } else if kind == "ranker", let ranker = model.ranker {
                    engine = engine.with(ranker: ranker)
                    models.ranker = ranker
                } else {
                    continue
                }
                models.versions[kind] = version
                models.metadata[kind] = metadata
            } catch {
                logger.warning(
                    "experiment arm serves its \(kind) model in place of the version it pins",
                    metadata: ["experiment": "\(assignment.experiment)", "arm": "\(assignment.arm.name)", "pinned": "\(version)", "reason": "\((error as? StoreError)?.message ?? "\(error)")"])
            }
        }
        let state = EngineHost.State(
            engine: engine, generation: base.generation, builtThrough: base.builtThrough, modelKey: "\(base.modelKey)|experiment:\(key)", models: models,
            builtAt: base.builtAt, buildDuration: base.buildDuration)
        contents.withLock { $0.states[key] = (ObjectIdentifier(base), state) }
        return state
    }
}
