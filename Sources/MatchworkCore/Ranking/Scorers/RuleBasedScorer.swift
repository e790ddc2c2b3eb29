extension RecommendationMode {
    /// Weighted rules that explain themselves (quality, reliability, fit…); always answers.
    public static let ruleBased = RecommendationMode(declaring: "rule_based")
}

/// The rule-based scorer (``RecommendationEngine/ruleValue(person:opportunity:forPerson:wanted:bid:)``):
/// every candidate's weighted rules, and in the breakdown each rule's part.
struct RuleBasedScorer: Scorer {
    var mode: RecommendationMode { .ruleBased }

    func score(_ query: QueryState) -> Result<ScorerValues, Fallback> { .success(ScorerValues(values: values(query))) }

    /// The rules never fail to score: a missing fact counts as neutral (and is said so).
    func values(_ query: QueryState) -> [Double] {
        let engine = query.engine, subject = query.subject
        if query.forPerson {
            let mask = query.wantedMask
            return query.candidates.map { c in engine.ruleValue(person: subject, opportunity: c, forPerson: true, wanted: { mask[Int($0)] }, bid: query.bid(c)) }
        }
        // One mask of wanted positions, set and cleared per candidate person.
        let positions = query.index.tables.preferencePositions
        var mask = [Bool](repeating: false, count: query.index.space.dimension)
        return mask.withUnsafeMutableBufferPointer { wanted in
            query.candidates.map { c in
                let row = positions.range(Int(c))
                for k in row { wanted[Int(positions.values[k])] = true }
                let value = engine.ruleValue(person: c, opportunity: subject, forPerson: false, wanted: { wanted[Int($0)] }, bid: query.bid(c))
                for k in row { wanted[Int(positions.values[k])] = false }
                return value
            }
        }
    }

    /// The rules' full breakdown of one candidate.
    func ruleScore(_ query: QueryState, _ c: DenseIndex) -> ScorePart {
        let (p, o) = query.pair(c)
        if query.forPerson {
            let mask = query.wantedMask
            return query.engine.ruleScore(person: p, opportunity: o, forPerson: true, wanted: { mask[Int($0)] }, bid: query.bid(c))
        }
        let positions = query.index.tables.preferencePositions
        return query.engine.ruleScore(person: p, opportunity: o, forPerson: false, wanted: { positions.row(Int(p), contains: $0) }, bid: query.bid(c))
    }

    /// The rules as sub-parts, their weights scaled by the component's.
    func part(_ query: QueryState, candidate i: Int, component: Blend.Component) -> ScorePart {
        let rule = ruleScore(query, query.candidates[i])
        var part = ScorePart(component: component.name, value: rule.value.roundedTo(4), weight: component.weight.roundedTo(4), assumed: rule.assumed, parts: [])
        part.parts = rule.parts.map {
            var p = ScorePart(component: $0.component, value: $0.value.roundedTo(4), weight: ($0.weight * component.weight).roundedTo(4), assumed: $0.assumed)
            p.points = p.points.roundedTo(2)
            return p
        }
        part.points = part.points.roundedTo(2)
        return part
    }
}
