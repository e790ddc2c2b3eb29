import RealModule

extension RecommendationMode {
    /// The learned ranker (``RankerModel``) over every component's score and the list-relative
    /// features (``RankerFeatures``); also the final stage of `ensemble` once one is trained.
    /// Without one for the list, it falls back to the ensemble.
    public static let ranked = RecommendationMode(declaring: "ranked")
}

/// Scores a list with the trained ranker: the logistic of the booster's margin, so a score is
/// 0-100 and its breakdown splits it by the SHAP contributions of the features, grouped.
///
/// Breakdown: one `ranked` part whose sub-parts are the feature groups (``RankerFeatures/groups(_:)``)
/// and `baseline` (the model's expected margin). With margin `m` and baseline `b`, a group
/// with contributions `c` gets `100 × c × (σ(m) − σ(b)) / (m − b)` points and the baseline
/// `100 σ(b)`, so the points sum to the score exactly (up to rounding). The contributions
/// (XGBoost's TreeSHAP, most of a ranked request's cost) are computed for requests with
/// explanations; without, the `ranked` part alone carries the score.
struct RankedScorer: Scorer {
    var mode: RecommendationMode { .ranked }

    func score(_ query: QueryState) -> Result<ScorerValues, Fallback> {
        guard let ranker = query.engine.ranker else {
            return .failure(fallback("no learned ranker is loaded; train one with `matchwork train --model ranker`"))
        }
        guard ranker.encoder.scenario == query.snapshot.preset?.name else {
            return .failure(fallback("the ranker was trained for the \(ranker.encoder.scenario?.rawValue ?? "unnamed") scenario, not this marketplace's"))
        }
        guard let stage = ranker.stage(for: query.target) else {
            return .failure(fallback(
                ranker.declined[query.target] ?? "the ranker has no model for \(query.target.rawValue) lists (too few outcomes of that kind when it was trained)"))
        }
        let n = query.candidates.count
        let rows = query.rankerFeatures(ranker.encoder, positions: Array(0..<n), components: stage.components.map(Set.init), learned: ranker.learnedColumns)
        let width = rows.count / max(1, n)
        do throws(MatchworkError) {
            guard width == stage.booster.columns, n > 0 else {
                throw MatchworkError(.invalidValue, "its rows have \(width) features, the booster scores \(stage.booster.columns)", field: "columns")
            }
            let margins = try stage.booster.margins(rows)
            query.rankerRows = rows
            query.rankerMargins = margins
            return .success(ScorerValues(values: margins.map { Self.logistic(Double($0)) }))
        } catch {
            return .failure(fallback("the ranker could not score this list: \(error.message)"))
        }
    }

    static func logistic(_ x: Double) -> Double { 1 / (1 + Double.exp(-x)) }

    /// The SHAP contribution of each feature group for the candidate at `i`, and the baseline,
    /// in margin units; `nil` when the contributions cannot be computed.
    func contributions(_ query: QueryState, candidate i: Int) -> (groups: [(String, Double)], baseline: Double, margin: Double)? {
        guard let ranker = query.engine.ranker, let stage = ranker.stage(for: query.target), !query.rankerRows.isEmpty else { return nil }
        let width = stage.booster.columns
        let n = query.rankerRows.count / max(1, width)
        guard i < n else { return nil }
        if query.rankerContributions[i] == nil {
            // This candidate's alone: a list explains only the results it shows.
            query.rankerContributions[i] = try? stage.booster.shap(Array(query.rankerRows[(i * width)..<((i + 1) * width)]))
        }
        guard let shap = query.rankerContributions[i], shap.count == width + 1 else { return nil }
        // Each column's group, once per list.
        let grouping = query.rankerGroups ?? {
            var names: [String] = [], column: [Int] = []
            for g in RankerFeatures.groups(ranker.features) {
                if let k = names.firstIndex(of: g) { column.append(k) } else { column.append(names.count); names.append(g) }
            }
            query.rankerGroups = (names, column)
            return (names, column)
        }()
        guard grouping.column.count == width else { return nil }
        var sums = [Double](repeating: 0, count: grouping.names.count)
        for k in 0..<width { sums[grouping.column[k]] += Double(shap[k]) }
        return (Array(zip(grouping.names, sums)), Double(shap[width]), Double(query.rankerMargins[i]))
    }

