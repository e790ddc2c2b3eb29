extension RatingTable {
    /// Which events become rows, and with what rating.
    public enum Signal: String, Sendable, CaseIterable {
        /// Hires, completions, enrolments and passes: the rating is how many such events the pair
        /// has (implicit feedback, for ranking).
        case positive
        /// Reviews (`rate` events): the rating is their mean overall value, 0-10 (explicit
        /// feedback, for rating prediction).
        case rating
    }

    /// What a row's item is.
    public enum ItemKey: String, Sendable, CaseIterable {
        /// The opportunity itself.
        case opportunity
        /// The opportunity's client (a hospital, a household): repeated work with the same
        /// client becomes one pair. Opportunities without a client are left out.
        case client
    }

    /// An interaction file's rows from a marketplace's events: one row per (person, item) pair,
    /// stamped with the pair's latest event, in order of first appearance.
    ///
    /// - Parameter kinds: the opportunity kinds whose events count (`nil`: all); a learning
    ///   marketplace's hires on job postings are not course outcomes.
    /// - Throws: when no event gives a row, naming the signal.
    public static func fromInteractions(
        _ interactions: [Interaction], opportunities: [Opportunity], signal: Signal, item key: ItemKey, kinds: [OpportunityKind]? = nil
    ) throws(MatchworkError) -> RatingTable {
        var clients: [OpportunityID: PersonID] = [:]
        if key == .client { for o in opportunities { if let c = o.client { clients[o.id] = c } } }
        let excluded: Set<OpportunityID> = kinds.map { kinds in Set(opportunities.lazy.filter { !kinds.contains($0.kind) }.map(\.id)) } ?? []
        struct Pair: Hashable { var user: String, item: String }
        var order: [Pair] = []
        var totals: [Pair: (sum: Double, count: Int, latest: Int64)] = [:]
        for event in interactions where !excluded.contains(event.opportunity) {
            let value: Double
            switch (signal, event.type) {
            case (.positive, .hire), (.positive, .complete), (.positive, .enroll), (.positive, .pass): value = 1
            case (.rating, .rate): value = event.value ?? 0
            default: continue
            }
            let item: String
            switch key {
            case .opportunity: item = event.opportunity.rawValue
            case .client:
                guard let client = clients[event.opportunity] else { continue }
                item = client.rawValue
            }
            let pair = Pair(user: event.person.rawValue, item: item)
            let seconds = event.timestamp.secondsSinceEpoch
            if let t = totals[pair] {
                totals[pair] = (t.sum + value, t.count + 1, max(t.latest, seconds))
            } else {
                order.append(pair)
                totals[pair] = (value, 1, seconds)
            }
        }
        guard !order.isEmpty else {
            throw MatchworkError(.invalidValue, "no event gives a \(signal.rawValue) row (\(signal == .positive ? "hire, complete, enroll or pass" : "rate") events\(key == .client ? " on opportunities with a client" : "")); choose another --signal or --item.", field: "signal")
        }
        var builder = Builder()
        for (line, pair) in order.enumerated() {
            let t = totals[pair]!
            let rating = signal == .positive ? Float(t.sum) : Float(t.sum / Double(t.count))
            try builder.append(user: pair.user, item: pair.item, rating: rating, timestamp: t.latest, line: line + 2)
        }
        return builder.table
    }
}
