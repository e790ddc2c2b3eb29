import RealModule

extension RecommendationMode {
    /// Recent interest, then recency.
    public static let popularity = RecommendationMode(declaring: "popularity")
}

/// Recent interest (decayed, half-life 14 days), as `log(1 + x) / log(1 + max)`: in an
/// opportunity for a person, in a person for an opportunity.
struct PopularityScorer: Scorer {
    var mode: RecommendationMode { .popularity }

    func score(_ query: QueryState) -> Result<ScorerValues, Fallback> {
        let activity = query.snapshot.activity
        let raw = query.candidates.map { c in
            query.forPerson ? activity.opportunityRecords[Int(c)].recentInterest : activity.workers[Int(c)].recentInterest
        }
        return normalised(raw.map { Double.log(1 + $0) }, reason: "no recent activity on any candidate")
    }
}
