import RealModule

/// One rule's value for a candidate: 0...1, or `nil` when the rule does not apply.
struct RuleValue: Sendable {
    var value: Double
    /// It relied on a default (no reviews yet, no location, no stated availability…).
    var assumed: Bool
}

/// The job-fit rules of a pair, in weight order: location, pricing, specialization, availability.
struct FitValues {
    var location: RuleValue?
    var pricing: RuleValue?
    var specialization: RuleValue?
    var availability: RuleValue?

    subscript(i: Int) -> RuleValue? {
        switch i {
        case 0: location
        case 1: pricing
        case 2: specialization
        default: availability
        }
    }
}

/// The rule-based scorer: person quality from history, job fit from the pair.
///
/// Person quality, each in 0...1, with Bayesian shrinkage towards the population:
/// - quality: overall rating and sub-scores, `(sum + 2 × prior) / (n + 2)`, mapped by
///   `(r − 4) / 6`; the population mean when never rated (assumed).
/// - reliability: mean of completion rate, on-time rate (1 − no-show rate), 1 − cancellation
///   rate, and `photo_proof_rate` when the person has it, each shrunk with 3 pseudo-jobs;
///   mapped by `(x − 0.5) / 0.5`; assumed when never hired.
/// - experience: mean of `log(1 + completed) / log(101)`, `log(1 + earnings) / log(20001)` when
///   work was paid, and `years_experience / 20` when stated.
/// - bidding: mean of the win rate (hires per bid or application, shrunk, over twice the
///   population's) and, with priced bids, `1 − 2.5 × max(0, ratio − 0.95)` where ratio is
///   the person's mean bid over each job's mean bid; assumed without bids or applications.
/// - activity: `1 − exp(−(hires in 30 days + hires in 90 days / 3) / 2)`.
///
/// Job fit, each in 0...1:
/// - location: `exp(−km / scale)` (scale per scenario: 6 km for cleaning, 15 km for missions);
///   0.5 assumed when the person has no location; not applicable when the opportunity has none.
/// - pricing: `1 / (1 + exp(−8 (ratio − 1)))` with the scenario's ``PricingRule`` ratio; 0.5
///   assumed when an attribute is missing. When the person bid on the opportunity and others
///   did too, pricing is `exp(−2 (bid − cheapest bid) / mean bid)` instead, and bidding also
///   counts how early they bid (`1 − rank / (bids − 1)`).
/// - specialization: the share of the opportunity's preference facets (service, specialty,
///   rhythm…) whose value the person wants (assumed preferences count half), averaged with the
///   share of taught skills above the person's level for courses.
/// - availability: 1 when the start falls in a stated weekly slot, 0 otherwise, 0.5 assumed
///   when availability is not stated; not applicable without a window.
extension RecommendationEngine {
    static func personQuality(_ p: DenseIndex, in snapshot: MarketplaceSnapshot) -> [RuleValue] {
        let w = snapshot.activity.workers[Int(p)]
        let stats = snapshot.activity
        let person = snapshot.people[Int(p)]

        let prior = stats.meanRating
        let overall = (w.ratingSum + 2 * prior) / (Double(w.ratings) + 2)
        let subs = w.subScores > 0 ? (w.subScoreSum + 2 * prior) / (Double(w.subScores) + 2) : overall
        let quality = RuleValue(value: clamp(((overall + subs) / 2 - 4) / 6), assumed: w.ratings == 0)

        let finished = Double(w.completions + w.cancellations + w.noShows)
        let completion = (Double(w.completions) + 3 * stats.completionRate) / (finished + 3)
        let hires = Double(w.hires)
        let onTime = 1 - (Double(w.noShows) + 3 * 0.04) / (hires + 3)
        let kept = 1 - (Double(w.cancellations) + 3 * 0.06) / (hires + 3)
        var reliabilityParts = [completion, onTime, kept]
        if let photo = person.attributes["photo_proof_rate"] { reliabilityParts.append(clamp(photo)) }
        let reliability = RuleValue(value: clamp((mean(reliabilityParts) - 0.5) / 0.5), assumed: w.hires == 0)

        var experienceParts = [min(1, Double.log(1 + Double(w.completions)) / Double.log(101))]
        if w.earnings > 0 { experienceParts.append(min(1, Double.log(1 + w.earnings) / Double.log(20_001))) }
        if let years = person.attributes["years_experience"] { experienceParts.append(clamp(years / 20)) }
        let experience = RuleValue(value: mean(experienceParts), assumed: false)

        let attempts = Double(w.bids + w.applications)
        let winRate = (hires + 3 * stats.winRate) / (attempts + 3)
        var biddingParts = [min(1, winRate / (2 * max(0.01, stats.winRate)))]
        if let ratio = w.meanBidRatio { biddingParts.append(clamp(1 - 2.5 * max(0, ratio - 0.95))) }
        let bidding = RuleValue(value: mean(biddingParts), assumed: attempts == 0)

        let recent = Double(w.hiresLast30Days) + Double(w.hiresLast90Days) / 3
        let activity = RuleValue(value: 1 - Double.exp(-recent / 2), assumed: false)
        return [quality, reliability, experience, bidding, activity]
    }

