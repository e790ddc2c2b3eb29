/// Descriptive statistics of a marketplace: counts, sparsity, ratings, and a summary specific
/// to its scenario (tier shares and mean ratings, price-driven picks, cancellations, fill and
/// pass rates).
public struct MarketplaceStatistics: Sendable, Codable, Hashable {
    /// A named figure of the summary.
    public struct Figure: Sendable, Codable, Hashable {
        public var name: String
        public var value: Double
        /// `count`, `share` (0-1), `mean`, `amount`.
        public var kind: String
    }

    public var scenario: ScenarioName?
    public var peopleByRole: [String: Int] = [:]
    public var opportunitiesByKind: [String: Int] = [:]
    public var opportunitiesByStatus: [String: Int] = [:]
    public var eventsByType: [String: Int] = [:]
    /// Distinct (person, opportunity) pairs with an event.
    public var interactingPairs = 0
    /// 1 - pairs / (takers × opportunities taken), where takers are workers and learners and
    /// job postings are left out.
    public var sparsity = 1.0
    public var meanRating: Double?
    /// Scenario-specific figures, in display order.
    public var summary: [Figure] = []

    public var events: Int { eventsByType.values.reduce(0, +) }

    /// Computes the statistics. `segments` label people (cleaner tiers, client budget tiers)
    /// when the marketplace is synthetic and its ground truth is known.
    public init(scenario: ScenarioName?, people: [Person], opportunities: [Opportunity], interactions: [Interaction], segments: [PersonID: String] = [:]) {
        self.scenario = scenario
        for p in people { peopleByRole[p.role.rawValue, default: 0] += 1 }
        for o in opportunities {
            opportunitiesByKind[o.kind.rawValue, default: 0] += 1
            opportunitiesByStatus[o.status.rawValue, default: 0] += 1
        }
        var pairs = Set<PairKey>()
        var ratingSum = 0.0, ratingCount = 0
        for i in interactions {
            eventsByType[i.type.rawValue, default: 0] += 1
            pairs.insert(PairKey(person: i.person, opportunity: i.opportunity))
            if i.type == .rate, let v = i.value { ratingSum += v; ratingCount += 1 }
        }
        interactingPairs = pairs.count
        let takers = people.filter { $0.role != .client }.count
        let taken = opportunities.filter { $0.kind != .posting }.count
        if takers > 0, taken > 0 { sparsity = 1 - Double(pairs.count) / (Double(takers) * Double(taken)) }
        meanRating = ratingCount > 0 ? ratingSum / Double(ratingCount) : nil

        switch scenario {
        case .cleaning: summary = Self.cleaning(people, opportunities, interactions, segments)
        case .missions: summary = Self.missions(people, opportunities, interactions)
        case .learning: summary = Self.learning(people, opportunities, interactions)
        case nil: summary = []
        }
    }

    private struct PairKey: Hashable {
        let person: PersonID
        let opportunity: OpportunityID
    }

    private static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    private static func cleaning(_ people: [Person], _ opportunities: [Opportunity], _ interactions: [Interaction], _ segments: [PersonID: String]) -> [Figure] {
        var figures: [Figure] = []
        let workers = people.filter { $0.role == .worker }
        let clients = people.filter { $0.role == .client }
        var ratings: [PersonID: [Double]] = [:]
        var bidsByJob: [OpportunityID: [(PersonID, Double)]] = [:]
        var hireByJob: [OpportunityID: PersonID] = [:]
        var endedBadly = Set<OpportunityID>()
        var bids: [PersonID: Int] = [:], hires: [PersonID: Int] = [:]
        var paid = 0.0
        for i in interactions {
            switch i.type {
            case .rate: if let v = i.value { ratings[i.person, default: []].append(v) }
            case .bid: bidsByJob[i.opportunity, default: []].append((i.person, i.value ?? 0)); bids[i.person, default: 0] += 1
            case .hire: hireByJob[i.opportunity] = i.person; hires[i.person, default: 0] += 1
            case .cancel, .noShow: endedBadly.insert(i.opportunity)
            case .complete: paid += i.value ?? 0
            default: break
            }
        }
        let tierOrder = ["premium", "experienced", "average", "budget"]
        let tiers = tierOrder.filter { t in workers.contains { segments[$0.id] == t } }
        for tier in tiers {
            let members = workers.filter { segments[$0.id] == tier }
            figures.append(Figure(name: "cleaners \(tier) share", value: Double(members.count) / Double(max(1, workers.count)), kind: "share"))
            figures.append(Figure(name: "cleaners \(tier) mean rating", value: mean(members.flatMap { ratings[$0.id] ?? [] }), kind: "mean"))
            figures.append(Figure(name: "cleaners \(tier) mean hourly rate", value: mean(members.compactMap { $0.attributes["hourly_rate"] }), kind: "amount"))
            let b = members.reduce(0) { $0 + (bids[$1.id] ?? 0) }, h = members.reduce(0) { $0 + (hires[$1.id] ?? 0) }
            figures.append(Figure(name: "cleaners \(tier) bid win rate", value: Double(h) / Double(max(1, b)), kind: "share"))
        }
        let clientOf = Dictionary(opportunities.compactMap { o in o.client.map { (o.id, $0) } }, uniquingKeysWith: { a, _ in a })
        for tier in ["high", "medium", "low"] where clients.contains(where: { segments[$0.id] == tier }) {
            let members = clients.filter { segments[$0.id] == tier }
            figures.append(Figure(name: "clients \(tier)-budget share", value: Double(members.count) / Double(max(1, clients.count)), kind: "share"))
            var cheapest = 0, decided = 0
            for (job, winner) in hireByJob {
                guard let client = clientOf[job], segments[client] == tier, let offers = bidsByJob[job], !offers.isEmpty else { continue }
                decided += 1
                let minimum = offers.map(\.1).min()!
                if offers.contains(where: { $0.0 == winner && $0.1 <= minimum }) { cheapest += 1 }
            }
            figures.append(Figure(name: "clients \(tier)-budget picked the cheapest bid", value: Double(cheapest) / Double(max(1, decided)), kind: "share"))
        }
        let jobs = opportunities.filter { $0.kind == .job }
        figures.append(Figure(name: "jobs", value: Double(jobs.count), kind: "count"))
        figures.append(Figure(name: "bids per job", value: Double(bidsByJob.values.reduce(0) { $0 + $1.count }) / Double(max(1, jobs.count)), kind: "mean"))
        figures.append(Figure(name: "accepted jobs cancelled or failed", value: Double(endedBadly.count) / Double(max(1, hireByJob.count)), kind: "share"))
        figures.append(Figure(name: "amount paid", value: paid, kind: "amount"))
        figures.append(Figure(name: "platform fees", value: opportunities.reduce(0) { $0 + ($1.attributes["platform_fee"] ?? 0) }, kind: "amount"))
        return figures
    }

