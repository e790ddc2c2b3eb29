import Synchronization

/// The learned ranker's features of a list's candidates.
///
/// Per candidate, in ``names`` order:
/// - the pair's features (``PairFeatureEncoder/names``: person quality rules, rates, ratings,
///   distance, fit rules, bid amount and its ratios to the mean and lowest bid, attributes);
/// - every component's score (`score_rule_based`, `score_similarity`, `score_neighbourhood`,
///   `score_collaborative`, `score_popularity`, and their default `score_ensemble` blend;
///   `NaN` where a component cannot score the list; the blend leaves the neural model out, as
///   it may have learned from the windows the ranker is trained on);
/// - features relative to the list: each component's rank (0 for the best candidate, 1 for
///   the worst), the rank of the candidate's quality, rating and distance, the bid's rank by
///   price among the opportunity's bids and its ratio to their median, whether it is the
///   lowest, its gap to the lowest over the mean bid, and the list's size;
/// - what the opportunity offers per unit of what is asked (`budget / duration_hours`: the
///   rate a client is used to paying), the candidate's rating shrunk towards the population
///   mean by 3 ratings, its rank, and its distance below the list's best;
/// - the client's habits, from their earlier hires among two bids or more: how many, how often
///   they took the cheapest bid, and the hired bid's mean rank by price, by the bidder's
///   quality and by time (0 cheapest, best, first), and this bid's distance from those habits.
///
/// - with `learned` columns (``learnedNames``), last: the trained neural model's score, its
///   rank, and the default ensemble blend with the model's share (`NaN` where the engine has
///   no neural model). Training gives each window a neural model trained on the history
///   before that window (``RankerTraining/Configuration/neuralEvery``), so these columns too
///   see nothing of the outcomes they are trained on.
///
/// Everything comes from the engine's snapshot, so a training list built from the marketplace
/// at a window's start sees nothing of that window's outcomes.
public enum RankerFeatures {
    /// The components whose scores are features, in column order.
    public static let components: [RecommendationMode] = [.ruleBased, .similarity, .neighbourhood, .collaborative, .popularity]

    static let listNames = [
        "score_ensemble",
        "rank_quality", "rank_rating", "rank_distance", "bid_price_rank", "bid_over_median", "bid_is_lowest", "bid_gap_over_mean", "log_list_size",
        "offer_per_unit", "rating_shrunk", "rank_rating_shrunk", "rating_below_best",
        "client_log_hires", "client_cheapest_share", "client_price_rank", "client_quality_rank", "client_time_rank",
        "client_price_gap", "client_quality_gap",
    ]

    /// The trained neural model's columns, after every other (``names(_:learned:)``).
    static let learnedNames = ["score_neural", "rank_neural", "score_ensemble_learned"]

    /// The components whose scores a ranker with `learned` columns reads: ``components`` and,
    /// with them, the neural model.
    public static func components(learned: Bool) -> [RecommendationMode] { learned ? components + [.neural] : components }

    /// The columns of `component`'s score and rank for pairs encoded by `encoder`.
    static func columns(of component: RecommendationMode, _ encoder: PairFeatureEncoder) -> [Int] {
        let width = encoder.continuousCount + 2 * components.count + listNames.count
        if component == .neural { return Array(width..<(width + learnedNames.count)) }
        guard let k = components.firstIndex(of: component) else { return [] }
        return [encoder.continuousCount + k, encoder.continuousCount + components.count + k]
    }

    /// The feature names for pairs encoded by `encoder`, in column order; with `learned`, the
    /// neural model's columns last.
    public static func names(_ encoder: PairFeatureEncoder, learned: Bool = false) -> [String] {
        encoder.names + components.map { "score_\($0.rawValue)" } + components.map { "rank_\($0.rawValue)" } + listNames + (learned ? learnedNames : [])
    }

    /// The readable group each feature's contribution is reported under (``names`` order):
    /// `pricing`, `bid timing`, `quality`, `reliability`, `experience`, `location`,
    /// `specialization`, `availability`, `activity`, `client habits`, `profile`, or a
    /// component's name.
    public static func groups(_ names: [String]) -> [String] { names.map(group) }

    static func group(_ name: String) -> String {
        switch name {
        case "has_bid", "log_bid", "bid_over_mean", "bid_over_lowest", "bid_over_offer", "fit_pricing", "bid_price_rank", "bid_over_median", "bid_is_lowest", "bid_gap_over_mean", "offer_per_unit", "bidding":
            return "pricing"
        case "bid_earliness": return "bid timing"
        case "quality", "average_rating", "log_ratings", "rank_quality", "rank_rating", "rating_shrunk", "rank_rating_shrunk", "rating_below_best": return "quality"
        case "reliability", "completion_rate", "on_time_rate": return "reliability"
        case "experience", "log_jobs": return "experience"
        case "log_distance_km", "fit_location", "rank_distance", "person_north", "person_east", "opportunity_north", "opportunity_east": return "location"
        case "fit_specialization", "preference_cosine": return "specialization"
        case "fit_availability", "start_hour_sin", "start_hour_cos", "start_day_sin", "start_day_cos": return "availability"
        case "activity", "log_applicants", "log_recent_interest", "log_bids", "log_list_size": return "activity"
        case "score_ensemble", "score_ensemble_learned": return "ensemble"
        default:
            if name.hasPrefix("client_") { return "client habits" }
            for prefix in ["score_", "rank_"] where name.hasPrefix(prefix) { return String(name.dropFirst(prefix.count)) }
            return "profile"
        }
    }
}

