import MatchworkCore
import Testing

/// Event times, the reference time of a snapshot and retractions (issue 21, item 1).
@Suite("Event times, reference time and retractions")
struct EventTimeTests {
    static let t0 = Timestamp(year: 2025, month: 6, day: 2)

    static func view(_ n: Int, at time: Timestamp, person: String = "p", opportunity: String = "o") throws -> Interaction {
        try Interaction(eventID: "e\(n)", person: PersonID(person), opportunity: OpportunityID(opportunity), type: .view, timestamp: time)
    }

    /// A steady stream: one event an hour for `hours` hours from t0.
    static func stream(hours: Int) throws -> [Interaction] {
        try (0..<hours).map { try view($0, at: t0.adding(seconds: Int64($0) * 3600)) }
    }

    @Test("An event outside 1970-2099 is refused, naming its value", arguments: [
        (Int64(-1), "timestamp -1 (1969-12-31T23:59:59Z) is outside 1970-01-01 to 2099-12-31"),
        (Int64(253_402_300_799), "timestamp 253402300799 (9999-12-31T23:59:59Z) is outside 1970-01-01 to 2099-12-31"),
        (Int64(4_102_444_800), "timestamp 4102444800 (2100-01-01T00:00:00Z) is outside 1970-01-01 to 2099-12-31"),
    ])
    func outOfRange(seconds: Int64, message: String) throws {
        let error = #expect(throws: MatchworkError.self) {
            try Interaction(person: "p", opportunity: "o", type: .view, timestamp: Timestamp(secondsSinceEpoch: seconds))
        }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        #expect(error?.field == "timestamp")
    }

    @Test("The edges of the range are accepted")
    func edges() throws {
        for seconds: Int64 in [0, 4_102_444_799] {
            #expect(try Interaction(person: "p", opportunity: "o", type: .view, timestamp: Timestamp(secondsSinceEpoch: seconds)).timestamp.secondsSinceEpoch == seconds)
        }
    }

    @Test("A steady stream's reference time is its latest event")
    func steady() throws {
        let events = try Self.stream(hours: 500)
        #expect(MarketplaceSnapshot.referenceTime(of: events) == events.last!.timestamp)
        #expect(MarketplaceSnapshot.referenceTime(of: []) == nil)
        #expect(MarketplaceSnapshot.referenceTime(of: [events[3]]) == events[3].timestamp)
    }

    @Test("No single event moves the reference time by more than 7 days", arguments: [
        Timestamp(year: 2099, month: 12, day: 31), Timestamp(year: 2026, month: 11, day: 20), Timestamp(year: 2025, month: 7, day: 1),
    ])
    func robust(outlier: Timestamp) throws {
        let events = try Self.stream(hours: 500)
        let latest = events.last!.timestamp
        let moved = try #require(MarketplaceSnapshot.referenceTime(of: events + [try Self.view(9999, at: outlier)]))
        #expect(moved >= latest)
        #expect(moved.secondsSinceEpoch - latest.secondsSinceEpoch <= MarketplaceSnapshot.referenceLead)
        #expect(moved == min(outlier, latest.adding(seconds: MarketplaceSnapshot.referenceLead)))
    }

    @Test("Large logs need more outliers: k = ⌈n / 10,000⌉ of them")
    func proportional() throws {
        let events = try Self.stream(hours: 20_000)
        let latest = events.last!.timestamp
        let far = Timestamp(year: 2090, month: 1, day: 1)
        let two = try (0..<2).map { try Self.view(50_000 + $0, at: far) }
        #expect(MarketplaceSnapshot.referenceTime(of: events + two) == latest.adding(seconds: MarketplaceSnapshot.referenceLead))
        let three = try (0..<3).map { try Self.view(60_000 + $0, at: far) }
        #expect(MarketplaceSnapshot.referenceTime(of: events + three) == far)
    }

    @Test("A snapshot's now and activity ignore one event dated years ahead")
    func snapshotNow() throws {
        let people = [try Person(id: "p", role: .worker)]
        let opportunities = [try Opportunity(id: "o", kind: .job)]
        let events = try Self.stream(hours: 48)
        let clean = try MarketplaceSnapshot(people: people, opportunities: opportunities, interactions: events)
        let poisoned = try MarketplaceSnapshot(
            people: people, opportunities: opportunities, interactions: events + [try Self.view(77, at: Timestamp(year: 2099, month: 1, day: 1))])
        #expect(clean.now == events.last!.timestamp)
        #expect(poisoned.now == clean.now.adding(seconds: MarketplaceSnapshot.referenceLead))
        // The event after now is left out: the latest activity is the stream's.
        #expect(poisoned.activity.opportunityRecords[0].lastActivity == clean.activity.opportunityRecords[0].lastActivity)
        #expect(poisoned.activity.opportunityRecords[0].lastActivity == events.last!.timestamp.secondsSinceEpoch)
    }

    @Test("A retraction withdraws its target wherever it sits; both are left out")
    func standing() throws {
        let a = try Self.view(1, at: Self.t0), b = try Self.view(2, at: Self.t0.adding(seconds: 60))
        let retraction = try Interaction(person: "p", opportunity: "o", type: .retract, timestamp: Self.t0.adding(seconds: 120), retracts: "e1")
        #expect(Interaction.standing([a, b, retraction]) == [b])
        #expect(Interaction.standing([retraction, a, b]) == [b])
        #expect(Interaction.standing([a, b]) == [a, b])
        let unknown = try Interaction(person: "p", opportunity: "o", type: .retract, timestamp: Self.t0, retracts: "nothing")
        #expect(Interaction.standing([a, unknown]) == [a])
    }

    @Test("Retract events need a target, and only they carry one", arguments: [
        (InteractionType.retract, nil as String?, "a retract event needs retracts: the event_id of the event it withdraws."),
        (.view, "e1", "retracts belongs to retract events, not to a view event."),
        (.retract, "self", "event 'self' cannot retract itself; name the event recorded by mistake."),
    ])
    func retractRules(type: InteractionType, target: String?, message: String) {
        let error = #expect(throws: MatchworkError.self) {
            try Interaction(eventID: "self", person: "p", opportunity: "o", type: type, timestamp: Self.t0, retracts: target)
        }
        #expect(error?.message == message)
        #expect(error?.field == "retracts")
    }

    @Test("A retracted hire frees its slot in the snapshot")
    func retractedHire() throws {
        let people = [try Person(id: "p", role: .worker)]
        let opportunities = [try Opportunity(id: "o", kind: .job, slots: 1)]
        let hire = try Interaction(eventID: "h", person: "p", opportunity: "o", type: .hire, timestamp: Self.t0)
        let hired = try MarketplaceSnapshot(people: people, opportunities: opportunities, interactions: [hire])
        #expect(hired.freeSlots(0) == 0)
        let retraction = try Interaction(person: "p", opportunity: "o", type: .retract, timestamp: Self.t0.adding(seconds: 5), retracts: "h")
        let withdrawn = try MarketplaceSnapshot(people: people, opportunities: opportunities, interactions: [hire, retraction])
        #expect(withdrawn.freeSlots(0) == 1)
        #expect(withdrawn.openOpportunities == [0])
    }
}
