/// One answer to "similar opportunities" or "similar people".
public struct SimilarItem: Sendable, Hashable, Codable {
    /// What the similarity rests on.
    public enum Basis: String, Sendable, Hashable, Codable {
        /// The same people showed interest in both (item-item or user-user cosine).
        case sharedInterest = "shared_interest"
        /// Their features are alike (for items nobody has shown interest in yet).
        case features
    }

    public var id: String
    public var title: String?
    /// In 0...1: the shrunk cosine of shared interest, or the feature cosine.
    public var similarity: Double
    public var basis: Basis
    /// How many people (or opportunities) the two share.
    public var shared: Int
    public var reason: String
}

/// The answer to a similar query.
public struct SimilarItems: Sendable, Hashable, Codable {
    public var subject: RecommendationSubject
    public var items: [SimilarItem]
    /// Why the list rests on features only, when it does.
    public var notice: String?
}

extension RecommendationEngine {
    /// The shrinkage of the shared-interest cosine: `|A ∩ B| / (√(|A| |B|) + shrink)`.
    public static let similarShrink = 10.0

    /// Opportunities like an opportunity, or people like a person.
    ///
    /// Similarity is first shared interest, as item-kNN and user-kNN compute it: the cosine of
    /// the two sets of people interested in two opportunities (or of opportunities two people
    /// were interested in), shrunk when few are shared. Candidates sharing nobody come after,
    /// by the cosine of their feature vectors, so a new opportunity still gets an answer.
    /// Opportunities: open ones only unless `includeClosed`. People: those who take work.
    ///
    /// - Throws: for an unknown id, a client, or a count outside 1...1000.
    public func similar(to subject: RecommendationSubject, count: Int = 10, includeClosed: Bool = false) throws(MatchworkError) -> SimilarItems {
        guard (1...RecommendationRequest.maximumCount).contains(count) else {
            throw MatchworkError(.invalidValue, "count \(count) must be between 1 and \(RecommendationRequest.maximumCount).", field: "count")
        }
        let words = features.words
        switch subject {
        case .opportunity(let id):
            let o = Int(try snapshot.index(of: id))
            let pool = snapshot.opportunities.indices.filter { $0 != o && (includeClosed || snapshot.opportunities[$0].status == .open) }
            let (items, anyShared) = rank(
                subject: o, pool: pool, sets: snapshot.positivePeople, inverse: snapshot.positiveOpportunities, vectors: index.opportunityVectors, count: count,
                describe: { c, shared in
                    shared > 0 ? "\(shared) \(shared == 1 ? words.person : words.people) interested in both" : "Similar features"
                },
                identity: { (snapshot.opportunities[$0].id.rawValue, snapshot.opportunities[$0].title) })
            return SimilarItems(
                subject: subject, items: items,
                notice: anyShared ? nil : "Nobody has shown interest in this \(words.opportunity) and another yet: ranked by features only.")
        case .person(let id):
            let p = Int(try snapshot.index(of: id))
            guard snapshot.people[p].role != .client else {
                throw MatchworkError(.invalidValue, "person '\(id)' is a \(words.client); similar people are found among those who take \(words.opportunities).", field: "person_id")
            }
            let pool = snapshot.takers.map(Int.init).filter { $0 != p }
            let (items, anyShared) = rank(
                subject: p, pool: pool, sets: snapshot.positiveOpportunities, inverse: snapshot.positivePeople, vectors: index.personVectors, count: count,
                describe: { c, shared in
                    shared > 0 ? "Interested in \(shared) of the same \(shared == 1 ? words.opportunity : words.opportunities)" : "Similar profile"
                },
                identity: { (snapshot.people[$0].id.rawValue, snapshot.people[$0].name) })
            return SimilarItems(
                subject: subject, items: items,
                notice: anyShared ? nil : "This \(words.person) shares no interest with another yet: ranked by profile only.")
        }
    }

    /// Ranks `pool` against `subject`: by the shrunk cosine of shared sets (`sets[x]`, whose
    /// members' own sets are `inverse`), then by feature cosine for candidates sharing nothing.
    private func rank(
        subject s: Int, pool: [Int], sets: [[DenseIndex]], inverse: [[DenseIndex]], vectors: DenseMatrix, count: Int,
        describe: (Int, Int) -> String, identity: (Int) -> (String, String?)
    ) -> (items: [SimilarItem], anyShared: Bool) {
        // |A ∩ B| for every candidate B sharing a member with the subject A.
        var common: [Int: Int] = [:]
        for member in sets[s] { for other in inverse[Int(member)] where Int(other) != s { common[Int(other), default: 0] += 1 } }
        let own = Double(sets[s].count)
        var scored: [(candidate: Int, tier: Int, similarity: Double, shared: Int)] = []
        scored.reserveCapacity(pool.count)
        vectors.withRow(s) { query in
            for c in pool {
                if let shared = common[c] {
                    let value = Double(shared) / ((own * Double(sets[c].count)).squareRoot() + Self.similarShrink)
                    scored.append((c, 1, value, shared))
                } else {
                    let value = vectors.withRow(c) { Double(max(0, VectorKernels.dot($0, query))) }
                    scored.append((c, 0, value, 0))
                }
            }
        }
        let best = Self.top(count, of: scored.map { Double($0.tier) * 2 + $0.similarity }) { a, b in
            (Double(scored[a].tier) * 2 + scored[a].similarity, scored[b].candidate) > (Double(scored[b].tier) * 2 + scored[b].similarity, scored[a].candidate)
        }
        let items = best.map { k -> SimilarItem in
            let entry = scored[k]
            let (id, title) = identity(entry.candidate)
            return SimilarItem(
                id: id, title: title, similarity: entry.similarity.roundedTo(4), basis: entry.tier == 1 ? .sharedInterest : .features, shared: entry.shared,
                reason: describe(entry.candidate, entry.shared))
        }
        return (items, !common.isEmpty)
    }
}