    /// Job fit of a pair: location, pricing, specialization, availability (`nil`: not applicable).
    ///
    /// - Parameters:
    ///   - wanted: whether a feature position is among the person's preferences.
    ///   - bid: the person's bid on the opportunity among the others (see ``bidContext``).
    func jobFit(person p: DenseIndex, opportunity o: DenseIndex, wanted: (Int32) -> Bool, bid: BidContext?) -> FitValues {
        let t = index.tables
        let pi = Int(p), oi = Int(o)
        var location: RuleValue?
        if t.hasLocation[oi] {
            if let km = snapshot.distanceKm(person: p, opportunity: o) {
                location = RuleValue(value: Double.exp(-km / features.distanceScaleKm), assumed: false)
            } else {
                location = RuleValue(value: 0.5, assumed: true)
            }
        }
        var pricing: RuleValue?
        if let bid, bid.count >= 2 {
            // The person's own bid against the cheapest bid on this opportunity.
            pricing = RuleValue(value: Double.exp(-2 * (bid.amount - bid.minimum) / bid.mean), assumed: false)
        } else if features.pricing != nil {
            let offer = t.offer[oi], per = t.askPer[oi], ask = t.ask[pi]
            if offer.isNaN || per.isNaN || ask.isNaN || ask <= 0 || per <= 0 {
                pricing = RuleValue(value: 0.5, assumed: true)
            } else {
                pricing = RuleValue(value: 1 / (1 + Double.exp(-8 * (offer / (ask * per) - 1))), assumed: false)
            }
        }
        var specialization: RuleValue?
        var partSum = 0.0, partCount = 0
        var assumed = false
        let codes = t.preferenceCodes.range(oi)
        if !codes.isEmpty {
            // Per preference facet of the opportunity: matched when the person wants one of its
            // values; an assumed facet counts half.
            let assumedFacets = t.assumedFacets[pi]
            var facetsSeen = 0, matched = 0.0
            var k = codes.lowerBound
            while k < codes.upperBound {
                let facet = t.preferenceCodes.values[k].facet
                var facetMatched = false
                while k < codes.upperBound && t.preferenceCodes.values[k].facet == facet {
                    if !facetMatched && wanted(t.preferenceCodes.values[k].position) { facetMatched = true }
                    k += 1
                }
                let isAssumed = assumedFacets & (1 << UInt64(facet)) != 0
                if isAssumed { assumed = true }
                if facetMatched { matched += isAssumed ? 0.5 : 1 }
                facetsSeen += 1
            }
            partSum += matched / Double(facetsSeen)
            partCount += 1
        }
        if t.teaches[oi] {
            let taughtSkills = snapshot.opportunities[oi].teaches, personSkills = snapshot.people[pi].skills
            var progress = 0.0
            for taught in taughtSkills {
                let current = personSkills.first { $0.skill == taught.skill }?.level ?? 0
                if taught.level > current { progress += min(1, (taught.level - current) / 3) }
            }
            partSum += progress / Double(taughtSkills.count)
            partCount += 1
        }
        if partCount > 0 { specialization = RuleValue(value: partSum / Double(partCount), assumed: assumed) }
        var availability: RuleValue?
        let minute = t.startMinuteOfWeek[oi]
        if minute >= 0 {
            if t.availabilityFlags[pi] & 1 != 0 {
                availability = RuleValue(value: t.slotCovers(person: pi, minuteOfWeek: minute) ? 1 : 0, assumed: false)
            } else {
                availability = RuleValue(value: 0.5, assumed: true)
            }
        }
        return FitValues(location: location, pricing: pricing, specialization: specialization, availability: availability)
    }

    /// The person's latest bid on an opportunity among all the bids there, `nil` without one.
    func bidContext(person p: DenseIndex, opportunity o: DenseIndex) -> BidContext? {
        BidBoard(snapshot.events(onOpportunity: o)).context(of: p)
    }