    private static func missions(_ people: [Person], _ opportunities: [Opportunity], _ interactions: [Interaction]) -> [Figure] {
        let workers = people.filter { $0.role == .worker }
        let n = Double(max(1, workers.count))
        var figures: [Figure] = [
            Figure(name: "clinicians without a stated specialty", value: Double(workers.filter { $0.facets[.specialty].isEmpty }.count) / n, kind: "share"),
            Figure(name: "clinicians without stated services", value: Double(workers.filter { $0.facets[.service].isEmpty }.count) / n, kind: "share"),
            Figure(name: "clinicians without stated rhythms", value: Double(workers.filter { $0.facets[.rhythm].isEmpty }.count) / n, kind: "share"),
        ]
        let count = { (type: InteractionType) in Double(interactions.filter { $0.type == type }.count) }
        let missions = Double(max(1, opportunities.filter { $0.kind == .mission }.count))
        figures.append(Figure(name: "applications per mission", value: count(.apply) / missions, kind: "mean"))
        let decided = opportunities.filter { $0.status != .open }
        figures.append(Figure(name: "decided missions filled", value: Double(decided.filter { $0.status == .filled }.count) / Double(max(1, decided.count)), kind: "share"))
        figures.append(Figure(name: "hires completed", value: count(.complete) / max(1, count(.hire)), kind: "share"))
        figures.append(Figure(name: "hires cancelled or no-show", value: (count(.cancel) + count(.noShow)) / max(1, count(.hire)), kind: "share"))
        return figures
    }

    private static func learning(_ people: [Person], _ opportunities: [Opportunity], _ interactions: [Interaction]) -> [Figure] {
        let count = { (type: InteractionType) in Double(interactions.filter { $0.type == type }.count) }
        let learners = people.filter { $0.role == .learner }
        var figures: [Figure] = [
            Figure(name: "target occupations", value: Double(Set(learners.flatMap { $0.facets[.occupation] }).count), kind: "count"),
            Figure(name: "enrollments per learner", value: count(.enroll) / Double(max(1, learners.count)), kind: "mean"),
            Figure(name: "enrollments completed", value: count(.complete) / max(1, count(.enroll)), kind: "share"),
            Figure(name: "enrollments dropped", value: count(.cancel) / max(1, count(.enroll)), kind: "share"),
            Figure(name: "completions passed", value: count(.pass) / max(1, count(.pass) + count(.fail)), kind: "share"),
        ]
        let postings = opportunities.filter { $0.kind == .posting }.compactMap { $0.window?.start }.sorted()
        if let first = postings.first, let last = postings.last, last.secondsSinceEpoch - first.secondsSinceEpoch > 2 * 365 * 86_400 {
            let yearAfterFirst = first.adding(seconds: 365 * 86_400), yearBeforeLast = last.adding(seconds: -365 * 86_400)
            figures.append(Figure(name: "postings in the first year", value: Double(postings.filter { $0 < yearAfterFirst }.count), kind: "count"))
            figures.append(Figure(name: "postings in the last year", value: Double(postings.filter { $0 > yearBeforeLast }.count), kind: "count"))
        }
        return figures
    }

    /// The figure named `name`, if present.
    public func figure(_ name: String) -> Double? { summary.first { $0.name == name }?.value }
}
