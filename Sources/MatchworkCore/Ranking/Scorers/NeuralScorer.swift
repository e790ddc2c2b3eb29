import Synchronization

extension RecommendationMode {
    /// The trained neural hybrid (collaborative and content parts, learned blend), from the
    /// model registry; the rule-based scorer answers when no trained model is usable.
    public static let neural = RecommendationMode(declaring: "neural")
}

/// The trained model's scores of the candidates (``RecommendationEngine/neuralScores(_:)``):
/// each pair's probability of a hire, scaled so that the best candidate scores 1, split into
/// the model's collaborative and content parts by their shares of the logit.
struct NeuralScorer: Scorer {
    var mode: RecommendationMode { .neural }
    var scoresTogether: Bool { true }

    func score(_ query: QueryState) -> Result<ScorerValues, Fallback> { score(together: [query])[0] }

    func score(together queries: [QueryState]) -> [Result<ScorerValues, Fallback>] {
        guard let engine = queries.first?.engine else { return [] }
        return engine.neuralScores(queries).map { result in
            result.map { ScorerValues(values: $0.values, split: [("neural_collaborative", $0.collaborativeShare), ("neural_content", $0.collaborativeShare.map { 1 - $0 })]) }
        }
    }

    /// "Among the trained model's best matches" when the candidate scores at least half the best.
    func reasons(_ query: QueryState, candidate i: Int, part: ScorePart) -> [String] {
        guard part.points > 0, part.value >= 0.5 else { return [] }
        let words = query.engine.features.words
        let collaborative = part.parts.first { $0.component == "neural_collaborative" }?.points ?? 0
        let share = part.points > 0 ? QueryState.whole(100 * collaborative / part.points) : 0
        return ["Among the trained model's best matches (\(QueryState.whole(100 * part.value))% of the top score)"
            + (share > 0 ? ", \(share)% of it from past hires between similar \(words.people) and \(words.clients)" : ", from the pair's features alone")]
    }
}

/// The trained model's scores of one query's candidates: each pair's probability of a hire,
/// `σ(s)`, scaled so that the best candidate scores 1 (as the collaborative component is), and
/// the share of the collaborative part in it, `|α c| / (|α c| + |(1 − α) t|)` (0 for a cold
/// pair, scored from content alone).
struct NeuralScores {
    var values: [Double]
    var probabilities: [Double]
    var collaborativeShare: [Double]
    var alpha: Double
    var version: String?
}

/// The trained model's ranking scores for many queries at once.
///
/// The first layer of each of the hybrid's two MLPs is linear in its input, so it splits by
/// side of the pair:
///
///     z₁(p, o) = P[p] + O[o] + Q(p, o)
///
/// `P` is the person's share with the layer's bias (their embedding; their rules, rates, home
/// and attributes), `O` the opportunity's (its embedding; its category embeddings, location,
/// start, interest and attributes) and `Q` the pair's own features (distance, job fit,
/// preference cosine, bid). `P` and `O` are worked out once per engine for every person who
/// takes work and every open opportunity (``NeuralTables``); a query adds its pairs' `Q`, and
/// the layers above run as one matrix product over every pair of every query scored together.
/// The scores are those of ``NeuralHybridModel/forward(_:workspace:)`` on the pairs' full
/// inputs, up to float rounding (the tests compare them).
extension RecommendationEngine {
    /// The ranking model for `target`, or why there is none to use.
    func neuralModel(for target: RankingTarget) -> Result<NeuralHybridModel, Fallback> {
        let name = RecommendationMode.neural.rawValue
        guard let learned else {
            return .failure(Fallback(component: name, reason: "no trained model is loaded; run `matchwork train --model neural` (the rule-based scorer answers meanwhile)"))
        }
        guard learned.encoder.scenario == snapshot.preset?.name else {
            let trained = learned.encoder.scenario?.rawValue ?? "a marketplace without a scenario"
            return .failure(Fallback(component: name, reason: "the trained model \(learned.version ?? "") was trained for \(trained), not this marketplace; train one on this store"))
        }
        guard let model = learned.ranker(for: target) else {
            return .failure(Fallback(component: name, reason: "the trained model \(learned.version ?? "") has no ranking model; train it again"))
        }
        return .success(model)
    }

