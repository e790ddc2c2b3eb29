extension RecommendationMode {
    /// Cosine similarity between preference and opportunity vectors.
    public static let similarity = RecommendationMode(declaring: "similarity")
}

/// Cosine similarity of the subject's vector (a person's stated preferences, history and
/// defaults; an opportunity's features) with each candidate's, kept where positive.
struct SimilarityScorer: Scorer {
    var mode: RecommendationMode { .similarity }

    func score(_ query: QueryState) -> Result<ScorerValues, Fallback> {
        let index = query.index, forPerson = query.forPerson
        let matrix = forPerson ? index.opportunityVectors : index.personVectors
        let vectors = forPerson ? index.personVectors : index.opportunityVectors
        return vectors.withRow(Int(query.subject)) { q -> Result<ScorerValues, Fallback> in
            guard q.contains(where: { $0 != 0 }) else {
                return .failure(fallback(forPerson
                    ? "the person has no stated preferences, history or defaults to compare"
                    : "the \(query.engine.features.words.opportunity) has no features to compare"))
            }
            return .success(ScorerValues(values: query.candidates.map { c in matrix.withRow(Int(c)) { row in Double(max(0, VectorKernels.dot(row, q))) } }))
        }
    }

    /// "Close to…" when the candidate's similarity is at least half the best's.
    func reasons(_ query: QueryState, candidate i: Int, part: ScorePart) -> [String] {
        guard part.points > 0, part.value >= 0.5 else { return [] }
        let words = query.engine.features.words
        let (p, _) = query.pair(query.candidates[i])
        let history = query.index.summaries[Int(p)].historyCount > 0
        if query.forPerson { return [history ? "Close to what you took before" : "Close to your stated preferences"] }
        return [history ? "Took \(words.opportunities) like this one" : "Preferences match this \(words.opportunity)"]
    }
}