/// A client's habits when hiring among several bids (``RankerFeatures``).
struct ClientHabit: Sendable {
    var hires = 0
    var cheapest = 0.0
    var priceRank = 0.0
    var qualityRank = 0.0
    var timeRank = 0.0
}

/// Every client's habits in a snapshot, built once per engine on first use.
final class ClientHabits: Sendable {
    private let state = Mutex<[DenseIndex: ClientHabit]?>(nil)

    func habits(_ engine: RecommendationEngine) -> [DenseIndex: ClientHabit] {
        state.withLock { stored in
            if let stored { return stored }
            let built = Self.build(engine)
            stored = built
            return built
        }
    }

    static func build(_ engine: RecommendationEngine) -> [DenseIndex: ClientHabit] {
        let snapshot = engine.snapshot
        let quality = engine.index.tables.quality
        guard !quality.isEmpty else { return [:] }
        var sums: [DenseIndex: ClientHabit] = [:]
        for o in snapshot.opportunities.indices {
            let client = snapshot.clientOf[o]
            guard client >= 0 else { continue }
            var bids: [(person: DenseIndex, amount: Double, order: Int)] = []
            var hired: [DenseIndex] = []
            for e in snapshot.events(onOpportunity: DenseIndex(o)) {
                if e.type == .bid, !e.value.isNaN, e.value > 0 {
                    if let k = bids.firstIndex(where: { $0.person == e.other }) { bids[k].amount = Double(e.value) } else { bids.append((e.other, Double(e.value), bids.count)) }
                } else if e.type == .hire {
                    hired.append(e.other)
                }
            }
            guard bids.count >= 2, !hired.isEmpty else { continue }
            let n = Double(bids.count - 1)
            for h in hired {
                guard let bid = bids.first(where: { $0.person == h }) else { continue }
                let q = quality[Int(h) * 5].value
                var habit = sums[client] ?? ClientHabit()
                habit.hires += 1
                let cheaper = bids.count { $0.amount < bid.amount }
                habit.cheapest += cheaper == 0 ? 1 : 0
                habit.priceRank += Double(cheaper) / n
                habit.qualityRank += Double(bids.count { quality[Int($0.person) * 5].value > q }) / n
                habit.timeRank += Double(bid.order) / n
                sums[client] = habit
            }
        }
        for (client, var habit) in sums {
            let n = Double(habit.hires)
            habit.cheapest /= n
            habit.priceRank /= n
            habit.qualityRank /= n
            habit.timeRank /= n
            sums[client] = habit
        }
        return sums
    }
}

