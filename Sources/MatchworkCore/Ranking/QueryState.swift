import RealModule

/// The scores of one request: each component's values per candidate, their weights, and
/// which components answered.
struct Blend {
    struct Component {
        let name: String
        let weight: Double
        let values: [Double]
    }
    var components: [Component]
    var scores: [Double]
    var answeredBy: [String]
    var fallbacks: [Fallback]
}

/// The work of one request: lazily computed component scores and the evidence behind them.
final class QueryState {
    let engine: RecommendationEngine
    let subject: DenseIndex
    let forPerson: Bool
    let candidates: [DenseIndex]
    /// The kind of list ranked, which picks the ensemble weights.
    let target: RankingTarget
    var snapshot: MarketplaceSnapshot { engine.snapshot }
    var index: FeatureIndex { engine.index }

    /// For a person subject: whether each feature position is among their preferences.
    private(set) lazy var wantedMask: [Bool] = {
        var mask = [Bool](repeating: false, count: index.space.dimension)
        if forPerson {
            let positions = index.tables.preferencePositions
            for k in positions.range(Int(subject)) { mask[Int(positions.values[k])] = true }
        }
        return mask
    }()

    /// The bids on the subject opportunity (opportunity subject).
    private lazy var bidBoard = BidBoard(forPerson ? [] : snapshot.events(onOpportunity: subject))
    /// The opportunities the subject person bid on (person subject). Their bid contexts are
    /// worked out when asked for: most bids are on opportunities no longer open.
    private lazy var personBids: Set<DenseIndex> = {
        guard forPerson else { return [] }
        return Set(snapshot.events(ofPerson: subject).lazy.filter { $0.type == .bid }.map(\.other))
    }()

    /// The bid behind a candidate pair, if the person bid.
    func bid(_ c: DenseIndex) -> BidContext? {
        if forPerson { return personBids.contains(c) ? engine.bidContext(person: subject, opportunity: c) : nil }
        return bidBoard.isEmpty ? nil : bidBoard.context(of: c)
    }

    /// The neighbourhood component's neighbours, by weight: similar people (person subject) or
    /// similar opportunities (opportunity subject).
    private(set) var neighbours: [(weight: Double, other: DenseIndex)] = []

    /// How many neighbours showed net positive interest in candidate `c`: similar people in an
    /// opportunity (person subject), or a person in similar opportunities (opportunity subject).
    func neighbourInterest(in c: DenseIndex) -> Int {
        neighbours.count { forPerson ? snapshot.positiveOpportunities[Int($0.other)].sortedContains(c) : snapshot.positivePeople[Int($0.other)].sortedContains(c) }
    }

    /// How many of the similar opportunities candidate person `c` holds (opportunity subject).
    func neighbourTook(_ c: DenseIndex) -> Int {
        forPerson ? 0 : neighbours.count { snapshot.holders[Int($0.other)].contains(c) }
    }

    /// How many hires similar people had at `client` (person subject).
    func neighbourClientHires(_ client: DenseIndex) -> Int {
        guard forPerson else { return 0 }
        var hires = 0
        for (_, q) in neighbours {
            for e in snapshot.events(ofPerson: q) where e.type == .hire && snapshot.clientOf[Int(e.other)] == client { hires += 1 }
        }
        return hires
    }

    /// The vote a similar person's hire gives every opportunity of the same client.
    static let clientVoteShare = 0.5

    init(engine: RecommendationEngine, subject: DenseIndex, forPerson: Bool, candidates: [DenseIndex], pool: CandidatePool) {
        self.engine = engine
        self.subject = subject
        self.forPerson = forPerson
        self.candidates = candidates
        target = forPerson ? .opportunities : pool == .applicants ? .applicants : .people
    }

    func pair(_ c: DenseIndex) -> (person: DenseIndex, opportunity: DenseIndex) {
        forPerson ? (subject, c) : (c, subject)
    }

    // MARK: Components

    func ruleValues() -> [Double] {
        if forPerson {
            let mask = wantedMask
            return candidates.map { c in engine.ruleValue(person: subject, opportunity: c, forPerson: true, wanted: { mask[Int($0)] }, bid: bid(c)) }
        }
        // One mask of wanted positions, set and cleared per candidate person.
        let positions = index.tables.preferencePositions
        var mask = [Bool](repeating: false, count: index.space.dimension)
        return mask.withUnsafeMutableBufferPointer { wanted in
            candidates.map { c in
                let row = positions.range(Int(c))
                for k in row { wanted[Int(positions.values[k])] = true }
                let value = engine.ruleValue(person: c, opportunity: subject, forPerson: false, wanted: { wanted[Int($0)] }, bid: bid(c))
                for k in row { wanted[Int(positions.values[k])] = false }
                return value
            }
        }
    }

