import MatchworkCore
import Testing

/// What a filter case may change before recommending for Alice.
struct FilterSetup {
    var fixture: MissionsFixture
    var request = RecommendationRequest(.person("alice"), count: 10, mode: .ensemble)
    var configuration = EngineConfiguration()
    var extraEvents: [Interaction] = []
    var extraPeople: [Person] = []
    var extraOpportunities: [Opportunity] = []

    func run() throws -> Recommendations {
        let snapshot = try fixture.snapshot(extraEvents: extraEvents, extraPeople: extraPeople, extraOpportunities: extraOpportunities)
        return try RecommendationEngine(snapshot: snapshot, configuration: configuration).recommend(request)
    }
}

struct FilterCase: Sendable, CustomTestStringConvertible {
    let filter: HardFilter
    let violate: @Sendable (inout FilterSetup) throws -> Void
    var testDescription: String { filter.rawValue }
}

@Suite("Hard filters")
struct HardFilterTests {
    @Test("Without a violation, the best mission comes first")
    func baseline() throws {
        let result = try FilterSetup(fixture: try MissionsFixture()).run()
        let ids = result.items.map(\.id)
        #expect(ids.first == "best")
        #expect(ids.contains("ok"))
    }

    static let personCases: [FilterCase] = [
        FilterCase(filter: .notOpen) { $0.fixture.best.status = .closed },
        FilterCase(filter: .noFreeSlot) { setup in
            setup.extraEvents.append(try Interaction(person: "nurse-1", opportunity: "best", type: .hire, timestamp: MissionsFixture.at(0, 20)))
        },
        FilterCase(filter: .excluded) { $0.request.filters.excludedOpportunities = ["best"] },
        FilterCase(filter: .alreadyInteracted) { setup in
            setup.extraEvents.append(try Interaction(person: "alice", opportunity: "best", type: .apply, timestamp: MissionsFixture.at(0, 12)))
        },
        FilterCase(filter: .category) { $0.request.filters.facets = [.service: ["emergency"]] },
        FilterCase(filter: .dates) { setup in
            setup.request.filters.startsBetween = MissionsFixture.at(6, 0)...MissionsFixture.at(7, 0)
        },
        FilterCase(filter: .price) { $0.request.filters.priceRange = 25...35 },
        FilterCase(filter: .certification) { setup in
            setup.fixture.best.requiredCertifications = ["advanced_life_support", "basic_life_support"]
            setup.fixture.alice.certifications = [
                try Certification(name: "advanced_life_support", expires: MissionsFixture.at(5, 0)),
                try Certification(name: "basic_life_support", expires: nil),
            ]
        },
        FilterCase(filter: .qualification) { setup in
            setup.fixture.best.required = try Facets([.service: ["intensive_care"], .specialty: ["physician"], .rhythm: ["night"]])
        },
        FilterCase(filter: .distance) { $0.request.filters.maxDistanceKm = 2 },
        FilterCase(filter: .availability) { setup in
            setup.fixture.alice.availability = Availability(slots: [try WeeklySlot.parse("sun 06:00-12:00", field: "availability")])
        },
        FilterCase(filter: .rhythm) { setup in
            setup.fixture.alice.facets = try Facets([.specialty: ["nurse"], .service: ["intensive_care"], .rhythm: ["day"]])
            setup.configuration.rhythm = .strict
        },
        FilterCase(filter: .capacity) { setup in
            // Alice already holds a mission from Saturday 18:00 to Sunday 02:00.
            let held = try MissionsFixture.mission(
                "held", client: "hospital-b", service: "emergency", rhythm: "night", pay: 30,
                window: try MissionsFixture.window(5, 18, hours: 8), location: try GeoPoint(latitude: 45.8, longitude: 4.8), slots: 2)
            setup.extraOpportunities.append(held)
            setup.extraEvents.append(try Interaction(person: "alice", opportunity: "held", type: .hire, timestamp: MissionsFixture.at(0, 10)))
        },
    ]

    @Test("A mission that violates a hard filter never appears, even when it would score highest", arguments: personCases)
    func personDirection(_ filterCase: FilterCase) throws {
        var setup = FilterSetup(fixture: try MissionsFixture())
        try filterCase.violate(&setup)
        for mode in RecommendationMode.allCases {
            setup.request.mode = mode
            let result = try setup.run()
            let ids = result.items.map(\.id)
            #expect(!ids.contains("best"), "mode \(mode.rawValue)")
            #expect(ids.contains("ok"), "the other eligible mission is still recommended (mode \(mode.rawValue))")
            #expect((result.filtered[filterCase.filter.rawValue] ?? 0) >= 1, "counted under \(filterCase.filter.rawValue)")
        }
    }

    @Test("Filtering happens before the top-k cut: count 1 still returns the next eligible mission")
    func filtersBeforeTopK() throws {
        var setup = FilterSetup(fixture: try MissionsFixture())
        setup.request.count = 1
        setup.request.filters.excludedOpportunities = ["best"]
        let result = try setup.run()
        #expect(result.items.map(\.id) == ["ok"])
    }

    @Test("People for a mission: each filter removes the violating clinician")
    func opportunityDirection() throws {
        let fixture = try MissionsFixture()
        let home = try GeoPoint(latitude: MissionsFixture.centre.lat, longitude: MissionsFixture.centre.lon)
        let expired = try MissionsFixture.clinician("expired", facets: [.specialty: ["nurse"]], location: home, certifications: [try Certification(name: "basic_life_support", expires: MissionsFixture.at(2, 0))])
        let physician = try MissionsFixture.clinician("physician", facets: [.specialty: ["physician"]], location: home)
        let far = try MissionsFixture.clinician("far", facets: [.specialty: ["nurse"]], location: try GeoPoint(latitude: 46.5, longitude: 4.8))
        let declined = try MissionsFixture.clinician("declined", facets: [.specialty: ["nurse"]], location: home)
        let events = [
            try Interaction(person: "declined", opportunity: "best", type: .apply, timestamp: MissionsFixture.at(0, 9)),
            try Interaction(person: "declined", opportunity: "best", type: .decline, timestamp: MissionsFixture.at(0, 10)),
        ]
        let snapshot = try fixture.snapshot(extraEvents: events, extraPeople: [expired, physician, far, declined])
        let engine = try RecommendationEngine(snapshot: snapshot)
        var request = RecommendationRequest(.opportunity("best"), count: 20)
        request.filters.maxDistanceKm = 30
        request.filters.excludedPeople = ["nurse-3"]
        let result = try engine.recommend(request)
        let ids = Set(result.items.map(\.id))
        #expect(ids == ["alice", "nurse-1", "nurse-2"])
        #expect(result.filtered["certification"] == 1)
        #expect(result.filtered["qualification"] == 1)
        #expect(result.filtered["distance"] == 1)
        #expect(result.filtered["already_interacted"] == 1)
        #expect(result.filtered["excluded"] == 1)
    }

    @Test("A filled mission gets an empty list with a notice, not an error")
    func filledOpportunity() throws {
        var fixture = try MissionsFixture()
        fixture.best.status = .filled
        let result = try RecommendationEngine(snapshot: try fixture.snapshot()).recommend(RecommendationRequest(.opportunity("best")))
        #expect(result.items.isEmpty)
        #expect(result.notice == "Mission 'best' is filled; nobody can be recommended for it.")
    }
}