extension QueryState {
    /// The ranker's features (``RankerFeatures/names``) of the candidates at `positions`,
    /// row-major; the list-relative ones are computed over every candidate of the query.
    /// Components outside `components` (a stage that does not use them) are not scored: their
    /// score and rank columns stay `NaN`. With `learned`, the neural model's columns follow.
    func rankerFeatures(
        _ encoder: PairFeatureEncoder, positions: [Int], components used: Set<RecommendationMode>? = nil, learned: Bool = false
    ) -> [Float] {
        let base = encoder.continuousCount
        let components = RankerFeatures.components
        let width = base + 2 * components.count + RankerFeatures.listNames.count + (learned ? RankerFeatures.learnedNames.count : 0)
        let n = candidates.count
        let raw = pairFeatures(encoder, positions: positions).continuous

        // Component values over the whole list, and each candidate's rank by them.
        let scores: [[Double]?] = components.map { used?.contains($0) == false ? nil : try? self.values(of: $0).get().values }
        let ensemble = blend(mode: .ensemble, finalStage: false, learned: false).scores
        // The neural model's score, its rank and the ensemble with its share, if the stage reads it.
        let neural = learned && used?.contains(.neural) != false ? try? self.values(of: .neural).get().values : nil
        let neuralRanks = neural.map(Self.rankFractions)
        let learnedEnsemble = neural != nil ? blend(mode: .ensemble, finalStage: false, learned: true).scores : nil
        let ranks = scores.map { $0.map(Self.rankFractions) }
        let quality = index.tables.quality, workers = snapshot.activity.workers
        let qualityRanks = Self.rankFractions(candidates.map { c in quality.isEmpty ? 0 : quality[Int(pair(c).person) * 5].value })
        let ratingRanks = Self.rankFractions(candidates.map { c in workers[Int(pair(c).person)].meanRating ?? -1 })
        let population = snapshot.activity.meanRating
        let shrunk = candidates.map { c in
            let w = workers[Int(pair(c).person)]
            return (w.ratingSum + 3 * population) / (Double(w.ratings) + 3)
        }
        let shrunkRanks = Self.rankFractions(shrunk)
        let bestShrunk = shrunk.max() ?? population
        let pricing = engine.features.pricing
        let distanceRanks = Self.rankFractions(candidates.map { c in
            let (p, o) = pair(c)
            return -(snapshot.distanceKm(person: p, opportunity: o) ?? 1e6)
        })
        let habits = engine.clientHabits.habits(engine)

        var boards: [DenseIndex: PriceBoard] = [:]
        var out = [Float](repeating: .nan, count: positions.count * width)
        for (r, i) in positions.enumerated() {
            let row = r * width
            for k in 0..<base { out[row + k] = raw[r * base + k] }
            var at = row + base
            for v in scores {
                if let v { out[at] = Float(v[i]) }
                at += 1
            }
            for rank in ranks {
                if let rank { out[at] = Float(rank[i]) }
                at += 1
            }
            func put(_ x: Double?) {
                if let x, x.isFinite { out[at] = Float(x) }
                at += 1
            }
            let c = candidates[i]
            let o = pair(c).opportunity
            put(ensemble[i])
            put(qualityRanks[i])
            put(ratingRanks[i])
            put(distanceRanks[i])
            let board = boards[o] ?? priceBoard(o)
            boards[o] = board
            let amount = bid(c)?.amount
            let priceRank = amount.flatMap { board.rank(of: $0) }
            put(priceRank)
            put(amount.flatMap { a in board.median.map { a / $0 } })
            put(amount.map { $0 <= (board.minimum ?? .infinity) ? 1 : 0 })
            put(amount.flatMap { a in board.minimum.flatMap { m in board.mean.map { (a - m) / $0 } } })
            put(Double.log(Double(n)))
            let attributes = snapshot.opportunities[Int(o)].attributes
            put(pricing.flatMap { rule in
                attributes[rule.offer].map { offer in rule.askPer.map { per in attributes[per].map { offer / $0 } ?? .nan } ?? offer }
            })
            put(shrunk[i])
            put(shrunkRanks[i])
            put(bestShrunk - shrunk[i])
            let client = snapshot.clientOf[Int(o)]
            let habit = client >= 0 ? habits[client] : nil
            put(habit.map { Double.log(1 + Double($0.hires)) } ?? 0)
            put(habit?.cheapest)
            put(habit?.priceRank)
            put(habit?.qualityRank)
            put(habit?.timeRank)
            put(habit.flatMap { h in priceRank.map { $0 - h.priceRank } })
            put(habit.map { qualityRanks[i] - $0.qualityRank })
            if learned {
                put(neural?[i])
                put(neuralRanks?[i])
                put(learnedEnsemble?[i])
            }
        }
        return out
    }

    /// Each value's rank among `values` as a fraction: 0 for the largest, 1 for the smallest,
    /// ties sharing the better rank; 0 for a list of one.
    static func rankFractions(_ values: [Double]) -> [Double] {
        let n = values.count
        guard n > 1 else { return [Double](repeating: 0, count: n) }
        let order = values.indices.sorted { values[$0] > values[$1] }
        var out = [Double](repeating: 0, count: n)
        var rank = 0
        for (k, i) in order.enumerated() {
            if k > 0, values[i] < values[order[k - 1]] { rank = k }
            out[i] = Double(rank) / Double(n - 1)
        }
        return out
    }
}

/// The priced bids on one opportunity, by amount.
struct PriceBoard {
    let amounts: [Double]

    /// The latest priced bid of each bidder among `events`, sorted by amount.
    init(events: ArraySlice<MarketplaceSnapshot.Event>) {
        var latest: [DenseIndex: Double] = [:]
        for e in events where e.type == .bid && !e.value.isNaN && e.value > 0 { latest[e.other] = Double(e.value) }
        amounts = latest.values.sorted()
    }

    var minimum: Double? { amounts.first }
    var mean: Double? { amounts.isEmpty ? nil : amounts.reduce(0, +) / Double(amounts.count) }
    var median: Double? {
        guard !amounts.isEmpty else { return nil }
        let m = amounts.count / 2
        return amounts.count % 2 == 1 ? amounts[m] : (amounts[m - 1] + amounts[m]) / 2
    }

    /// The share of the other bids below `amount` (0: the cheapest), `nil` with fewer than two bids.
    func rank(of amount: Double) -> Double? {
        guard amounts.count >= 2 else { return nil }
        let below = amounts.prefix { $0 < amount }.count
        return Double(below) / Double(amounts.count - 1)
    }
}

extension RecommendationEngine {
    /// The latest priced bid of each bidder on `o`, sorted by amount.
    func priceBoard(_ o: DenseIndex) -> PriceBoard { PriceBoard(events: snapshot.events(onOpportunity: o)) }
}