    func ruleScore(_ c: DenseIndex) -> ScorePart {
        let (p, o) = pair(c)
        if forPerson {
            let mask = wantedMask
            return engine.ruleScore(person: p, opportunity: o, forPerson: true, wanted: { mask[Int($0)] }, bid: bid(c))
        }
        let positions = index.tables.preferencePositions
        return engine.ruleScore(person: p, opportunity: o, forPerson: false, wanted: { positions.row(Int(p), contains: $0) }, bid: bid(c))
    }

    func similarityValues() -> Result<[Double], Fallback> {
        let matrix = forPerson ? index.opportunityVectors : index.personVectors
        let query = forPerson ? index.personVectors : index.opportunityVectors
        return query.withRow(Int(subject)) { q -> Result<[Double], Fallback> in
            guard q.contains(where: { $0 != 0 }) else {
                let reason = forPerson
                    ? "the person has no stated preferences, history or defaults to compare"
                    : "the \(engine.features.words.opportunity) has no features to compare"
                return .failure(Fallback(component: RecommendationMode.similarity.rawValue, reason: reason))
            }
            return .success(candidates.map { c in matrix.withRow(Int(c)) { row in Double(max(0, VectorKernels.dot(row, q))) } })
        }
    }

    /// Neighbourhood votes.
    ///
    /// For a person: the `k` people with the largest weight `cos⁺(u, v) × (0.1 + J(u, v))`,
    /// where `cos` compares preference vectors and `J` is the Jaccard similarity of the two
    /// interaction sets, vote for the opportunities they showed net positive interest in (weight
    /// 1) and, with weight 0.5 per hire, for opportunities of clients they were hired by.
    /// For an opportunity: the `k` opportunities with the largest weight `cos⁺ × (0.1 + J) ×
    /// (1.5 if same client)` vote for the people who showed net positive interest in them.
    func neighbourhoodValues() -> Result<[Double], Fallback> {
        let k = engine.configuration.neighbours
        let heap: MinHeap
        if forPerson {
            heap = nearest(
                k, own: snapshot.touchedOpportunities[Int(subject)], owners: snapshot.touchedPeople, touchedCounts: snapshot.touchedCounts,
                vectors: index.personVectors, pool: snapshot.takers, eligible: index.tables.isTaker, boost: { _ in 1 }, maxBoost: 1)
        } else {
            let client = snapshot.clientOf[Int(subject)], clientOf = snapshot.clientOf
            heap = nearest(
                k, own: snapshot.touchedPeople[Int(subject)], owners: snapshot.touchedOpportunities, touchedCounts: index.tables.touchedPeopleCounts,
                vectors: index.opportunityVectors, pool: index.tables.voters, eligible: index.tables.hasPositivePeople,
                boost: { client >= 0 && clientOf[$0] == client ? 1.5 : 1 }, maxBoost: 1.5)
        }
        neighbours = heap.items.sorted { ($0.weight, $1.other) > ($1.weight, $0.other) }
        if forPerson {
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
            return Self.normalised(values, component: .neighbourhood, reason: "no similar \(engine.features.words.person) showed interest in these \(engine.features.words.opportunities) or their \(engine.features.words.clients)")
        }
        let values = engine.scratch.withBuffer(count: snapshot.people.count) { votes -> [Double] in
            votes.initialize(repeating: 0)
            for (w, o) in neighbours { for q in snapshot.positivePeople[Int(o)] { votes[Int(q)] += Float(w) } }
            return candidates.map { Double(votes[Int($0)]) }
        }
        return Self.normalised(values, component: .neighbourhood, reason: "no eligible \(engine.features.words.person) took a similar \(engine.features.words.opportunity)")
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
        _ k: Int, own: [DenseIndex], owners: [[DenseIndex]], touchedCounts: [Int32], vectors: DenseMatrix, pool: [DenseIndex], eligible: [Bool],
        boost: (Int) -> Double, maxBoost: Double
    ) -> MinHeap {
        var heap = MinHeap(capacity: k)
        let n = vectors.rows
        engine.scratch.withBuffer(count: n) { common in
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
                engine.scratch.withBuffer(count: n) { cosines in
                    VectorKernels.scoreRows(of: vectors, against: u, into: cosines)
                    for y in pool where y != subject && cosines[Int(y)] > 0 {
                        heap.offer((weight(Int(y), cosine: cosines[Int(y)]), y))
                    }
                }
            }
        }
        return heap
    }

    /// Recent interest (decayed, half-life 14 days), as `log(1 + x) / log(1 + max)`.
    func popularityValues() -> Result<[Double], Fallback> {
        let raw = candidates.map { c in
            forPerson ? snapshot.activity.opportunityRecords[Int(c)].recentInterest : snapshot.activity.workers[Int(c)].recentInterest
        }
        let logs = raw.map { Double.log(1 + $0) }
        return Self.normalised(logs, component: .popularity, reason: "no recent activity on any candidate")
    }

    /// Latest activity first, scaled to 0...1 between the oldest and newest candidate.
    func recencyValues() -> [Double] {
        let times = candidates.map { c -> Double in
            if forPerson { return Double(snapshot.activity.opportunityRecords[Int(c)].lastActivity) }
            return Double(snapshot.events(ofPerson: c).last?.time ?? .min)
        }
        let finite = times.filter { $0 > Double(Int64.min) }
        guard let low = finite.min(), let high = finite.max(), high > low else {
            return times.map { $0 > Double(Int64.min) ? 1 : 0 }
        }
        return times.map { $0 > Double(Int64.min) ? ($0 - low) / (high - low) : 0 }
    }

    static func normalised(_ values: [Double], component: RecommendationMode, reason: String) -> Result<[Double], Fallback> {
        let top = values.max() ?? 0
        guard top > 0 else { return .failure(Fallback(component: component.rawValue, reason: reason)) }
        return .success(values.map { $0 / top })
    }

    /// Collaborative scores: the subject's factors folded in from their current history (so a
    /// fresh event counts at once), against each candidate's learned factors, `x · y` kept
    /// where positive and scaled so that the best candidate scores 1. Worked out on first use,
    /// or set beforehand when a batch of queries is scored together
    /// (``RecommendationEngine/collaborativeScores(_:)``).
    lazy var collaborative: Result<[Double], Fallback> = engine.collaborativeScores([self])[0]

    func collaborativeValues() -> Result<[Double], Fallback> { collaborative }

    /// The subject's folded-in factors, or why there are none.
    func collaborativeSubject(_ model: CollaborativeIndex) -> Result<[Float], Fallback> {
        let name = RecommendationMode.collaborative.rawValue
        if forPerson {
            let history = CollaborativeIndex.history(ofPerson: Int(subject), in: snapshot)
            guard !history.isEmpty else { return .failure(Fallback(component: name, reason: "the person has no history to learn from yet")) }
            return .success(model.personFactors(foldingIn: history))
        }
        let history = CollaborativeIndex.history(ofOpportunity: Int(subject), in: snapshot)
        guard !history.isEmpty else {
            return .failure(Fallback(component: name, reason: "nobody has shown interest in this \(engine.features.words.opportunity) yet"))
        }
        return .success(model.opportunityFactors(foldingIn: history))
    }

    /// The collaborative component from raw scores `x · y`.
    func collaborativeResult(_ values: [Double]) -> Result<[Double], Fallback> {
        Self.normalised(
            values.map { max(0, $0) }, component: .collaborative,
            reason: forPerson ? "no candidate \(engine.features.words.opportunity) shares history with the person's" : "no candidate's history resembles that of the people interested in this \(engine.features.words.opportunity)")
    }

    /// The trained model's scores of the candidates: each pair's probability of a hire,
    /// `σ(s)`, scaled so that the best candidate scores 1 (as the collaborative component is),
    /// and the share of the collaborative part in it, `|α c| / (|α c| + |(1 − α) t|)` (0 for a
    /// cold pair, scored from content alone).
    struct NeuralScores {
        var values: [Double]
        var probabilities: [Double]
        var collaborativeShare: [Double]
        var alpha: Double
        var version: String?
    }

    /// The neural scores, worked out on first use, or set beforehand when a batch of queries
    /// is scored together (``RecommendationEngine/neuralScores(_:)``).
    lazy var neural: Result<NeuralScores, Fallback> = engine.neuralScores([self])[0]

    func neuralValues() -> Result<[Double], Fallback> { neural.map(\.values) }

    // MARK: Modes and fallback

    func blend(mode: RecommendationMode) -> Blend {
        var fallbacks: [Fallback] = []
        func single(_ name: RecommendationMode, _ values: [Double]) -> Blend {
            Blend(components: [Blend.Component(name: name.rawValue, weight: 1, values: values)], scores: values, answeredBy: [name.rawValue], fallbacks: fallbacks)
        }
        func recency() -> Blend {
            let values = recencyValues()
            return Blend(components: [Blend.Component(name: "recency", weight: 1, values: values)], scores: values, answeredBy: ["recency"], fallbacks: fallbacks)
        }
        func popularityChain() -> Blend {
            switch popularityValues() {
            case .success(let values): return single(.popularity, values)
            case .failure(let f):
                fallbacks.append(f)
                return recency()
            }
        }
        func similarityChain() -> Blend {
            switch similarityValues() {
            case .success(let values): return single(.similarity, values)
            case .failure(let f):
                fallbacks.append(f)
                return popularityChain()
            }
        }
        switch mode {
        case .ruleBased: return single(.ruleBased, ruleValues())
        case .similarity: return similarityChain()
        case .popularity: return popularityChain()
        case .neighbourhood:
            switch neighbourhoodValues() {
            case .success(let values): return single(.neighbourhood, values)
            case .failure(let f):
                fallbacks.append(f)
                return similarityChain()
            }
        case .collaborative:
            switch collaborativeValues() {
            case .success(let values): return single(.collaborative, values)
            case .failure(let f):
                fallbacks.append(f)
                return similarityChain()
            }
        case .neural:
            switch neuralValues() {
            case .success(let values): return single(.neural, values)
            case .failure(let f):
                fallbacks.append(f)
                return single(.ruleBased, ruleValues())
            }
        case .ensemble:
            var parts: [(RecommendationMode, Double, [Double])] = []
            for (component, weight) in engine.ensemble[target].all where weight > 0 {
                let result: Result<[Double], Fallback>
                switch component {
                case .ruleBased: result = .success(ruleValues())
                case .similarity: result = similarityValues()
                case .neighbourhood: result = neighbourhoodValues()
                case .collaborative: result = collaborativeValues()
                case .popularity: result = popularityValues()
                case .ensemble, .neural: continue
                }
                switch result {
                case .success(let values): parts.append((component, weight, values))
                case .failure(let f): fallbacks.append(f)
                }
            }
            // The trained model's share, over the blend of the others.
            let share = engine.ensemble.learnedShare(for: target)
            if share > 0 {
                switch neuralValues() {
                case .success(let values):
                    let others = parts.reduce(0) { $0 + $1.1 }
                    if others > 0 {
                        parts = parts.map { ($0.0, $0.1 / others * (1 - share), $0.2) }
                        parts.append((.neural, share, values))
                    } else {
                        parts = [(.neural, 1, values)]
                    }
                case .failure(let f): fallbacks.append(f)
                }
            }
            let total = parts.reduce(0) { $0 + $1.1 }
            guard total > 0 else { return recency() }
            var scores = [Double](repeating: 0, count: candidates.count)
            for (_, weight, values) in parts {
                let w = weight / total
                for i in scores.indices { scores[i] += w * values[i] }
            }
            return Blend(
                components: parts.map { Blend.Component(name: $0.0.rawValue, weight: $0.1 / total, values: $0.2) },
                scores: scores, answeredBy: parts.map(\.0.rawValue), fallbacks: fallbacks)
        }
    }

    // MARK: Re-ranking

    /// Anti-congestion pressure of a candidate (see ``AntiCongestionConfiguration``).
    func pressure(_ c: DenseIndex, ledger: ExposureLedger?) -> Double {
        if forPerson {
            let free = snapshot.freeSlots(c)
            guard free > 0 else { return 0 }
            let exposures = ledger?.exposures(of: snapshot.opportunities[Int(c)].id.rawValue) ?? 0
            return Double(snapshot.activity.opportunityRecords[Int(c)].applicants + exposures) / Double(free)
        }
        // People: only the exposures recorded in a shared ledger (a batch over many
        // opportunities), so that one person is not sent to every job at once.
        guard let ledger else { return 0 }
        let exposures = ledger.exposures(of: snapshot.people[Int(c)].id.rawValue)
        return Double(exposures) / Double(snapshot.people[Int(c)].capacity)
    }

    /// Picks `count` candidates from `pool` (sorted by score): at most `maxPerClient` per client
    /// (opportunities only) and maximal marginal relevance; completes from capped ones, then
    /// from `rest`, when the pool runs out, so the list is never cut short.
    func diversify(pool: [Int], scores: [Double], count: Int, rest: () -> [Int]) -> [Int] {
        let diversity = engine.configuration.diversity
        // Diversity re-ranks lists of opportunities; people are ranked on merit alone.
        let cap = forPerson ? diversity.maxPerClient : nil
        let lambda = forPerson ? diversity.lambda : 1
        let vectors = forPerson ? index.opportunityVectors : index.personVectors
        var chosen: [Int] = []
        var perClient: [DenseIndex: Int] = [:]
        var remaining = pool
        var maxSimilarity = [Double](repeating: 0, count: pool.count)
        var skipped: [Int] = []
        while chosen.count < count, !remaining.isEmpty {
            var best = -1
            var bestValue = -Double.infinity
            for (k, i) in remaining.enumerated() {
                let value = lambda * scores[i] - (1 - lambda) * maxSimilarity[k]
                if value > bestValue {
                    bestValue = value
                    best = k
                }
                if lambda >= 1 { break }
            }
            let i = remaining.remove(at: best)
            maxSimilarity.remove(at: best)
            let c = candidates[i]
            if let cap {
                let client = snapshot.clientOf[Int(c)]
                if client >= 0 {
                    if perClient[client, default: 0] >= cap {
                        skipped.append(i)
                        continue
                    }
                    perClient[client, default: 0] += 1
                }
            }
            chosen.append(i)
            if lambda < 1 {
                vectors.withRow(Int(c)) { u in
                    for (k, j) in remaining.enumerated() {
                        let s = vectors.withRow(Int(candidates[j])) { Double(VectorKernels.dot($0, u)) }
                        if s > maxSimilarity[k] { maxSimilarity[k] = s }
                    }
                }
            }
        }
        if chosen.count < count {
            for i in rest() {
                guard chosen.count < count else { break }
                if let cap {
                    let client = snapshot.clientOf[Int(candidates[i])]
                    if client >= 0, perClient[client, default: 0] >= cap {
                        skipped.append(i)
                        continue
                    }
                    if client >= 0 { perClient[client, default: 0] += 1 }
                }
                chosen.append(i)
            }
        }
        // Only capped clients' candidates remain: complete the list with them.
        for i in skipped where chosen.count < count { chosen.append(i) }
        return chosen
    }

    // MARK: Breakdown

    func breakdown(candidate i: Int, blend: Blend) -> [ScorePart] {
        blend.components.map { component in
            if component.name == RecommendationMode.ruleBased.rawValue {
                let rule = ruleScore(candidates[i])
                var part = ScorePart(component: component.name, value: rule.value.roundedTo(4), weight: component.weight.roundedTo(4), assumed: rule.assumed, parts: [])
                part.parts = rule.parts.map {
                    var p = ScorePart(component: $0.component, value: $0.value.roundedTo(4), weight: ($0.weight * component.weight).roundedTo(4), assumed: $0.assumed)
                    p.points = p.points.roundedTo(2)
                    return p
                }
                part.points = part.points.roundedTo(2)
                return part
            }
            var part = ScorePart(component: component.name, value: component.values[i].roundedTo(4), weight: component.weight.roundedTo(4))
            if component.name == RecommendationMode.neural.rawValue, case .success(let neural) = neural {
                // The learned score split between its parts by their shares of the logit.
                let share = neural.collaborativeShare[i]
                part.parts = [("neural_collaborative", share), ("neural_content", 1 - share)].map { name, s in
                    var p = ScorePart(component: name, value: component.values[i].roundedTo(4), weight: (component.weight * s).roundedTo(4))
                    p.points = (100 * component.values[i] * component.weight * s).roundedTo(2)
                    return p
                }
            }
            part.points = part.points.roundedTo(2)
            return part
        }
    }
}

/// A bounded min-heap keeping the `capacity` largest weights.
struct MinHeap {
    private(set) var items: [(weight: Double, other: DenseIndex)] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(capacity)
    }

    var isFull: Bool { items.count >= capacity }
    /// The smallest weight kept (`-inf` when empty).
    var minimum: Double { items.first?.weight ?? -.infinity }

    private static func less(_ a: (weight: Double, other: DenseIndex), _ b: (weight: Double, other: DenseIndex)) -> Bool {
        (a.weight, b.other) < (b.weight, a.other)
    }

    mutating func offer(_ item: (weight: Double, other: DenseIndex)) {
        if items.count < capacity {
            items.append(item)
            var i = items.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard Self.less(items[i], items[parent]) else { break }
                items.swapAt(i, parent)
                i = parent
            }
        } else if Self.less(items[0], item) {
            items[0] = item
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count, Self.less(items[l], items[smallest]) { smallest = l }
                if r < items.count, Self.less(items[r], items[smallest]) { smallest = r }
                guard smallest != i else { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
    }
}
