import RealModule

/// A request for bid advice: what `person` should bid on `opportunity`.
public struct BidAdviceRequest: Sendable, Hashable {
    public var person: PersonID
    public var opportunity: OpportunityID
    /// Amounts to weigh besides the suggestion's and an even grid over the market's range.
    public var amounts: [Double]

    public static let maxAmounts = 50

    public init(person: PersonID, opportunity: OpportunityID, amounts: [Double] = []) {
        self.person = person
        self.opportunity = opportunity
        self.amounts = amounts
    }

    public func validate() throws(MatchworkError) {
        guard amounts.count <= Self.maxAmounts else {
            throw MatchworkError(.invalidValue, "\(amounts.count) amounts asked; weigh at most \(Self.maxAmounts) at once.", field: "amounts")
        }
        if let k = amounts.firstIndex(where: { !($0.isFinite && $0 > 0 && $0 < 1e9) }) {
            throw MatchworkError(.invalidValue, "amount \(amounts[k]) is not a positive amount below 1e9; give bid amounts in the marketplace's currency.", field: "amounts[\(k)]")
        }
    }
}

/// What bidding one amount would do: the bid's place among the opportunity's bids when the
/// list is ranked with it, and, from the learned ranker's calibrated choice model, the chance
/// of being hired and of being among the client's first three choices.
public struct BidOutlook: Sendable, Hashable, Codable {
    public var amount: Double
    /// The bid's place in the ranked list of bidders (1 = first), of `bids`.
    public var rank: Int
    public var bids: Int
    /// `P(hired)`: the chance the client's choice (of as many as the free slots) includes it.
    public var hireProbability: Double?
    /// `P(among the client's first three choices)`.
    public var topThreeProbability: Double?
    /// `amount × P(hired)`.
    public var expectedEarnings: Double?
    /// What the amount is: `suggested minimum`, `suggested optimal`, `suggested maximum`,
    /// `current bid`, `asked`, `best expected earnings`; empty for a grid point.
    public var tags: [String]
    public var reason: String
}

/// What a bid suggestion was made from.
public struct BidInputs: Sendable, Hashable, Codable {
    /// What the opportunity offers (a cleaning job's budget).
    public var clientBudget: Double?
    /// The market's average bid for an opportunity with this offer (``BidMarket/average(offer:)``).
    public var marketAverage: Double?
    /// The mean of the person's bids so far.
    public var personAverage: Double?
    /// The person's hires per bid so far.
    public var winRate: Double?
    /// How many others bid on the opportunity, and the lowest of their bids.
    public var bidCount: Int
    public var lowestBid: Double?
    /// The person's own bid on it, if they bid.
    public var currentBid: Double?

    public init(
        clientBudget: Double?, marketAverage: Double?, personAverage: Double?, winRate: Double?, bidCount: Int, lowestBid: Double?, currentBid: Double?
    ) {
        self.clientBudget = clientBudget
        self.marketAverage = marketAverage
        self.personAverage = personAverage
        self.winRate = winRate
        self.bidCount = bidCount
        self.lowestBid = lowestBid
        self.currentBid = currentBid
    }
}

/// Bid advice for a (person, opportunity) pair (``RecommendationEngine/adviseBid(_:)``).
public struct BidAdvice: Sendable, Hashable, Codable {
    public var person: PersonID
    public var opportunity: OpportunityID
    /// The bid head's range, within what the market shows; `nil` without a trained bid head.
    public var suggestion: BidSuggestion?
    /// The amount with the largest expected earnings among those weighed; `nil` without
    /// probabilities.
    public var best: BidOutlook?
    /// Every amount weighed, cheapest first.
    public var outlooks: [BidOutlook]
    public var inputs: BidInputs
    /// What ranked the bids: `ranked` (probabilities given) or the ensemble's components.
    public var answeredBy: [String]
    public var fallbacks: [Fallback]
    public var modelVersion: String?
    public var notice: String?
}

extension RecommendationEngine {
    /// How many even steps the market's range is weighed at, besides the named amounts.
    static let bidGrid = 24