    /// Each query's neural scores (or why it has none), scoring all the queries of one kind of
    /// list in one pass.
    func neuralScores(_ queries: [QueryState]) -> [Result<NeuralScores, Fallback>] {
        var results = [Result<NeuralScores, Fallback>?](repeating: nil, count: queries.count)
        let groups = Dictionary(grouping: queries.indices) { queries[$0].target }
        for (target, members) in groups {
            switch neuralModel(for: target) {
            case .failure(let f): for i in members { results[i] = .failure(f) }
            case .success(let model):
                let scores = neuralScores(model, target: target, encoder: learned!.encoder, queries: members.map { queries[$0] })
                for (k, i) in members.enumerated() { results[i] = scores[k] }
            }
        }
        return results.map { $0! }
    }

    private func neuralScores(_ model: NeuralHybridModel, target: RankingTarget, encoder: PairFeatureEncoder, queries: [QueryState]) -> [Result<NeuralScores, Fallback>] {
        let hc = model.collaborative.sizes[1], ht = model.content.sizes[1]
        let total = queries.reduce(0) { $0 + $1.candidates.count }
        let pairPositions = encoder.positions(of: .pair), dp = pairPositions.count
        // Every value of these is written below.
        var zc = [Float](unsafeUninitializedCapacity: total * hc) { $1 = total * hc }
        var zt = [Float](unsafeUninitializedCapacity: total * ht) { $1 = total * ht }
        var xp = [Float](repeating: 0, count: total * dp)
        var known = [Bool](repeating: false, count: total)
        var row = [Float](repeating: 0, count: encoder.continuousCount)
        let means = encoder.means, scales = encoder.scales
        var start = 0
        for query in queries {
            let subjectSide: PairFeatureEncoder.Side = query.forPerson ? .person : .opportunity
            let candidateSide: PairFeatureEncoder.Side = query.forPerson ? .opportunity : .person
            let subject = neuralSideRows(subjectSide, of: [query.subject], model: model, encoder: encoder)
            let count = candidateSide == .person ? snapshot.people.count : snapshot.opportunities.count
            var table = neuralTables.table(for: target, side: candidateSide) {
                let items = candidateSide == .person ? snapshot.takers : snapshot.openOpportunities
                return NeuralSideTable(rows: neuralSideRows(candidateSide, of: items, model: model, encoder: encoder), items: items, count: count)
            }
            if query.candidates.contains(where: { table.rowOf[Int($0)] < 0 }) {
                // A candidate outside the tabled ones (not expected): this query's own rows.
                table = NeuralSideTable(rows: neuralSideRows(candidateSide, of: query.candidates, model: model, encoder: encoder), items: query.candidates, count: count)
            }
            zc.withUnsafeMutableBufferPointer { zc in
                zt.withUnsafeMutableBufferPointer { zt in
                    subject.collaborative.withUnsafeBufferPointer { sc in
                        subject.content.withUnsafeBufferPointer { st in
                            table.rows.collaborative.withUnsafeBufferPointer { tc in
                                table.rows.content.withUnsafeBufferPointer { tt in
                                    let subjectKnown = subject.known[0]
                                    for (i, c) in query.candidates.enumerated() {
                                        let r = start + i, t = Int(table.rowOf[Int(c)])
                                        known[r] = subjectKnown && table.rows.known[t]
                                        Self.add(sc.baseAddress!, tc.baseAddress! + t * hc, into: zc.baseAddress! + r * hc, count: hc)
                                        Self.add(st.baseAddress!, tt.baseAddress! + t * ht, into: zt.baseAddress! + r * ht, count: ht)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for i in query.candidates.indices {
                query.pairOnlyFeatures(encoder, position: i, into: &row)
                let r = start + i
                for (j, position) in pairPositions.enumerated() { xp[r * dp + j] = (row[position] - means[position]) / scales[position] }
            }
            start += query.candidates.count
        }
        // zt += Q: the pair features through their rows of the content layer.
        let categorical = model.schema.categories.count * model.configuration.categoryWidth
        let (w1, _) = model.content.offsets(layer: 1)
        var pairWeights = [Float](repeating: 0, count: dp * ht)
        for (j, position) in pairPositions.enumerated() {
            let source = w1 + (categorical + position) * ht
            for h in 0..<ht { pairWeights[j * ht + h] = model.content.parameters[source + h] }
        }
        xp.withUnsafeBufferPointer { x in
            pairWeights.withUnsafeBufferPointer { w in
                zt.withUnsafeMutableBufferPointer { LinearAlgebra.gemm(x, w, into: $0, m: total, n: ht, k: dp, beta: 1) }
            }
        }
        let c = model.collaborative.outputs(fromFirstLayer: zc, rows: total)
        let t = model.content.outputs(fromFirstLayer: zt, rows: total)

        let alpha = model.alpha, shift = model.outputShift, scale = model.outputScale
        let coldIsZero = model.configuration.parts == .collaborative
        var results: [Result<NeuralScores, Fallback>] = []
        start = 0
        for query in queries {
            let n = query.candidates.count
            var values: [Double] = [], shares: [Double] = []
            values.reserveCapacity(n)
            shares.reserveCapacity(n)
            for r in start..<(start + n) {
                let final = shift + scale * (known[r] ? alpha * c[r] + (1 - alpha) * t[r] : coldIsZero ? 0 : t[r])
                values.append(Loss.sigmoid(Double(final)))
                if known[r] {
                    let a = abs(Double(alpha * c[r])), b = abs(Double((1 - alpha) * t[r]))
                    shares.append(a + b > 0 ? a / (a + b) : 0)
                } else {
                    shares.append(0)
                }
            }
            start += n
            let top = values.max() ?? 0
            guard top > 0 else {
                results.append(.failure(Fallback(component: RecommendationMode.neural.rawValue, reason: "the trained model gives every candidate a zero score")))
                continue
            }
            results.append(.success(NeuralScores(
                values: values.map { $0 / top }, probabilities: values, collaborativeShare: shares, alpha: Double(alpha), version: learned?.version)))
        }
        return results
    }

    /// `out[j] = a[j] + b[j]`, eight lanes at a time (a plain loop finishes the rest).
    @inline(__always)
    static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            let x = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self), y = UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + j).storeBytes(of: x + y, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count {
            out[j] = a[j] + b[j]
            j += 1
        }
    }

    /// One side's share of both first layers for `items` (people or opportunities), in order.
    func neuralSideRows(_ side: PairFeatureEncoder.Side, of items: [DenseIndex], model: NeuralHybridModel, encoder: PairFeatureEncoder) -> NeuralSideRows {
        precondition(side != .pair, "neuralSideRows: a side is the person or the opportunity")
        let n = items.count, w = model.configuration.embeddingWidth
        let hc = model.collaborative.sizes[1], ht = model.content.sizes[1]
        let person = side == .person
        var rows = NeuralSideRows(collaborative: [], content: [], known: [])

        // Collaborative: the embedding through its half of the first layer (+ bias, person side).
        let embeddingRows = items.map { x in
            person ? encoder.personRow(snapshot.people[Int(x)].id.rawValue) : encoder.opportunityRow(opportunityKey(x))
        }
        let table = person ? model.people : model.opportunities
        rows.known = embeddingRows.map { $0 >= 0 && Int($0) < table.rows }
        var x = [Float](repeating: 0, count: n * w)
        for (r, e) in embeddingRows.enumerated() where rows.known[r] {
            for d in 0..<w { x[r * w + d] = table.values[Int(e) * w + d] }
        }
        let (cw1, cb1) = model.collaborative.offsets(layer: 1)
        rows.collaborative = [Float](repeating: 0, count: n * hc)
        if person { for r in 0..<n { for j in 0..<hc { rows.collaborative[r * hc + j] = model.collaborative.parameters[cb1 + j] } } }
        let half = cw1 + (person ? 0 : w * hc)
        model.collaborative.parameters.withUnsafeBufferPointer { p in
            x.withUnsafeBufferPointer { x in
                rows.collaborative.withUnsafeMutableBufferPointer {
                    LinearAlgebra.gemm(x, UnsafeBufferPointer(rebasing: p[half..<(half + w * hc)]), into: $0, m: n, n: hc, k: w, beta: 1)
                }
            }
        }

        // Content: the side's category embeddings (opportunities) and scaled features through
        // their rows of the first layer (+ bias, person side).
        let cw = model.configuration.categoryWidth, facets = model.schema.categories.count, categorical = facets * cw
        let positions = encoder.positions(of: side)
        let inputs = (person ? 0 : categorical) + positions.count
        var features = [Float](repeating: 0, count: n * inputs)
        var raw = [Float](repeating: 0, count: encoder.continuousCount)
        let means = encoder.means, scales = encoder.scales
        for (r, item) in items.enumerated() {
            var k = r * inputs
            if person {
                personFeatures(encoder, item, into: &raw)
            } else {
                opportunityFeatures(encoder, item, into: &raw)
                let opportunity = snapshot.opportunities[Int(item)]
                for f in encoder.facets.indices {
                    let code = Int(encoder.category(f, of: opportunity))
                    for d in 0..<cw { features[k + d] = model.categories[f].values[code * cw + d] }
                    k += cw
                }
            }
            for position in positions {
                features[k] = (raw[position] - means[position]) / scales[position]
                k += 1
            }
        }
        let (tw1, tb1) = model.content.offsets(layer: 1)
        var weights = [Float](repeating: 0, count: inputs * ht)
        let sources = (person ? [] : Array(0..<categorical)) + positions.map { categorical + $0 }
        for (j, source) in sources.enumerated() {
            for h in 0..<ht { weights[j * ht + h] = model.content.parameters[tw1 + source * ht + h] }
        }
        rows.content = [Float](repeating: 0, count: n * ht)
        if person { for r in 0..<n { for j in 0..<ht { rows.content[r * ht + j] = model.content.parameters[tb1 + j] } } }
        features.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                rows.content.withUnsafeMutableBufferPointer { LinearAlgebra.gemm(x, w, into: $0, m: n, n: ht, k: inputs, beta: 1) }
            }
        }
        return rows
    }
}

/// One side's share of a hybrid's first layers, for some people or opportunities in order:
/// `rows × width` values per MLP, and whether each has an embedding.
struct NeuralSideRows: Sendable {
    var collaborative: [Float]
    var content: [Float]
    var known: [Bool]
}

/// A side's rows with the row of each dense index (-1: not tabled).
struct NeuralSideTable: Sendable {
    let rows: NeuralSideRows
    let rowOf: [Int32]

    /// `rows` for `items`, among `count` people or opportunities.
    init(rows: NeuralSideRows, items: [DenseIndex], count: Int) {
        self.rows = rows
        var rowOf = [Int32](repeating: -1, count: count)
        for (r, item) in items.enumerated() { rowOf[Int(item)] = Int32(r) }
        self.rowOf = rowOf
    }
}

/// The side tables of an engine's trained model, built on first use (under a lock, so that
/// concurrent first requests build them once).
final class NeuralTables: Sendable {
    private struct Key: Hashable {
        let target: RankingTarget
        let person: Bool
    }

    private let tables = Mutex<[Key: NeuralSideTable]>([:])

    func table(for target: RankingTarget, side: PairFeatureEncoder.Side, build: () -> NeuralSideTable) -> NeuralSideTable {
        tables.withLock { tables in
            let key = Key(target: target, person: side == .person)
            if let table = tables[key] { return table }
            let table = build()
            tables[key] = table
            return table
        }
    }
}
