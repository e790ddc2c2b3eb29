import MatchworkCore

/// A hand-built missions marketplace: one clinician (alice), a mission that suits her best
/// ("best"), another that suits her less ("ok"), and some history from other clinicians.
struct MissionsFixture {
    /// Monday 2 June 2025, 00:00 UTC.
    static let t0 = Timestamp(year: 2025, month: 6, day: 2)
    static let centre = (lat: 45.764, lon: 4.8357)
    /// 3.2 km north of the centre.
    static let aliceLatitude = 45.764 + 3.2 / 111.195

    var alice: Person
    var best: Opportunity
    var ok: Opportunity
    var others: [Person] = []
    var opportunities: [Opportunity] = []
    var events: [Interaction] = []
    var clients: [Person] = []

    static func at(_ day: Int, _ hour: Int) -> Timestamp { t0.adding(seconds: Int64(day) * 86_400 + Int64(hour) * 3600) }

    static func window(_ startDay: Int, _ startHour: Int, hours: Int) throws -> TimeWindow {
        let start = at(startDay, startHour)
        return try TimeWindow(start: start, end: start.adding(seconds: Int64(hours) * 3600))
    }

    static func mission(
        _ id: String, client: String, service: String, specialty: String = "nurse", rhythm: String, pay: Double,
        window: TimeWindow, location: GeoPoint, slots: Int = 1, status: OpportunityStatus = .open, certifications: [String] = ["basic_life_support"]
    ) throws -> Opportunity {
        try Opportunity(
            id: OpportunityID(id), kind: .mission, client: PersonID(client), title: "\(specialty), \(service), \(rhythm)",
            required: try Facets([.service: [service], .specialty: [specialty], .rhythm: [rhythm]]),
            requiredCertifications: certifications, attributes: try Attributes(["pay": pay, "duration_days": 1, "hours_per_week": 35]),
            location: location, window: window, slots: slots, status: status)
    }

    static func clinician(_ id: String, facets: [FacetName: [String]], location: GeoPoint?, rate: Double = 30, capacity: Int = 1, availability: [WeeklySlot] = [], certifications: [Certification]? = nil) throws -> Person {
        try Person(
            id: PersonID(id), role: .worker, name: id.capitalized, facets: try Facets(facets),
            certifications: certifications ?? [try Certification(name: "basic_life_support", expires: nil)],
            attributes: try Attributes(["hourly_rate": rate, "years_experience": 5]), location: location,
            availability: Availability(slots: availability), capacity: capacity)
    }

    init() throws {
        let hospitalA = try GeoPoint(latitude: Self.centre.lat, longitude: Self.centre.lon)
        let aliceHome = try GeoPoint(latitude: Self.aliceLatitude, longitude: Self.centre.lon)
        clients = [
            try Person(id: "hospital-a", role: .client, name: "Hospital A", location: hospitalA),
            try Person(id: "hospital-b", role: .client, name: "Hospital B", location: aliceHome),
        ]
        alice = try Self.clinician("alice", facets: [.specialty: ["nurse"], .service: ["intensive_care"], .rhythm: ["night"]], location: aliceHome)
        // Saturday 20:00 to Sunday 06:00, intensive care, night, well paid, 3.2 km away.
        best = try Self.mission("best", client: "hospital-a", service: "intensive_care", rhythm: "night", pay: 40, window: try Self.window(5, 20, hours: 10), location: hospitalA)
        // Sunday 07:00 to 19:00, emergency, day, at Alice's door.
        ok = try Self.mission("ok", client: "hospital-b", service: "emergency", rhythm: "day", pay: 30, window: try Self.window(6, 7, hours: 12), location: aliceHome)
        // History: three nurses who like intensive-care nights were hired at hospital A.
        for n in 1...3 {
            let id = "nurse-\(n)"
            others.append(try Self.clinician(id, facets: [.specialty: ["nurse"], .service: ["intensive_care"], .rhythm: ["night"]], location: hospitalA))
            let past = try Self.mission("past-\(n)", client: "hospital-a", service: "intensive_care", rhythm: "night", pay: 38, window: try Self.window(-20 + n, 20, hours: 10), location: hospitalA, status: .filled)
            opportunities.append(past)
            events.append(try Interaction(person: PersonID(id), opportunity: past.id, type: .apply, timestamp: Self.at(-25 + n, 9)))
            events.append(try Interaction(person: PersonID(id), opportunity: past.id, type: .hire, timestamp: Self.at(-24 + n, 9), value: 38))
            events.append(try Interaction(person: PersonID(id), opportunity: past.id, type: .complete, timestamp: Self.at(-19 + n, 6)))
            events.append(try Interaction(person: PersonID(id), opportunity: past.id, type: .rate, timestamp: Self.at(-18 + n, 6), value: 9.4,
                subScores: [Interaction.SubScore(name: "quality", value: 9.4)]))
            events.append(try Interaction(person: PersonID(id), opportunity: "best", type: .view, timestamp: Self.at(0, 8 + n)))
        }
    }

    var people: [Person] { clients + [alice] + others }
    var allOpportunities: [Opportunity] { [best, ok] + opportunities }

    func snapshot(extraEvents: [Interaction] = [], extraPeople: [Person] = [], extraOpportunities: [Opportunity] = []) throws -> MarketplaceSnapshot {
        try MarketplaceSnapshot(
            people: people + extraPeople, opportunities: allOpportunities + extraOpportunities, interactions: events + extraEvents,
            scenario: .missions, now: Self.at(1, 0))
    }
}

extension String {
    var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