    /// Bid advice for `request.person` on `request.opportunity`: the bid head's range, and for
    /// each amount weighed (the range's three, the person's current bid, the amounts asked and
    /// an even grid over what the market's bids show for this offer) the list of the
    /// opportunity's eligible bidders ranked again with the person's bid at that amount.
    ///
    /// With a learned ranker for applicant lists and its choice scale `s`, the bidders'
    /// margins `m` give the client's choice as a Plackett–Luce model with weights `exp(s m)`:
    /// `P(hired)` is the chance of being among the first `free slots` choices, `P(top 3)` among
    /// the first three. The best amount maximises `amount × P(hired)`.
    ///
    /// - Throws: for an unknown person or opportunity, a client, a closed or full opportunity,
    ///   a pair a hard filter excludes (named), or a marketplace with no bids to price from.
    public func adviseBid(_ request: BidAdviceRequest) throws(MatchworkError) -> BidAdvice {
        try request.validate()
        let p = try snapshot.index(of: request.person)
        let o = try snapshot.index(of: request.opportunity)
        let words = features.words
        let person = snapshot.people[Int(p)], opportunity = snapshot.opportunities[Int(o)]
        guard person.role != .client else {
            throw MatchworkError(.invalidValue, "person '\(request.person)' is a \(words.client): bids come from \(words.people); give one of them.", field: "person_id")
        }
        guard opportunity.status == .open, snapshot.freeSlots(o) > 0 else {
            let why = opportunity.status != .open ? "is \(opportunity.status.rawValue)" : "has no free slot"
            throw MatchworkError(.invalidValue, "\(words.opportunity) '\(request.opportunity)' \(why); nobody can bid on it.", field: "opportunity_id")
        }
        if let failed = pairFilter(person: p, opportunity: o, filters: RecommendationFilters()) {
            throw MatchworkError(
                .invalidValue,
                "\(words.person) '\(request.person)' cannot take \(words.opportunity) '\(request.opportunity)': the \(failed.rawValue.replacingUnderscores) filter excludes the pair, so a bid would never be shown.",
                field: "person_id")
        }
        var tally = FilterTally()
        var candidates = eligiblePeople(for: o, filters: RecommendationFilters(), pool: .applicants, tally: &tally)
        if !candidates.contains(p) {
            candidates.append(p)
            candidates.sort()
        }
        let position = candidates.firstIndex(of: p)!

        // The inputs, and the range to weigh.
        let base = QueryState(engine: self, subject: o, forPerson: false, candidates: candidates, pool: .applicants)
        let offer = features.pricing.flatMap { opportunity.attributes[$0.offer] }.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        let others = PriceBoard(events: snapshot.events(onOpportunity: o).filter { $0.other != p }[...])
        let own = base.bid(p)?.amount
        let personBids = snapshot.events(ofPerson: p).filter { $0.type == .bid && $0.value.isFinite && $0.value > 0 }.map { Double($0.value) }
        let worker = snapshot.activity.workers[Int(p)]
        let inputs = BidInputs(
            clientBudget: offer, marketAverage: index.bidMarket?.average(offer: offer)?.roundedTo(2),
            personAverage: personBids.isEmpty ? nil : (personBids.reduce(0, +) / Double(personBids.count)).roundedTo(2),
            winRate: worker.bids > 0 ? (Double(worker.hires) / Double(worker.bids)).roundedTo(4) : nil,
            bidCount: others.amounts.count, lowestBid: others.minimum?.roundedTo(2), currentBid: own?.roundedTo(2))
        let suggestion = suggestedBids(base, positions: [position])?.first
        let range: ClosedRange<Double>
        if let market = index.bidMarket {
            range = market.bounds(offer: offer)
        } else if let low = others.amounts.first, let high = others.amounts.last {
            range = (0.5 * low)...(1.5 * high)
        } else if let suggestion {
            range = suggestion.minimum...max(suggestion.minimum, suggestion.maximum)
        } else {
            throw MatchworkError(
                .invalidValue,
                "the marketplace has too few bids (fewer than 10) to weigh amounts for '\(request.opportunity)'; give amounts to weigh, or import the bid history.",
                field: "amounts")
        }
        var tagged: [Double: [String]] = [:]
        func weigh(_ amount: Double, _ tag: String?) {
            let a = max(0.01, amount.roundedTo(2))
            tagged[a, default: []] += tag.map { [$0] } ?? []
        }
        for k in 0...Self.bidGrid { weigh(range.lowerBound + (range.upperBound - range.lowerBound) * Double(k) / Double(Self.bidGrid), nil) }
        if let s = suggestion {
            weigh(s.minimum, "suggested minimum")
            weigh(s.optimal, "suggested optimal")
            weigh(s.maximum, "suggested maximum")
        }
        if let own { weigh(own, "current bid") }
        for a in request.amounts { weigh(a, "asked") }

        let stage = ranker?.stage(for: .applicants)
        let slots = snapshot.freeSlots(o)
        var outlooks: [BidOutlook] = []
        var answeredBy: [String] = [], fallbacks: [Fallback] = []
        for amount in tagged.keys.sorted() {
            let query = QueryState(engine: self, subject: o, forPerson: false, candidates: candidates, pool: .applicants, hypotheticalBid: (p, amount))
            query.explains = false
            // The components that do not read bids are scored once, on `base`, when first asked.
            query.basis = base
            let blend = query.blend(mode: .ranked)
            answeredBy = blend.answeredBy
            fallbacks = blend.fallbacks
            let mine = blend.scores[position]
            let rank = 1 + blend.scores.indices.count { $0 != position && blend.scores[$0] > mine }
            var outlook = BidOutlook(amount: amount, rank: rank, bids: candidates.count, tags: tagged[amount] ?? [], reason: "")
            if blend.answeredBy == [RecommendationMode.ranked.rawValue], let scale = stage?.choiceScale, query.rankerMargins.count == candidates.count {
                let margins = query.rankerMargins.map(Double.init)
                let top = margins.max() ?? 0
                let weights = margins.map { Double.exp(scale * ($0 - top)) }
                let hire = Self.choiceProbability(weights, item: position, within: slots)
                outlook.hireProbability = hire.roundedTo(4)
                outlook.topThreeProbability = Self.choiceProbability(weights, item: position, within: 3).roundedTo(4)
                outlook.expectedEarnings = (amount * hire).roundedTo(2)
            }
            outlooks.append(outlook)
        }
        var best: BidOutlook?
        if let k = outlooks.indices.filter({ outlooks[$0].expectedEarnings != nil }).max(by: { outlooks[$0].expectedEarnings! < outlooks[$1].expectedEarnings! }) {
            outlooks[k].tags.append("best expected earnings")
            best = outlooks[k]
        }
        for k in outlooks.indices {
            outlooks[k].reason = Self.reason(outlooks[k], words: words)
            if best?.amount == outlooks[k].amount { best = outlooks[k] }
        }
        var notice: String?
        if best == nil {
            notice =
                stage == nil
                ? "No win probabilities: no learned ranker ranks applicant lists (train one with `matchwork train --model ranker`); places are by \(answeredBy.joined(separator: ", "))."
                : "No win probabilities: the ranker's applicant stage has no fitted choice scale (train the ranker again)."
        }
        return BidAdvice(
            person: request.person, opportunity: request.opportunity, suggestion: suggestion, best: best, outlooks: outlooks, inputs: inputs,
            answeredBy: answeredBy, fallbacks: fallbacks, modelVersion: modelVersions(answeredBy: answeredBy + (suggestion == nil ? [] : [RecommendationMode.neural.rawValue])),
            notice: notice)
    }

