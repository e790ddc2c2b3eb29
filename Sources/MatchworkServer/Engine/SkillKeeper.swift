import Foundation
import Logging
import MatchworkCore
import NIOPosix

/// The skill side of the serving engine: its ``SkillMarket`` (requirements, demand, learners'
/// skills), the hire model fitted on its applications, and the answers given from them.
///
/// Built for an engine the first time a skill route asks, on the keeper's own threads (as many
/// as the scoring threads) and off the request path; the demand growth comes from the trends already fitted when there are
/// any. Answers are kept per engine build (up to ``answerCapacity``), so a write, which brings
/// a new engine, drops them: the same request after a write is answered from the new data.
actor SkillKeeper {
    /// Answers kept per engine build.
    static let answerCapacity = 1_024

    private let pool: NIOThreadPool
    private let trends: TrendKeeper
    private let logger: Logger
    private var market: (generation: Int, market: SkillMarket)?
    private var building: (generation: Int, task: Task<SkillMarket, any Error>)?
    private var model: (generation: Int, result: Result<HireProbabilityModel, MatchworkError>)?
    private var answers: (generation: Int, bytes: [String: [UInt8]]) = (-1, [:])

    init(pool: NIOThreadPool, trends: TrendKeeper, logger: Logger) {
        self.pool = pool
        self.trends = trends
        self.logger = logger
    }

    /// The market of `state`'s engine.
    func market(for state: EngineHost.State) async throws -> SkillMarket {
        if let market, market.generation == state.generation { return market.market }
        if let building, building.generation == state.generation { return try await building.task.value }
        let growth = await trends.book.map { book in
            var growth: [String: Double] = [:]
            for (key, trend) in book.trends { if case .skill(let name) = key, let g = trend.growth?.mean, g.isFinite { growth[name] = g } }
            return growth
        }
        let started = ContinuousClock.now
        let task = Task<SkillMarket, any Error> { [pool] in try await pool.runIfActive { SkillMarket(snapshot: state.engine.snapshot, growth: growth) } }
        building = (state.generation, task)
        let built = try await task.value
        let seconds = started.duration(to: .now).inSeconds
        if market == nil || market!.generation < state.generation {
            market = (state.generation, built)
            logger.info("Skill market built", metadata: ["generation": "\(state.generation)", "open_postings": "\(built.openPostings.count)", "seconds": "\(String(format: "%.2f", seconds))"])
        }
        if building?.generation == state.generation { building = nil }
        return built
    }

    /// The hire model for `state`'s engine (fitted once per build).
    func hireModel(for state: EngineHost.State, market: SkillMarket) async throws -> HireProbabilityModel {
        if let model, model.generation == state.generation { return try model.result.get() }
        let result = try await pool.runIfActive { () -> Result<HireProbabilityModel, MatchworkError> in
            do throws(MatchworkError) { return .success(try HireProbabilityModel.fit(HireProbabilityModel.examples(market))) } catch { return .failure(error) }
        }
        if model == nil || model!.generation <= state.generation { model = (state.generation, result) }
        return try result.get()
    }

    /// Runs `body` on one of the keeper's threads.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    func answer(_ key: String, generation: Int) -> [UInt8]? {
        answers.generation == generation ? answers.bytes[key] : nil
    }

    func keep(_ bytes: [UInt8], for key: String, generation: Int) {
        if answers.generation != generation {
            guard generation > answers.generation else { return }
            answers = (generation, [:])
        }
        if answers.bytes.count >= Self.answerCapacity { answers.bytes = [:] }
        answers.bytes[key] = bytes
    }
}
