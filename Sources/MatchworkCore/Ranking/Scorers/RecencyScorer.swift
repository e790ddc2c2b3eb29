extension RecommendationMode {
    /// Latest activity first: the last resort, not requestable (see ``Scorers/lastResort``).
    static let recency = RecommendationMode(declaring: "recency")
}

/// Latest activity first, scaled to 0...1 between the oldest and newest candidate: always
/// answers, so a list is never empty while an eligible candidate exists.
struct RecencyScorer: Scorer {
    var mode: RecommendationMode { .recency }

    func score(_ query: QueryState) -> Result<ScorerValues, Fallback> { .success(ScorerValues(values: values(query))) }

    func values(_ query: QueryState) -> [Double] {
        let snapshot = query.snapshot
        let times = query.candidates.map { c -> Double in
            if query.forPerson { return Double(snapshot.activity.opportunityRecords[Int(c)].lastActivity) }
            return Double(snapshot.events(ofPerson: c).last?.time ?? .min)
        }
        let finite = times.filter { $0 > Double(Int64.min) }
        guard let low = finite.min(), let high = finite.max(), high > low else {
            return times.map { $0 > Double(Int64.min) ? 1 : 0 }
        }
        return times.map { $0 > Double(Int64.min) ? ($0 - low) / (high - low) : 0 }
    }
}