    /// Each eligible bidder's chance of being hired on `opportunity` as its bids stand, from the
    /// ranker's applicant stage and choice scale (the Plackett–Luce model of ``adviseBid(_:)``);
    /// `nil` without them, or when the opportunity cannot be ranked.
    public func hireProbabilities(opportunity: OpportunityID) -> [PersonID: Double]? {
        guard let scale = ranker?.stage(for: .applicants)?.choiceScale, let o = snapshot.opportunityIndex.index(of: opportunity)
        else { return nil }
        var tally = FilterTally()
        let candidates = eligiblePeople(for: o, filters: RecommendationFilters(), pool: .applicants, tally: &tally)
        guard !candidates.isEmpty else { return nil }
        let query = QueryState(engine: self, subject: o, forPerson: false, candidates: candidates, pool: .applicants)
        query.explains = false
        let blend = query.blend(mode: .ranked)
        guard blend.answeredBy == [RecommendationMode.ranked.rawValue], query.rankerMargins.count == candidates.count else { return nil }
        let margins = query.rankerMargins.map(Double.init)
        let top = margins.max() ?? 0
        let weights = margins.map { Double.exp(scale * ($0 - top)) }
        let slots = max(1, snapshot.freeSlots(o))
        var out: [PersonID: Double] = [:]
        for (k, c) in candidates.enumerated() { out[snapshot.people[Int(c)].id] = Self.choiceProbability(weights, item: k, within: slots) }
        return out
    }

