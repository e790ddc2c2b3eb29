public import MatchworkCore

extension Marketplace {
    /// The same marketplace moved in time by whole weeks so that its latest event falls in the
    /// week up to `end`.
    ///
    /// Every time moves by the same whole number of weeks: events, opportunity windows and
    /// certification expiries. Weekdays and times of day stay what they were, so
    /// availability, rhythms and every figure computed from time differences are unchanged;
    /// only the calendar dates differ.
    ///
    /// - Throws: when a shifted time would leave 1970-2099.
    public func ending(before end: Timestamp) throws(MatchworkError) -> Marketplace {
        let week: Int64 = 7 * 86_400
        guard let latest = interactions.lazy.map(\.timestamp.secondsSinceEpoch).max() else { return self }
        let gap = end.secondsSinceEpoch - latest
        let weeks = gap >= 0 ? gap / week : -((-gap + week - 1) / week)
        let offset = weeks * week
        guard offset != 0 else { return self }
        func moved(_ time: Timestamp) -> Timestamp { time.adding(seconds: offset) }
        var shifted = self
        for i in shifted.people.indices where !shifted.people[i].certifications.isEmpty {
            shifted.people[i].certifications = try shifted.people[i].certifications.map { (c) throws(MatchworkError) in
                try Certification(name: c.name, expires: c.expires.map(moved))
            }
        }
        for i in shifted.opportunities.indices {
            if let window = shifted.opportunities[i].window {
                shifted.opportunities[i].window = try TimeWindow(start: moved(window.start), end: moved(window.end))
            }
        }
        shifted.interactions = try interactions.map { (e) throws(MatchworkError) in
            try Interaction(
                eventID: e.eventID, person: e.person, opportunity: e.opportunity, type: e.type, timestamp: moved(e.timestamp), value: e.value,
                subScores: e.subScores, reason: e.reason, comment: e.comment, retracts: e.retracts)
        }
        return shifted
    }
}