    /// The rule-based score of a pair without its parts: the same sum as ``ruleScore``,
    /// without allocating, for ranking every candidate.
    ///
    /// Person quality counts when ranking people (`forPerson` false), read from the index.
    func ruleValue(person p: DenseIndex, opportunity o: DenseIndex, forPerson: Bool, wanted: (Int32) -> Bool, bid: BidContext?) -> Double {
        let rules = configuration.rules
        let fit = jobFit(person: p, opportunity: o, wanted: wanted, bid: bid)
        let w = (rules.location, rules.pricing, rules.specialization, rules.availability)
        var total = 0.0, sum = 0.0
        if let v = fit.location { total += w.0; sum += w.0 * v.value }
        if let v = fit.pricing { total += w.1; sum += w.1 * v.value }
        if let v = fit.specialization { total += w.2; sum += w.2 * v.value }
        if let v = fit.availability { total += w.3; sum += w.3 * v.value }
        let fitShare = forPerson ? 1 : rules.fitShare
        var value = total > 0 ? fitShare * sum / total : 0
        if !forPerson {
            let q = index.tables.quality, base = Int(p) * 5
            let share = total > 0 ? 1 - fitShare : 1
            let bidding = bid.map { $0.adjustedBidding(q[base + 3].value) } ?? q[base + 3].value
            var personPart: Double = rules.quality * q[base].value
            personPart += rules.reliability * q[base + 1].value
            personPart += rules.experience * q[base + 2].value
            personPart += rules.bidding * bidding
            personPart += rules.activity * q[base + 4].value
            value += share * personPart
        }
        return value
    }

    /// The rule-based score of a pair and its parts, for the request's direction.
    func ruleScore(person p: DenseIndex, opportunity o: DenseIndex, forPerson: Bool, wanted: (Int32) -> Bool, bid: BidContext?) -> ScorePart {
        let rules = configuration.rules
        let fit = jobFit(person: p, opportunity: o, wanted: wanted, bid: bid)
        let fitWeights = rules.fitGroup
        var fitParts: [(String, RuleValue, Double)] = []
        for i in 0..<4 { if let value = fit[i] { fitParts.append((fitWeights[i].0, value, fitWeights[i].1)) } }
        let fitTotal = fitParts.reduce(0) { $0 + $1.2 }
        let fitShare = forPerson ? 1 : rules.fitShare
        var parts: [ScorePart] = []
        var value = 0.0
        if fitTotal > 0 {
            for (name, v, w) in fitParts {
                let weight = fitShare * w / fitTotal
                parts.append(ScorePart(component: name, value: v.value, weight: weight, assumed: v.assumed))
                value += weight * v.value
            }
        }
        if !forPerson {
            var quality = index.tables.quality(of: p)
            if let bid, bid.count >= 2 { quality[3] = RuleValue(value: bid.adjustedBidding(quality[3].value), assumed: false) }
            let share = fitTotal > 0 ? 1 - fitShare : 1
            for (i, (name, w)) in rules.personGroup.enumerated() {
                parts.append(ScorePart(component: name, value: quality[i].value, weight: share * w, assumed: quality[i].assumed))
                value += share * w * quality[i].value
            }
        }
        return ScorePart(component: RecommendationMode.ruleBased.rawValue, value: value, weight: 1, assumed: parts.contains { $0.assumed && $0.weight > 0 }, parts: parts)
    }
}

/// A person's latest bid on an opportunity: its amount, its rank by time among the bids there
/// (0 = first), how many bids there are, their mean and the lowest.
struct BidContext: Sendable {
    var amount: Double
    var rank: Int
    var count: Int
    var mean: Double
    var minimum: Double

    /// The bidding rule with this bid folded in: earlier bids count, as clients favour them
    /// (`(bidding + 1 − rank / (bids − 1)) / 2`); unchanged with fewer than two bids.
    func adjustedBidding(_ bidding: Double) -> Double {
        guard count >= 2 else { return bidding }
        return (bidding + 1 - Double(rank) / Double(count - 1)) / 2
    }
}

/// The priced bids on one opportunity, read once for a request that ranks its bidders.
struct BidBoard {
    private var latest: [DenseIndex: (amount: Double, rank: Int)] = [:]
    private var count = 0
    private var sum = 0.0
    private var minimum = Double.infinity

    init(_ events: ArraySlice<MarketplaceSnapshot.Event>) {
        for e in events where e.type == .bid && !e.value.isNaN {
            latest[e.other] = (Double(e.value), count)
            count += 1
            sum += Double(e.value)
            minimum = min(minimum, Double(e.value))
        }
    }

    var isEmpty: Bool { latest.isEmpty }

    func context(of p: DenseIndex) -> BidContext? {
        guard let bid = latest[p], bid.amount > 0 else { return nil }
        return BidContext(amount: bid.amount, rank: bid.rank, count: count, mean: sum / Double(count), minimum: minimum)
    }
}

func clamp(_ x: Double, _ low: Double = 0, _ high: Double = 1) -> Double { min(high, max(low, x)) }

func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
