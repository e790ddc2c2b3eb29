/// A worker's score as the marketplace shows it: the overall 0-100 and its five sub-scores, with
/// the rates and counts they come from.
///
/// The sub-scores are the rule-based scorer's person-quality rules (``RecommendationEngine``'s
/// `personQuality`, shrunk towards the population when the history is short), scaled to 0-100;
/// the overall is their blend by the engine's rule weights (quality 0.30, reliability 0.25,
/// experience 0.20, bidding 0.15, activity 0.10 by default). A sub-score with no history behind it
/// is listed in `assumed`.
public struct WorkerScore: Sendable, Hashable, Codable {
    public var person: PersonID
    public var overall: Double
    public var quality: Double
    public var reliability: Double
    public var experience: Double
    public var bidding: Double
    public var activity: Double
    /// The sub-scores resting on the population's prior alone.
    public var assumed: [String]
    /// Completed over finished (completed, cancelled, no-show) work; `nil` before any.
    public var completionRate: Double?
    /// Hired work not missed (1 − no-shows per hire); `nil` before any hire.
    public var onTimeRate: Double?
    /// Cancellations per hire; `nil` before any hire.
    public var cancellationRate: Double?
    /// Hires per bid or application; `nil` before any.
    public var winRate: Double?
    /// The mean of the worker's bids (amounts), and of each bid over the mean bid on its opportunity.
    public var averageBid: Double?
    public var averageBidRatio: Double?
    public var meanRating: Double?
    public var ratings: Int
    public var hires: Int
    public var completions: Int
    public var hiresLast30Days: Int
    public var hiresLast90Days: Int
    /// The facet values the worker's completed (else hired) work was most often in, most first
    /// (`service=deep`, `specialty=cardiology`), at most three.
    public var specialisation: [String]
    /// When it was computed (the marketplace's reference time).
    public var computedAt: Timestamp
}

extension RecommendationEngine {
    /// The score of every worker (and learner) of the marketplace, in the snapshot's order.
    public func workerScores() -> [WorkerScore] {
        snapshot.people.indices.compactMap { p in
            snapshot.people[p].role == .client ? nil : workerScore(DenseIndex(p))
        }
    }

    /// The score of `person`.
    /// - Throws: ``MatchworkError`` when the person is unknown or a client.
    public func workerScore(of person: PersonID) throws(MatchworkError) -> WorkerScore {
        let p = try snapshot.index(of: person)
        guard snapshot.people[Int(p)].role != .client else {
            throw MatchworkError(.invalidValue, "person '\(person.rawValue)' is a client; scores are kept for workers and learners.", field: "person_id")
        }
        return workerScore(p)
    }

    func workerScore(_ p: DenseIndex) -> WorkerScore {
        let q = Self.personQuality(p, in: snapshot)
        let rules = configuration.rules
        let weights = [rules.quality, rules.reliability, rules.experience, rules.bidding, rules.activity]
        let total = weights.reduce(0, +)
        let overall = total > 0 ? zip(q, weights).reduce(0) { $0 + $1.0.value * $1.1 } / total : 0
        let names = ["quality", "reliability", "experience", "bidding", "activity"]
        let w = snapshot.activity.workers[Int(p)]
        let finished = w.completions + w.cancellations + w.noShows
        let attempts = w.bids + w.applications
        var amounts: [Double] = [], counts: [String: Int] = [:], hiredCounts: [String: Int] = [:]
        for e in snapshot.events(ofPerson: p) {
            if e.type == .bid, !e.value.isNaN, e.value > 0 { amounts.append(Double(e.value)) }
            guard e.type == .complete || e.type == .hire else { continue }
            let o = snapshot.opportunities[Int(e.other)]
            for (facet, values) in o.required.values.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where facet != .rhythm {
                for v in values {
                    let key = "\(facet.rawValue)=\(v)"
                    if e.type == .complete { counts[key, default: 0] += 1 } else { hiredCounts[key, default: 0] += 1 }
                }
            }
        }
        let basis = counts.isEmpty ? hiredCounts : counts
        let specialisation = basis.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map(\.key)
        func points(_ x: Double) -> Double { (100 * x).roundedTo(1) }
        return WorkerScore(
            person: snapshot.people[Int(p)].id, overall: points(overall), quality: points(q[0].value), reliability: points(q[1].value),
            experience: points(q[2].value), bidding: points(q[3].value), activity: points(q[4].value),
            assumed: zip(names, q).filter { $0.1.assumed }.map(\.0),
            completionRate: finished > 0 ? (Double(w.completions) / Double(finished)).roundedTo(4) : nil,
            onTimeRate: w.hires > 0 ? (1 - Double(w.noShows) / Double(w.hires)).roundedTo(4) : nil,
            cancellationRate: w.hires > 0 ? (Double(w.cancellations) / Double(w.hires)).roundedTo(4) : nil,
            winRate: attempts > 0 ? (Double(w.hires) / Double(attempts)).roundedTo(4) : nil,
            averageBid: amounts.isEmpty ? nil : (amounts.reduce(0, +) / Double(amounts.count)).roundedTo(2),
            averageBidRatio: w.meanBidRatio.map { $0.roundedTo(4) }, meanRating: w.meanRating.map { $0.roundedTo(2) }, ratings: w.ratings,
            hires: w.hires, completions: w.completions, hiresLast30Days: w.hiresLast30Days, hiresLast90Days: w.hiresLast90Days,
            specialisation: Array(specialisation), computedAt: snapshot.now)
    }
}
