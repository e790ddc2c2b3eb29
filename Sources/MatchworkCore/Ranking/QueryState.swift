/// The state of one request: its subject, candidates and kind of list, what its scorers
/// found (values, neighbours), and the evidence they share (preference mask, bids).
final class QueryState {
    let engine: RecommendationEngine
    let subject: DenseIndex
    let forPerson: Bool
    let candidates: [DenseIndex]
    /// The kind of list ranked, which picks the ensemble weights.
    let target: RankingTarget
    var snapshot: MarketplaceSnapshot { engine.snapshot }
    var index: FeatureIndex { engine.index }

    /// A bid the subject opportunity is asked to score as if it had been placed: `person`'s
    /// latest bid there at `amount` (or a new, latest bid if they have none). Every score and
    /// feature that reads the opportunity's bids sees it (``subjectEvents``); the bid advisor's
    /// rescoring (``RecommendationEngine/adviseBid(_:)``).
    let hypotheticalBid: (person: DenseIndex, amount: Double)?

    init(
        engine: RecommendationEngine, subject: DenseIndex, forPerson: Bool, candidates: [DenseIndex], pool: CandidatePool,
        hypotheticalBid: (person: DenseIndex, amount: Double)? = nil
    ) {
        self.engine = engine
        self.subject = subject
        self.forPerson = forPerson
        self.candidates = candidates
        self.hypotheticalBid = forPerson ? nil : hypotheticalBid
        target = forPerson ? .opportunities : pool == .applicants ? .applicants : .people
    }

    func pair(_ c: DenseIndex) -> (person: DenseIndex, opportunity: DenseIndex) {
        forPerson ? (subject, c) : (c, subject)
    }

    // MARK: Scores

    /// Each scorer's values, worked out on first use, or set beforehand when a batch of
    /// queries is scored together (``Scorer/score(together:)``).
    private var scored: [RecommendationMode: Result<ScorerValues, Fallback>] = [:]

    /// The values of `scorer` for this query's candidates, or why it has none.
    func values(of scorer: any Scorer) -> Result<ScorerValues, Fallback> {
        if let known = scored[scorer.mode] { return known }
        let borrowed = Self.bidIndependent.contains(scorer.mode) ? basis?.values(of: scorer) : nil
        let result = borrowed ?? scorer.score(self)
        scored[scorer.mode] = result
        return result
    }

    /// A query over the same subject and candidates whose values of the components that do not
    /// read bids this one takes, scored there once: the bid advisor's rescorings with a
    /// ``hypotheticalBid`` share them.
    var basis: QueryState?
    static let bidIndependent: Set<RecommendationMode> = [.similarity, .neighbourhood, .collaborative, .popularity]

    /// The values of the scorer registered for `mode`.
    func values(of mode: RecommendationMode) -> Result<ScorerValues, Fallback> { values(of: Scorers.scorer(mode)) }

    /// Records values scored together with other queries'.
    func setValues(_ result: Result<ScorerValues, Fallback>, of scorer: any Scorer) { scored[scorer.mode] = result }

    // MARK: Evidence

    /// For a person subject: whether each feature position is among their preferences.
    private(set) lazy var wantedMask: [Bool] = {
        var mask = [Bool](repeating: false, count: index.space.dimension)
        if forPerson {
            let positions = index.tables.preferencePositions
            for k in positions.range(Int(subject)) { mask[Int(positions.values[k])] = true }
        }
        return mask
    }()

    /// The events on the subject opportunity (opportunity subject), with ``hypotheticalBid``
    /// in place.
    private(set) lazy var subjectEvents: ArraySlice<MarketplaceSnapshot.Event> = {
        guard !forPerson else { return [] }
        let events = snapshot.events(onOpportunity: subject)
        guard let (p, amount) = hypotheticalBid else { return events }
        var edited = Array(events)
        let value = Float(amount)
        if let k = edited.lastIndex(where: { $0.type == .bid && $0.other == p }) {
            edited[k] = MarketplaceSnapshot.Event(other: p, type: .bid, time: edited[k].time, value: value)
        } else {
            edited.append(MarketplaceSnapshot.Event(other: p, type: .bid, time: max(snapshot.now.secondsSinceEpoch, edited.last?.time ?? .min), value: value))
        }
        return ArraySlice(edited)
    }()

    /// The bids on the subject opportunity (opportunity subject).
    private lazy var bidBoard = BidBoard(subjectEvents)

    /// The priced bids on `o`, with ``hypotheticalBid`` when `o` is the subject.
    func priceBoard(_ o: DenseIndex) -> PriceBoard {
        !forPerson && o == subject ? PriceBoard(events: subjectEvents) : engine.priceBoard(o)
    }
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

    /// The ranker's feature rows of every candidate and their margins, once it scored
    /// (``RankedScorer``), for the breakdown's contributions.
    var rankerRows: [Float] = []
    var rankerMargins: [Float] = []
    /// Whether the request asks for explanations: the ranker's breakdown then splits its points
    /// by feature group from the SHAP contributions, which cost most of a ranked request; without,
    /// its part carries the whole score.
    var explains = true
    /// The ranker's SHAP contributions (`columns + 1` per row) of the candidates a breakdown
    /// asked for, by position: only the shown results pay for TreeSHAP.
    var rankerContributions: [Int: [Float]] = [:]
    /// The feature groups the ranker's contributions are summed into, and each column's group.
    var rankerGroups: (names: [String], column: [Int])?

    /// The neighbourhood scorer's neighbours, by weight: similar people (person subject) or
    /// similar opportunities (opportunity subject); empty until it scored.
    var neighbours: [(weight: Double, other: DenseIndex)] = []

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
}