    /// "At 229 you would rank 2nd of 6 bids: 41% chance of being hired, 88% of being among
    /// the client's first 3; expected earnings 93.89."
    static func reason(_ o: BidOutlook, words: ScenarioFeatures.Words) -> String {
        let place = "At \(money(o.amount)) you would rank \(Explaining.ordinal(o.rank)) of \(o.bids) \(o.bids == 1 ? "bid" : "bids")"
        guard let hire = o.hireProbability, let top = o.topThreeProbability, let earnings = o.expectedEarnings else { return place + "." }
        let firstThree = o.bids <= 3 ? "" : ", \(QueryState.whole(100 * top))% of being among the \(words.client)'s first 3"
        return place + ": \(QueryState.whole(100 * hire))% chance of being hired\(firstThree); expected earnings \(money(earnings))."
    }

    /// An amount with its cents: "229.00", "46.46".
    static func money(_ x: Double) -> String {
        let cents = QueryState.whole(x * 100)
        let r = abs(cents % 100)
        return "\(cents < 0 ? "-" : "")\(abs(cents) / 100).\(r < 10 ? "0" : "")\(r)"
    }

    /// The chance that `item` is among the first `k` choices of a Plackett–Luce model with
    /// positive `weights` (each choice takes one of the rest in proportion to its weight):
    /// exact for `k ≤ 3`, by 4,000 seeded Gumbel draws beyond.
    static func choiceProbability(_ weights: [Double], item i: Int, within k: Int) -> Double {
        let n = weights.count
        guard k < n else { return 1 }
        guard k >= 1 else { return 0 }
        let total = weights.reduce(0, +)
        guard total > 0 else { return Double(k) / Double(n) }
        let w = weights[i]
        if k <= 3 {
            var p = w / total
            guard k >= 2 else { return p }
            for j in 0..<n where j != i {
                let afterJ = total - weights[j]
                guard afterJ > 0 else { continue }
                let first = weights[j] / total
                p += first * w / afterJ
                guard k >= 3 else { continue }
                for l in 0..<n where l != i && l != j {
                    let afterL = afterJ - weights[l]
                    guard afterL > 0 else { continue }
                    p += first * (weights[l] / afterJ) * (w / afterL)
                }
            }
            return min(1, p)
        }
        var generator = SeededGenerator(seed: 0x5EED)
        let logs = weights.map { $0 > 0 ? Double.log($0) : -Double.infinity }
        var hits = 0
        let draws = 4_000
        var keys = [Double](repeating: 0, count: n)
        for _ in 0..<draws {
            for j in 0..<n { keys[j] = logs[j] - Double.log(-Double.log(Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator))) }
            if keys.count(where: { $0 > keys[i] }) < k { hits += 1 }
        }
        return Double(hits) / Double(draws)
    }
}

/// One amount weighed and its chance of being hired, as a suggestion record keeps it.
public struct BidCurvePoint: Sendable, Hashable, Codable {
    public var amount: Double
    public var hireProbability: Double

    public init(amount: Double, hireProbability: Double) {
        self.amount = amount
        self.hireProbability = hireProbability
    }
}

extension BidAdvice {
    /// The hire probability per amount weighed, cheapest first (empty without probabilities).
    public var curve: [BidCurvePoint] {
        outlooks.compactMap { o in o.hireProbability.map { BidCurvePoint(amount: o.amount, hireProbability: $0) } }
    }
}

/// What became of a bid suggestion, read from the event log: the person's first bid on the
/// opportunity after it, whether it fell within the suggested range, whether it won.
public struct BidFate: Sendable, Hashable, Codable {
    /// The first bid placed at or after the suggestion, and when.
    public var bidAmount: Double?
    public var bidAt: Timestamp?
    /// Whether that bid fell within the suggested [minimum, maximum] (`nil` without a bid or a range).
    public var used: Bool?
    /// Hired after the suggestion (`true`); the opportunity filled or closed without them
    /// (`false`); still undecided (`nil`).
    public var won: Bool?
    /// The suggestion's hire probability at the amount bid (linear between the amounts it
    /// weighed; `nil` without a bid or probabilities).
    public var predictedHireProbability: Double?

    public init(bidAmount: Double? = nil, bidAt: Timestamp? = nil, used: Bool? = nil, won: Bool? = nil, predictedHireProbability: Double? = nil) {
        self.bidAmount = bidAmount
        self.bidAt = bidAt
        self.used = used
        self.won = won
        self.predictedHireProbability = predictedHireProbability
    }

