import RealModule

/// An experiment run on a synthetic marketplace's hidden choice model: each arm ranks the
/// bidders of the jobs hired in the last `days` of the history, a simulated client reads the
/// list and hires (or not) by the generator's own choice probabilities, and the report is
/// computed from those simulated outcomes as it would be from real ones.
///
/// The marketplace is rebuilt as it was `days` before its end (``Backtest``'s applicants
/// protocol: the jobs hired later are open, with their bids), so no arm sees the outcomes it is
/// judged on. Each job is served on the day its hire happened. The client examines position `k`
/// of the list with probability `k^-examination` (position bias), then hires bidder `i` among
/// the examined with probability `pᵢ / (Σ_examined p + reservation)`, where `pᵢ` is the
/// generator's choice probability of `i` on that job (they sum to 1 over its bidders), and hires
/// no one otherwise: a list that puts the bidders the client wants first gets more hires. A
/// hired cleaner completes the job with their tier's true reliability. Examined bidders are
/// recorded as `viewed`, hires as `hired` (with the bid amount) and completions as `completed`.
///
/// Ranking is done once per arm (``prepare(people:opportunities:interactions:scenario:choices:reliability:arms:configuration:engineConfiguration:learned:ranker:)``);
/// each ``run(_:seed:)`` then only assigns subjects and draws clients, so that many seeds (an
/// A/A test's false-positive rate) cost little.
public struct ExperimentSimulation: Sendable {
    public struct Configuration: Sendable, Hashable, Codable {
        /// The days of history before the end that are simulated.
        public var days = 56
        /// Position bias: position `k` (from 1) is examined with probability `k^-examination`.
        public var examination = 1.0
        /// The weight of hiring no one, against choice probabilities summing to 1.
        public var reservation = 0.35
        /// The list length served.
        public var count = 10

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(days, "days", 1...3650)
            try check(count, "count", 1...RecommendationRequest.maximumCount)
            guard examination.isFinite, (0...10).contains(examination) else {
                throw MatchworkError(.invalidConfiguration, "examination \(examination) must be a position-bias exponent between 0 (every position read) and 10.", field: "examination")
            }
            guard reservation.isFinite, reservation >= 0, reservation <= 100 else {
                throw MatchworkError(.invalidConfiguration, "reservation \(reservation) must be a weight between 0 (always hire) and 100.", field: "reservation")
            }
        }
    }

    /// One simulated job: when it is served, each arm's list, and the client's true choice.
    struct Job: Sendable {
        let id: OpportunityID
        let servedAt: Timestamp
        let lists: [String: [PersonID]]
        let choice: [PersonID: Double]
        let amounts: [PersonID: Double]
    }

    public let configuration: Configuration
    public let arms: [ExperimentArm]
    /// The first simulated day's start and the end of the history.
    public let start: Timestamp
    public let end: Timestamp
    let jobs: [Job]
    let reliability: [PersonID: Double]

    /// The jobs simulated (those hired in the simulated days whose bidders the generator's choice model covers).
    public var subjects: Int { jobs.count }

    /// Ranks every simulated job's bidders with each arm.
    /// - Parameters:
    ///   - choices: the generator's choice probability of each bidder per job (``Backtest`` ceiling's).
    ///   - reliability: each worker's true chance of completing a job they were hired for (1 when missing).
    ///   - learned, ranker: the models the arms that need them rank with, trained before `start`.
    public static func prepare(
        people: [Person], opportunities: [Opportunity], interactions: [Interaction], scenario: ScenarioName?, choices: [OpportunityID: [PersonID: Double]],
        reliability: [PersonID: Double], arms: [ExperimentArm], configuration: Configuration = Configuration(), engineConfiguration: EngineConfiguration = EngineConfiguration(),
        learned: LearnedModel? = nil, ranker: RankerModel? = nil, parallelism: Int = 2
    ) async throws(MatchworkError) -> ExperimentSimulation {
        try configuration.validate()
        guard !choices.isEmpty else {
            throw MatchworkError(
                .invalidValue, "the store has no hidden choice model to simulate clients with; simulate on a marketplace made by `matchwork generate cleaning`.", field: "store")
        }
        let standing = Interaction.standing(interactions)
        let hires = standing.filter { $0.type == .hire }.sorted { ($0.timestamp, $0.opportunity) < ($1.timestamp, $1.opportunity) }
        guard let last = hires.last?.timestamp else {
            throw MatchworkError(.invalidValue, "the marketplace has no hires; a simulation replays the jobs hired in its last days.", field: "interactions")
        }
        let end = last.adding(seconds: 1)
        let start = end.adding(seconds: -Int64(configuration.days) * 86_400)
        let data = Backtest.Data(people: people, opportunities: opportunities, interactions: standing, outcomes: hires, scenario: scenario, maxSubjects: Int.max)
        let window = try data.window(cut: start, horizonEnd: end, configuration: engineConfiguration, cache: FeatureCache(), learned: learned).with(ranker: ranker)
        let firstHire = Dictionary(hires.map { ($0.opportunity, $0.timestamp) }, uniquingKeysWith: min)
        var amounts: [OpportunityID: [PersonID: Double]] = [:]
        for e in standing where e.type == .bid { if let v = e.value { amounts[e.opportunity, default: [:]][e.person] = v } }
        let subjects = window.opportunitySubjects.map(\.0).filter { choices[$0] != nil && firstHire[$0] != nil }

        var lists: [String: [[PersonID]?]] = [:]
        for arm in arms where lists[arm.name] == nil {
            let engine = try arm.engine(window.applicantEngine, target: .applicants)
            let requests = subjects.map { RecommendationRequest(.opportunity($0), count: configuration.count, mode: arm.mode, pool: .applicants, explain: false) }
            let results = await engine.recommend(batch: requests, parallelism: parallelism)
            lists[arm.name] = results.map { result in (try? result.get()).map { $0.items.map { PersonID($0.id) } } }
        }
        var jobs: [Job] = []
        for (k, job) in subjects.enumerated() {
            var byArm: [String: [PersonID]] = [:]
            for arm in arms { if let list = lists[arm.name]?[k] { byArm[arm.name] = list } }
            guard byArm.count == arms.count, let hired = firstHire[job] else { continue }
            // Served shortly before the hire it replays, and never before the simulation starts.
            let servedAt = max(start, hired.adding(seconds: -6 * 3600))
            jobs.append(Job(id: job, servedAt: servedAt, lists: byArm, choice: choices[job] ?? [:], amounts: amounts[job] ?? [:]))
        }
        return ExperimentSimulation(configuration: configuration, arms: arms, start: start, end: end, jobs: jobs, reliability: reliability)
    }

    /// The observations of `experiment` (its arms those prepared; it starts at ``start``) with
    /// clients drawn from `seed`, and their report.
    public func run(_ experiment: Experiment, seed: UInt64) throws(MatchworkError) -> (report: ExperimentReport, observations: ExperimentObservations) {
        let prepared = Set(arms.map(\.name))
        for arm in experiment.arms where !prepared.contains(arm.name) {
            throw MatchworkError(.invalidValue, "arm '\(arm.name)' was not ranked by this simulation; prepare it with the experiment's arms.", field: "arms")
        }
        var experiment = experiment
        experiment.start = start
        if !experiment.rollout.isEmpty { experiment.rollout[0].at = start }
        var lists: [ExperimentObservations.List] = [], outcomes: [ExperimentObservations.Outcome] = []
        for job in jobs {
            guard let arm = experiment.arm(for: .opportunity(job.id)), let list = job.lists[arm.name] else { continue }
            // Each job's client draws from its own stream, so that an arm's draws do not depend on the others'.
            var rng = SeededGenerator(seed: seed ^ UInt64(truncatingIfNeeded: ExperimentAssignment.unit(experiment: "simulation", subject: .opportunity(job.id)).bitPattern))
            let id = "sim-\(job.id.rawValue)"
            lists.append(ExperimentObservations.List(id: id, subject: .opportunity(job.id), arm: arm.name, servedAt: job.servedAt, items: list.count))
            var examined: [PersonID] = []
            for (k, person) in list.enumerated() where Double.random(in: 0..<1, using: &rng) < Double.pow(Double(k + 1), -configuration.examination) {
                examined.append(person)
                outcomes.append(ExperimentObservations.Outcome(list: id, item: person.rawValue, outcome: "viewed", value: nil, at: job.servedAt.adding(seconds: Int64(60 * (k + 1)))))
            }
            let weights = examined.map { job.choice[$0] ?? 0 }
            let total = weights.reduce(0, +) + configuration.reservation
            guard total > 0 else { continue }
            var u = Double.random(in: 0..<total, using: &rng)
            guard let chosen = weights.indices.first(where: { u -= weights[$0]; return u < 0 }) else { continue }
            let person = examined[chosen]
            let hiredAt = job.servedAt.adding(seconds: 3600 + Int64(Double.random(in: 0..<1, using: &rng) * 4 * 3600))
            outcomes.append(ExperimentObservations.Outcome(list: id, item: person.rawValue, outcome: "hired", value: job.amounts[person], at: hiredAt))
            if Double.random(in: 0..<1, using: &rng) < (reliability[person] ?? 1) {
                outcomes.append(ExperimentObservations.Outcome(list: id, item: person.rawValue, outcome: "completed", value: nil, at: hiredAt.adding(seconds: 2 * 86_400)))
            }
        }
        let observations = ExperimentObservations(lists: lists, outcomes: outcomes, feedback: [])
        return (ExperimentReport(experiment: experiment, observations: observations, now: end), observations)
    }
}
