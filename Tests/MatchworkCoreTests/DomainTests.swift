import MatchworkCore
import Testing

@Suite("Domain invariants")
struct DomainTests {
    @Test func timestampsRoundTripThroughISO8601() throws {
        let t = try Timestamp.parse("2026-03-01T08:30:15Z", field: "t")
        #expect(t.iso8601 == "2026-03-01T08:30:15Z")
        #expect(t.weekday == 6)  // a Sunday
        #expect(try Timestamp.parse("2026-03-01", field: "t").isoDate == "2026-03-01")
        #expect(try Timestamp.parse("2026-03-01T10:30:15+02:00", field: "t") == t)
        #expect(try Timestamp.parse("1772353815", field: "t") == t)
        #expect(Timestamp(secondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59Z")
        #expect(Timestamp(year: 2024, month: 2, day: 29).isoDate == "2024-02-29")
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "yesterday", "2026-03-01T25:00:00Z", ""])
    func invalidTimesAreRejected(_ text: String) {
        #expect(throws: MatchworkError.self) { try Timestamp.parse(text, field: "timestamp") }
    }

    @Test func invalidTimeMessageNamesValueAndFix() {
        #expect(throws: MatchworkError(.invalidValue, "timestamp 'soon' is not a time; write Unix seconds (1767225600), a date (2026-01-01) or an ISO 8601 date-time (2026-01-01T08:00:00Z).", field: "timestamp")) {
            try Timestamp.parse("soon", field: "timestamp")
        }
    }

    @Test func locationsAreValidatedAndDistancesAreRight() throws {
        #expect(throws: MatchworkError.self) { try GeoPoint(latitude: 95, longitude: 0) }
        #expect(throws: MatchworkError.self) { try GeoPoint(latitude: 0, longitude: .nan) }
        let paris = try GeoPoint(latitude: 48.8566, longitude: 2.3522)
        let lyon = try GeoPoint(latitude: 45.764, longitude: 4.8357)
        #expect(abs(paris.distance(to: lyon) - 391.5) < 2)
        #expect(paris.distance(to: paris) == 0)
    }

    @Test func facetsAreCanonical() throws {
        let a = try Facets([.service: ["surgery", "emergency", "surgery"], .rhythm: []])
        #expect(a[.service] == ["emergency", "surgery"])
        #expect(a.names == [.service])
        #expect(a == (try Facets([.service: ["emergency", "surgery"]])))
    }

    @Test(arguments: ["night;day", "a|b", "x=y", "", " padded", "tab\there"])
    func tokensRejectSeparatorsAndBlanks(_ token: String) {
        #expect(throws: MatchworkError.self) { try Facets([.rhythm: [token]]) }
    }

    @Test func peopleAndOpportunitiesCheckTheirInvariants() throws {
        #expect(throws: MatchworkError.self) { try Person(id: "", role: .worker) }
        #expect(throws: MatchworkError.self) { try Person(id: "p1", role: .worker, capacity: 0) }
        #expect(throws: MatchworkError.self) { try Opportunity(id: "o1", kind: .mission, slots: 0) }
        #expect(throws: MatchworkError.self) {
            try Opportunity(id: "o1", kind: .mission, teaches: [try SkillLevel(skill: "writing", level: 3)])
        }
        #expect(throws: MatchworkError.self) { try SkillLevel(skill: "writing", level: 8) }
        #expect(throws: MatchworkError.self) {
            try Person(id: "p1", role: .learner, skills: [try SkillLevel(skill: "writing", level: 3), try SkillLevel(skill: "writing", level: 4)])
        }
        #expect(throws: MatchworkError.self) {
            try TimeWindow(start: Timestamp(secondsSinceEpoch: 10), end: Timestamp(secondsSinceEpoch: 5))
        }
        let course = try Opportunity(id: "c1", kind: .course, teaches: [try SkillLevel(skill: "writing", level: 4)])
        #expect(course.teaches.count == 1)
    }

    @Test func certificationsExpire() throws {
        let c = try Certification(name: "basic_life_support", expires: Timestamp(year: 2026, month: 5, day: 1))
        #expect(c.isValid(at: Timestamp(year: 2026, month: 4, day: 30)))
        #expect(!c.isValid(at: Timestamp(year: 2026, month: 5, day: 1)))
        let person = try Person(id: "p", role: .worker, certifications: [c, try Certification(name: "trauma_care", expires: nil)])
        #expect(person.validCertifications(at: Timestamp(year: 2027, month: 1, day: 1)) == ["trauma_care"])
    }

    @Test func weeklySlotsParseAndCover() throws {
        let slot = try WeeklySlot.parse("mon 08:00-18:00", field: "availability")
        #expect(slot.text == "mon 08:00-18:00")
        #expect(slot.covers(Timestamp(year: 2026, month: 3, day: 2, hour: 9)))  // a Monday
        #expect(!slot.covers(Timestamp(year: 2026, month: 3, day: 3, hour: 9)))
        #expect(throws: MatchworkError.self) { try WeeklySlot.parse("mon 18:00-08:00", field: "availability") }
        #expect(throws: MatchworkError.self) { try WeeklySlot.parse("funday 08:00-09:00", field: "availability") }
    }

    static let t0 = Timestamp(secondsSinceEpoch: 1_700_000_000)

    @Test(arguments: [
        (InteractionType.bid, nil as Double?, "a bid needs a positive amount in value, got nothing; give the amount offered, for example 85.5."),
        (.bid, -3, "a bid needs a positive amount in value, got -3.0; give the amount offered, for example 85.5."),
        (.rate, 11, "a rate event needs an overall rating in 0...10 in value, got 11.0."),
        (.rate, nil, "a rate event needs an overall rating in 0...10 in value, got nothing."),
    ])
    func eventValuesAreChecked(type: InteractionType, value: Double?, message: String) {
        #expect {
            try Interaction(person: "p", opportunity: "o", type: type, timestamp: Self.t0, value: value)
        } throws: { error in
            (error as? MatchworkError)?.message == message && (error as? MatchworkError)?.field == "value"
        }
    }

    @Test func eventDetailsBelongToTheirTypes() throws {
        #expect(throws: MatchworkError.self) {
            try Interaction(person: "p", opportunity: "o", type: .view, timestamp: Self.t0, subScores: [.init(name: "quality", value: 9)])
        }
        #expect(throws: MatchworkError.self) { try Interaction(person: "p", opportunity: "o", type: .feedback, timestamp: Self.t0) }
        #expect(throws: MatchworkError.self) {
            try Interaction(person: "p", opportunity: "o", type: .apply, timestamp: Self.t0, reason: .tooFar)
        }
        #expect(throws: MatchworkError.self) {
            try Interaction(person: "p", opportunity: "o", type: .rate, timestamp: Self.t0, value: 8, subScores: [.init(name: "quality", value: 9), .init(name: "quality", value: 8)])
        }
        let rating = try Interaction(person: "p", opportunity: "o", type: .rate, timestamp: Self.t0, value: 8,
            subScores: [.init(name: "timeliness", value: 7), .init(name: "quality", value: 9)])
        #expect(rating.subScores.map(\.name) == ["quality", "timeliness"])
        #expect(rating.subScore("quality") == 9)
        let feedback = try Interaction(person: "p", opportunity: "o", type: .feedback, timestamp: Self.t0, reason: .tooExpensive, comment: "twice my budget")
        #expect(feedback.reason == .tooExpensive)
    }

    @Test func eventVocabularyIsValidated() throws {
        #expect(try InteractionType.parse("accept") == .hire)
        #expect(try InteractionType.parse("no-show") == .noShow)
        #expect(throws: MatchworkError(.unknownVocabulary, "type 'clik' is not an event type; use one of view, click, apply, bid, shortlist, hire, decline, complete, cancel, no_show, rate, enroll, pass, fail, feedback, retract.", field: "type")) {
            try InteractionType.parse("clik")
        }
        #expect(throws: MatchworkError.self) { try FeedbackReason.parse("meh") }
    }

    @Test func eventWeightsAreConfigurableAndValidated() throws {
        let weights = try InteractionWeights([.view: 0.5])
        #expect(weights[.view] == 0.5)
        #expect(weights[.hire] == InteractionWeights.standard[.hire])
        #expect(throws: MatchworkError.self) { try InteractionWeights([.hire: .infinity]) }
        #expect(throws: MatchworkError.self) { try InteractionWeights([.hire: 1000]) }
        let great = try Interaction(person: "p", opportunity: "o", type: .rate, timestamp: Self.t0, value: 10)
        let poor = try Interaction(person: "p", opportunity: "o", type: .rate, timestamp: Self.t0, value: 0)
        #expect(weights.weight(of: great) == 2)
        #expect(weights.weight(of: poor) == -2)
    }

    @Test func scenarioPresetsValidateVocabularies() throws {
        let preset = ScenarioPreset.missions
        let ok = try Person(id: "c", role: .worker, facets: try Facets([.service: ["intensive_care"], .specialty: ["nurse"], .rhythm: ["night"]]))
        try preset.validate(ok)
        let typo = try Person(id: "c", role: .worker, facets: try Facets([.service: ["intensive-care"]]))
        #expect(throws: MatchworkError.self) { try preset.validate(typo) }
        let unknownFacet = try Person(id: "c", role: .worker, facets: try Facets(["specialtie": ["nurse"]]))
        #expect(throws: MatchworkError.self) { try preset.validate(unknownFacet) }
        let job = try Opportunity(id: "j", kind: .job)
        #expect(throws: MatchworkError.self) { try preset.validate(job) }
        try ScenarioPreset.cleaning.validate(job)
    }

    @Test func idIndexKeepsDenseIndicesApartFromIds() {
        var index = IDIndex<PersonID>()
        #expect(index.insert("w_42") == 0)
        #expect(index.insert("w_7") == 1)
        #expect(index.insert("w_42") == 0)
        #expect(index.count == 2)
        #expect(index[1] == "w_7")
        #expect(index.index(of: "nobody") == nil)
    }
}