    /// `curve` at `amount`: linear between the two amounts around it, the end's value beyond.
    public static func interpolate(_ curve: [BidCurvePoint], at amount: Double) -> Double? {
        guard let first = curve.first, let last = curve.last else { return nil }
        if amount <= first.amount { return first.hireProbability }
        if amount >= last.amount { return last.hireProbability }
        let k = curve.firstIndex { $0.amount >= amount }!
        let (a, b) = (curve[k - 1], curve[k])
        let t = b.amount > a.amount ? (amount - a.amount) / (b.amount - a.amount) : 0
        return a.hireProbability + t * (b.hireProbability - a.hireProbability)
    }
}

extension MarketplaceSnapshot {
    /// The fate of a suggestion made at `time` to `person` for `opportunity`, with `range`
    /// (the suggested minimum and maximum) and `curve`; empty when either is no longer in the
    /// marketplace.
    public func bidFate(person: PersonID, opportunity: OpportunityID, suggestedAt time: Timestamp, range: ClosedRange<Double>?, curve: [BidCurvePoint]) -> BidFate {
        guard let p = personIndex.index(of: person), let o = opportunityIndex.index(of: opportunity) else { return BidFate() }
        var fate = BidFate()
        let since = time.secondsSinceEpoch
        var decided = opportunities[Int(o)].status != .open
        for e in events(onOpportunity: o) where e.time >= since {
            if e.type == .bid, e.other == p, fate.bidAmount == nil, e.value.isFinite, e.value > 0 {
                let amount = Double(e.value).roundedTo(2)
                fate.bidAmount = amount
                fate.bidAt = Timestamp(secondsSinceEpoch: e.time)
                fate.used = range.map { $0.contains(amount) }
                fate.predictedHireProbability = BidFate.interpolate(curve, at: amount)?.roundedTo(4)
            } else if e.type == .hire {
                if e.other == p { fate.won = true }
                decided = true
            }
        }
        if fate.won == nil, decided { fate.won = false }
        return fate
    }
}

/// How bid suggestions fared on real outcomes (``BidFate``): how often the bid placed fell
/// within the suggested range (nominally 80%), and, per band of predicted hire probability,
/// the predicted against the observed share of wins among decided bids.
public struct BidCalibration: Sendable, Hashable, Codable {
    public struct Band: Sendable, Hashable, Codable {
        /// Predicted probabilities in [low, high).
        public var low: Double
        public var high: Double
        public var bids: Int
        public var meanPredicted: Double
        public var observed: Double
    }

    public var suggestions = 0
    /// Suggestions followed by a bid, and how many of those fell within the range.
    public var followed = 0
    public var inRange = 0
    /// Followed suggestions whose opportunity is decided, and the wins among them.
    public var decided = 0
    public var won = 0
    /// Mean predicted hire probability and the observed win share over the decided ones.
    public var meanPredicted: Double?
    public var observedWinRate: Double?
    /// Σ |predicted − observed| × share of bids, over the bands (expected calibration error).
    public var calibrationError: Double?
    public var bands: [Band] = []

    public init() {}

    /// The summary of `fates` (one per suggestion), in five bands of predicted probability.
    public init(fates: [BidFate]) {
        suggestions = fates.count
        let followed = fates.filter { $0.bidAmount != nil }
        self.followed = followed.count
        inRange = followed.count { $0.used == true }
        let decided = followed.filter { $0.won != nil }
        self.decided = decided.count
        won = decided.count { $0.won == true }
        let predicted = decided.compactMap { f in f.predictedHireProbability.map { (p: $0, won: f.won == true) } }
        guard !predicted.isEmpty else { return }
        meanPredicted = (predicted.reduce(0) { $0 + $1.p } / Double(predicted.count)).roundedTo(4)
        observedWinRate = (Double(predicted.count { $0.won }) / Double(predicted.count)).roundedTo(4)
        var error = 0.0
        for k in 0..<5 {
            let low = Double(k) / 5, high = Double(k + 1) / 5
            let inBand = predicted.filter { $0.p >= low && ($0.p < high || (k == 4 && $0.p <= 1)) }
            guard !inBand.isEmpty else { continue }
            let mean = inBand.reduce(0) { $0 + $1.p } / Double(inBand.count)
            let observed = Double(inBand.count { $0.won }) / Double(inBand.count)
            error += abs(mean - observed) * Double(inBand.count) / Double(predicted.count)
            bands.append(Band(low: low, high: high, bids: inBand.count, meanPredicted: mean.roundedTo(4), observed: observed.roundedTo(4)))
        }
        calibrationError = error.roundedTo(4)
    }
}
