import MatchworkCore

/// Collects generated events, then orders them by time and numbers them.
struct EventLog {
    private struct Pending {
        var sequence: Int
        var person: PersonID
        var opportunity: OpportunityID
        var type: InteractionType
        var time: Int64
        var value: Double?
        var subScores: [Interaction.SubScore]
    }

    private var pending: [Pending] = []
    let prefix: String

    init(prefix: String) { self.prefix = prefix }

    mutating func add(_ person: PersonID, _ opportunity: OpportunityID, _ type: InteractionType, at time: Int64, value: Double? = nil, subScores: [Interaction.SubScore] = []) {
        pending.append(Pending(sequence: pending.count, person: person, opportunity: opportunity, type: type, time: time, value: value, subScores: subScores))
    }

    var count: Int { pending.count }

    /// Leaves out the events after `time`: they have not happened when the marketplace is observed.
    mutating func removeAll(after time: Int64) { pending.removeAll { $0.time > time } }

    /// The events in time order (ties in generation order), with ids `<prefix>-e<n>`.
    func interactions() throws(MatchworkError) -> [Interaction] {
        let ordered = pending.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
        var result: [Interaction] = []
        result.reserveCapacity(ordered.count)
        for (n, e) in ordered.enumerated() {
            result.append(try Interaction(
                eventID: "\(prefix)-e\(n + 1)", person: e.person, opportunity: e.opportunity, type: e.type,
                timestamp: Timestamp(secondsSinceEpoch: e.time), value: e.value, subScores: e.subScores))
        }
        return result
    }
}

/// The generated marketplaces' common timeline: a year starting Monday 2025-01-06, UTC.
enum Timeline {
    static let start = Timestamp(year: 2025, month: 1, day: 6).secondsSinceEpoch
    static let days = 365
    static let end = start + Int64(days) * 86_400
    static let hour: Int64 = 3600
    static let day: Int64 = 86_400
}
