extension RecommendationMode {
    /// Votes of similar people (or of people who took similar opportunities).
    public static let neighbourhood = RecommendationMode(declaring: "neighbourhood")
}

/// Neighbourhood votes.
///
/// For a person: the `k` people with the largest weight `cos⁺(u, v) × (0.1 + J(u, v))`,
/// where `cos` compares preference vectors and `J` is the Jaccard similarity of the two
/// interaction sets, vote for the opportunities they showed net positive interest in (weight
/// 1) and, with weight 0.5 per hire, for opportunities of clients they were hired by.
/// For an opportunity: the `k` opportunities with the largest weight `cos⁺ × (0.1 + J) ×
/// (1.5 if same client)` vote for the people who showed net positive interest in them.
///
/// The neighbours found are kept in the query (``QueryState/neighbours``) for the
/// explanations ("Took 3 similar jobs").
struct NeighbourhoodScorer: Scorer {
    var mode: RecommendationMode { .neighbourhood }

    /// The vote a similar person's hire gives every opportunity of the same client.
    static let clientVoteShare = 0.5

    func score(_ query: QueryState) -> Result<ScorerValues, Fallback> {
        let engine = query.engine, snapshot = query.snapshot, index = query.index, subject = query.subject
        let words = engine.features.words
        let k = engine.configuration.neighbours
        let heap: MinHeap
        if query.forPerson {
            heap = nearest(
                query, k, own: snapshot.touchedOpportunities[Int(subject)], owners: snapshot.touchedPeople, touchedCounts: snapshot.touchedCounts,
                vectors: index.personVectors, pool: snapshot.takers, eligible: index.tables.isTaker, boost: { _ in 1 }, maxBoost: 1)
        } else {
            let client = snapshot.clientOf[Int(subject)], clientOf = snapshot.clientOf
            heap = nearest(
                query, k, own: snapshot.touchedPeople[Int(subject)], owners: snapshot.touchedOpportunities, touchedCounts: index.tables.touchedPeopleCounts,
                vectors: index.opportunityVectors, pool: index.tables.voters, eligible: index.tables.hasPositivePeople,
                boost: { client >= 0 && clientOf[$0] == client ? 1.5 : 1 }, maxBoost: 1.5)
        }
        let neighbours = heap.items.sorted { ($0.weight, $1.other) > ($1.weight, $0.other) }
        query.neighbours = neighbours
        let candidates = query.candidates
        if query.forPerson {
            let values = engine.scratch.withBuffer(count: snapshot.opportunities.count + snapshot.people.count) { buffer -> [Double] in
                buffer.initialize(repeating: 0)
                let clientBase = snapshot.opportunities.count
                for (w, q) in neighbours {
                    for o in snapshot.positiveOpportunities[Int(q)] { buffer[Int(o)] += Float(w) }
                    for e in snapshot.events(ofPerson: q) where e.type == .hire {
                        let client = snapshot.clientOf[Int(e.other)]
                        if client >= 0 { buffer[clientBase + Int(client)] += Float(Self.clientVoteShare * w) }
                    }
                }
                return candidates.map { c -> Double in
                    let client = snapshot.clientOf[Int(c)]
                    return Double(buffer[Int(c)]) + (client >= 0 ? Double(buffer[clientBase + Int(client)]) : 0)
                }
            }
            return normalised(values, reason: "no similar \(words.person) showed interest in these \(words.opportunities) or their \(words.clients)")
        }
        let values = engine.scratch.withBuffer(count: snapshot.people.count) { votes -> [Double] in
            votes.initialize(repeating: 0)
            for (w, o) in neighbours { for q in snapshot.positivePeople[Int(o)] { votes[Int(q)] += Float(w) } }
            return candidates.map { Double(votes[Int($0)]) }
        }
        return normalised(values, reason: "no eligible \(words.person) took a similar \(words.opportunity)")
    }

    /// The `k` items of the subject's kind (people for a person, opportunities for an
    /// opportunity) with the largest weight `cos⁺ × (0.1 + J) × boost`, among `pool`.
    ///
    /// `own` is the subject's interaction set, `owners[x]` the items that touched `x`, and
    /// `touchedCounts` the size of each item's set, so `J` is computed from shared counts. An
    /// item sharing nothing weighs at most `0.1 × maxBoost`: when the `k` best among the items
    /// sharing something already weigh more, the full cosine scan is skipped, with the same
    /// result.
    private func nearest(
        _ query: QueryState, _ k: Int, own: [DenseIndex], owners: [[DenseIndex]], touchedCounts: [Int32], vectors: DenseMatrix, pool: [DenseIndex], eligible: [Bool],
        boost: (Int) -> Double, maxBoost: Double
    ) -> MinHeap {
        let scratch = query.engine.scratch, subject = query.subject
        var heap = MinHeap(capacity: k)
        let n = vectors.rows
        scratch.withBuffer(count: n) { common in
            // Interactions shared with each item (exact in Float up to 2^24).
            common.initialize(repeating: 0)
            var sharers: [DenseIndex] = []
            for x in own {
                for y in owners[Int(x)] {
                    if common[Int(y)] == 0 { sharers.append(y) }
                    common[Int(y)] += 1
                }
            }
            func weight(_ y: Int, cosine: Float) -> Double {
                let shared = Double(common[y])
                let jaccard = shared == 0 ? 0 : shared / (Double(own.count + Int(touchedCounts[y])) - shared)
                return Double(cosine) * (0.1 + jaccard) * boost(y)
            }
            vectors.withRow(Int(subject)) { u in
                for y in sharers where y != subject && eligible[Int(y)] {
                    let cosine = vectors.withRow(Int(y)) { VectorKernels.dot($0, u) }
                    if cosine > 0 { heap.offer((weight(Int(y), cosine: cosine), y)) }
                }
                if heap.isFull, heap.minimum > 0.1 * maxBoost { return }
                heap = MinHeap(capacity: k)
                scratch.withBuffer(count: n) { cosines in
                    VectorKernels.scoreRows(of: vectors, against: u, into: cosines)
                    for y in pool where y != subject && cosines[Int(y)] > 0 {
                        heap.offer((weight(Int(y), cosine: cosines[Int(y)]), y))
                    }
                }
            }
        }
        return heap
    }
}
