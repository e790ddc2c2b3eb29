extension RecommendationMode {
    /// Latent factors learned from who took what (implicit ALS), with the subject's current
    /// history folded in.
    public static let collaborative = RecommendationMode(declaring: "collaborative")
}

/// Collaborative scores: the subject's factors folded in from their current history (so a
/// fresh event counts at once), against each candidate's learned factors, `x · y` kept where
/// positive and scaled so that the best candidate scores 1.
///
/// The queries of a batch share one product per direction: the factors of every candidate of
/// any of them, times every subject's folded-in factors.
struct CollaborativeScorer: Scorer {
    var mode: RecommendationMode { .collaborative }
    var scoresTogether: Bool { true }

    func score(_ query: QueryState) -> Result<ScorerValues, Fallback> { score(together: [query])[0] }

    func score(together queries: [QueryState]) -> [Result<ScorerValues, Fallback>] {
        guard let engine = queries.first?.engine else { return [] }
        let model: CollaborativeIndex
        do { model = try engine.collaborativeIndex() } catch {
            return queries.map { _ in .failure(fallback(error.message)) }
        }
        var results = [Result<ScorerValues, Fallback>?](repeating: nil, count: queries.count)
        var subjects: [[Float]?] = []
        for (i, query) in queries.enumerated() {
            switch subjectFactors(query, model) {
            case .success(let x): subjects.append(x)
            case .failure(let f):
                subjects.append(nil)
                results[i] = .failure(f)
            }
        }
        let f = model.factors
        for forPerson in [true, false] {
            let members = queries.indices.filter { queries[$0].forPerson == forPerson && subjects[$0] != nil }
            guard !members.isEmpty else { continue }
            let factors = forPerson ? model.opportunityFactors : model.personFactors
            if members.count == 1 {
                let query = queries[members[0]]
                results[members[0]] = result(query, model.scores(of: query.candidates, rows: factors, against: subjects[members[0]]!))
                continue
            }
            // The candidates of all the queries, each once, gathered into one matrix.
            var slot = [Int32](repeating: -1, count: factors.count / max(1, f))
            var union: [DenseIndex] = []
            for i in members { for c in queries[i].candidates where slot[Int(c)] < 0 { slot[Int(c)] = Int32(union.count); union.append(c) } }
            var rows = [Float](repeating: 0, count: union.count * f)
            for (r, c) in union.enumerated() { for d in 0..<f { rows[r * f + d] = factors[Int(c) * f + d] } }
            let q = members.count
            var x = [Float](repeating: 0, count: q * f)
            for (k, i) in members.enumerated() { for d in 0..<f { x[k * f + d] = subjects[i]![d] } }
            // S = rows · xᵀ: one column per query.
            var s = [Float](repeating: 0, count: union.count * q)
            rows.withUnsafeBufferPointer { a in
                x.withUnsafeBufferPointer { b in s.withUnsafeMutableBufferPointer { LinearAlgebra.gemm(a, b, transposeB: true, into: $0, m: union.count, n: q, k: f) } }
            }
            for (k, i) in members.enumerated() {
                results[i] = result(queries[i], queries[i].candidates.map { Double(s[Int(slot[Int($0)]) * q + k]) })
            }
        }
        return results.map { $0! }
    }

    /// The subject's folded-in factors, or why there are none.
    private func subjectFactors(_ query: QueryState, _ model: CollaborativeIndex) -> Result<[Float], Fallback> {
        let snapshot = query.snapshot, subject = Int(query.subject)
        if query.forPerson {
            let history = CollaborativeIndex.history(ofPerson: subject, in: snapshot)
            guard !history.isEmpty else { return .failure(fallback("the person has no history to learn from yet")) }
            return .success(model.personFactors(foldingIn: history))
        }
        let history = CollaborativeIndex.history(ofOpportunity: subject, in: snapshot)
        guard !history.isEmpty else {
            return .failure(fallback("nobody has shown interest in this \(query.engine.features.words.opportunity) yet"))
        }
        return .success(model.opportunityFactors(foldingIn: history))
    }

    /// The values from raw scores `x · y`.
    private func result(_ query: QueryState, _ values: [Double]) -> Result<ScorerValues, Fallback> {
        let words = query.engine.features.words
        return normalised(
            values.map { max(0, $0) },
            reason: query.forPerson
                ? "no candidate \(words.opportunity) shares history with the person's"
                : "no candidate's history resembles that of the people interested in this \(words.opportunity)")
    }

    /// "People with your history took this" when the candidate scores at least 0.3 of the best.
    func reasons(_ query: QueryState, candidate i: Int, part: ScorePart) -> [String] {
        guard part.points > 0, part.value >= 0.3 else { return [] }
        let words = query.engine.features.words
        return [query.forPerson
            ? "\(words.people.capitalisedFirst) with your history took this"
            : "Their history is like that of the \(words.people) who wanted this \(words.opportunity)"]
    }
}