    func part(_ query: QueryState, candidate i: Int, component: Blend.Component) -> ScorePart {
        let value = component.values[i]
        var part = ScorePart(component: mode.rawValue, value: value.roundedTo(4), weight: component.weight.roundedTo(4))
        guard query.explains, let (groups, b, m) = contributions(query, candidate: i) else { return part }
        let scale = abs(m - b) > 1e-9 ? (Self.logistic(m) - Self.logistic(b)) / (m - b) : Self.logistic(b) * (1 - Self.logistic(b))
        var parts: [ScorePart] = []
        var base = ScorePart(component: "baseline", value: Self.logistic(b).roundedTo(4), weight: 1)
        base.points = (100 * component.weight * Self.logistic(b)).roundedTo(2)
        parts.append(base)
        for (group, c) in groups.sorted(by: { abs($0.1) > abs($1.1) }) where abs(c) > 1e-9 {
            var p = ScorePart(component: group, value: c.roundedTo(4), weight: 1)
            p.points = (100 * component.weight * c * scale).roundedTo(2)
            parts.append(p)
        }
        part.parts = parts
        part.points = part.points.roundedTo(2)
        return part
    }

    /// A sentence for each feature group that moved the score by at least half a point, with
    /// its points: "Lowest of 6 bids: +11 points".
    func reasons(_ query: QueryState, candidate i: Int, part: ScorePart) -> [String] {
        let c = query.candidates[i]
        let (p, o) = query.pair(c)
        let engine = query.engine, snapshot = query.snapshot
        let words = engine.features.words
        var out: [String] = []
        for sub in part.parts where sub.component != "baseline" && abs(sub.points) >= 0.5 {
            let points = Explaining.points(sub.points)
            let text: String?
            switch sub.component {
            case "pricing":
                if let bid = query.bid(c), bid.count >= 2 {
                    let above = QueryState.whole((bid.amount / bid.minimum - 1) * 100)
                    text = above == 0 ? "Lowest of \(bid.count) bids" : "Bid \(QueryState.amount(bid.amount)), \(above)% above the lowest of \(bid.count)"
                } else {
                    text = "Price"
                }
            case "bid timing":
                if let bid = query.bid(c), bid.count >= 2 { text = "Bid \(Explaining.ordinal(bid.rank + 1)) of \(bid.count)" } else { text = nil }
            case "quality":
                let w = snapshot.activity.workers[Int(p)]
                text = w.meanRating.map { "Rated \(QueryState.one($0)) by \(w.ratings) \(w.ratings == 1 ? words.client : words.clients)" } ?? "No reviews yet"
            case "reliability":
                let w = snapshot.activity.workers[Int(p)]
                text = w.hires > 0 ? "Completed \(QueryState.whole(100 * Double(w.completions) / Double(w.hires)))% of \(w.hires) accepted" : "No accepted \(words.opportunities) yet"
            case "experience":
                let w = snapshot.activity.workers[Int(p)]
                text = "\(w.completions) \(w.completions == 1 ? words.opportunity : words.opportunities) completed"
            case "location":
                text = snapshot.distanceKm(person: p, opportunity: o).map { "\(QueryState.kilometres($0)) away" } ?? "Distance unknown"
            case "client habits":
                let client = snapshot.clientOf[Int(o)]
                if client >= 0, let habit = engine.clientHabits.habits(engine)[client] {
                    let share = QueryState.whole(100 * habit.cheapest)
                    text = "This \(words.client) took the lowest bid in \(share)% of \(habit.hires) earlier hires"
                } else {
                    text = "No earlier hires by this \(words.client)"
                }
            case "specialization": text = "Fits the \(words.opportunity)'s requirements"
            case "availability": text = "Schedule"
            case "activity": text = "Recent activity"
            case "profile": text = "Profile"
            default: text = "\(sub.component.replacingUnderscores.capitalisedFirst) score"
            }
            if let text { out.append("\(text): \(points)") }
        }
        return out
    }
}

enum Explaining {
    /// "+11 points", "−3 points", "+1 point".
    static func points(_ x: Double) -> String {
        let n = QueryState.whole(x)
        let sign = x >= 0 ? "+" : "−"
        let magnitude = abs(n) == 0 ? QueryState.one(abs(x)) : "\(abs(n))"
        return "\(sign)\(magnitude) \(abs(n) == 1 ? "point" : "points")"
    }

    static func ordinal(_ n: Int) -> String {
        let suffix = (11...13).contains(n % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
        return "\(n)\(suffix)"
    }
}
