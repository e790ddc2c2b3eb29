import Logging
import MatchworkCore
import MatchworkStore
import NIOPosix

/// Keeps the stored worker scores (``WorkerScore``) in step with the serving engine: after an
/// engine build it recomputes every worker's score on the training thread and replaces the
/// stored set, at most once per `interval` (writes rebuild the engine often; the scores move
/// slowly), and always for the first engine.
actor ScoreKeeper {
    let store: any ServiceStore
    let pool: NIOThreadPool
    let logger: Logger
    let interval: Duration
    private var lastRun: ContinuousClock.Instant?
    private var newest = -1
    private var running = false

    init(store: any ServiceStore, pool: NIOThreadPool, logger: Logger, interval: Duration = .seconds(300)) {
        self.store = store
        self.pool = pool
        self.logger = logger
        self.interval = interval
    }

    nonisolated func engineInstalled(_ state: EngineHost.State) {
        Task { await self.update(from: state) }
    }

    private func update(from state: EngineHost.State) async {
        guard state.generation > newest, !running else { return }
        if let lastRun, lastRun.duration(to: .now) < interval { return }
        newest = state.generation
        running = true
        defer { running = false }
        lastRun = .now
        do {
            let scores = try await pool.runIfActive { state.engine.workerScores() }
            let kept = scores.filter { s in [s.overall, s.quality, s.reliability, s.experience, s.bidding, s.activity].allSatisfy { $0.isFinite && (0...100).contains($0) } }
            let written = try await store.replaceWorkerScores(kept)
            logger.info("Worker scores updated", metadata: ["updated": "\(written)", "failed": "\(scores.count - kept.count)"])
        } catch {
            logger.warning("The worker scores could not be updated; the stored ones stay", metadata: ["error": "\(error)"])
        }
    }
}
