import Foundation
import MatchworkCore
import MatchworkSynth
import Testing

@testable import MatchworkStore

/// The profile and details columns are read without `JSONDecoder`; these tests hold the fast
/// readers to `JSONDecoder`'s results on every stored shape, and check the fallback.
@Suite("Profile columns")
struct ProfileColumnTests {
    @Test("people, opportunities and event details of all three scenarios read the same as with JSONDecoder", arguments: ScenarioName.allCases)
    func sameAsJSONDecoder(_ scenario: ScenarioName) throws {
        let m = try tinyMarketplace(scenario)
        var checked = (people: 0, opportunities: 0, details: 0)
        for person in m.people {
            let text = try RowCoding.json(
                PersonProfile(
                    facets: person.facets, skills: person.skills, certifications: person.certifications, attributes: person.attributes,
                    availability: person.availability))
            let fast = try #require(ProfileColumns.person(text), "\(person.id): \(text)")
            let slow = try RowCoding.decode(PersonProfile.self, text, what: "person profile")
            #expect(fast.facets == slow.facets && fast.skills == slow.skills && fast.certifications == slow.certifications)
            #expect(fast.attributes == slow.attributes && fast.availability == slow.availability)
            #expect(fast.facets == person.facets && fast.availability == person.availability && fast.certifications == person.certifications)
            checked.people += 1
        }
        for o in m.opportunities {
            let text = try RowCoding.json(
                OpportunityProfile(
                    required: o.required, preferred: o.preferred, certifications: o.requiredCertifications, attributes: o.attributes,
                    teaches: o.teaches, prerequisites: o.prerequisites))
            let fast = try #require(ProfileColumns.opportunity(text), "\(o.id): \(text)")
            let slow = try RowCoding.decode(OpportunityProfile.self, text, what: "opportunity profile")
            #expect(fast.required == slow.required && fast.preferred == slow.preferred && fast.certifications == slow.certifications)
            #expect(fast.attributes == slow.attributes && fast.teaches == slow.teaches && fast.prerequisites == slow.prerequisites)
            #expect(fast.required == o.required && fast.attributes == o.attributes && fast.teaches == o.teaches)
            checked.opportunities += 1
        }
        for i in m.interactions {
            guard let text = RowCoding.details(of: i) else { continue }
            let fast = try #require(ProfileColumns.details(text), "\(text)")
            let slow = try RowCoding.decode(InteractionDetails.self, text, what: "event")
            #expect(fast.subScores == slow.subScores && fast.reason == slow.reason && fast.comment == slow.comment)
            #expect((fast.subScores ?? []) == i.subScores && fast.reason == i.reason && fast.comment == i.comment)
            checked.details += 1
        }
        #expect(checked.people > 0 && checked.opportunities > 0)
        if scenario == .cleaning { #expect(checked.details > 0) }
    }

    @Test("escapes, non-ASCII text, every number form and an expiring certification")
    func awkwardValues() throws {
        let details = #"{"comment":"said \"no\"\n\ttwice \\ / \u00e9t\u00E9 \ud83d\ude00 ok","reason":"too_far","subScores":[{"name":"quality","value":-0.5},{"name":"speed","value":1e-05},{"name":"tone","value":4E+1}]}"#
        let fast = try #require(ProfileColumns.details(details))
        let slow = try RowCoding.decode(InteractionDetails.self, details, what: "event")
        #expect(fast.comment == "said \"no\"\n\ttwice \\ / été 😀 ok")
        #expect(fast.comment == slow.comment && fast.reason == .tooFar && fast.subScores == slow.subScores)
        #expect(fast.subScores?.map(\.value) == [-0.5, 0.00001, 40])

        let person = #"""
            { "attributes": {"hourly_rate": 30.4, "years_experience": 8},
              "availability": {"slots": [{"endMinute": 840, "startMinute": 480, "weekday": 0}]},
              "certifications": [{"name": "background_checked"}, {"expires": 1781827200, "name": "insured"}],
              "facets": {"language": ["ar", "fr"], "service": ["deep"]}, "skills": [{"level": 3.5, "skill": "cleaning"}] }
            """#
        let read = try #require(ProfileColumns.person(person))
        let certifications = [
            try Certification(name: "background_checked", expires: nil), try Certification(name: "insured", expires: Timestamp(secondsSinceEpoch: 1_781_827_200)),
        ]
        let skills = [try SkillLevel(skill: "cleaning", level: 3.5)]
        let slots = [try WeeklySlot(weekday: 0, startMinute: 480, endMinute: 840)]
        #expect(read.certifications == certifications)
        #expect(read.attributes["hourly_rate"] == 30.4 && read.skills == skills)
        #expect(read.availability.slots == slots)
        #expect(read.facets["language"] == ["ar", "fr"])
    }

    @Test("other shapes go to JSONDecoder: its value when it reads them, its error when it does not")
    func fallback() throws {
        // An unknown member: JSONDecoder ignores it, the fast reader declines.
        let extra = #"{"comment":"x","mood":"fine"}"#
        #expect(ProfileColumns.details(extra) == nil)
        #expect(try RowCoding.interactionDetails(extra).comment == "x")
        // A null member reads as absent either way.
        #expect(try #require(ProfileColumns.details(#"{"reason":null}"#)).reason == nil)
        // Not JSON, or a wrong type: a store error naming what could not be read.
        for bad in [#"{"comment":"x""#, #"{"subScores":[{"name":"q","value":"high"}]}"#, #"{"reason":"bored"}"#] {
            #expect(ProfileColumns.details(bad) == nil)
            let error = #expect(throws: StoreError.self) { try RowCoding.interactionDetails(bad) }
            #expect(error?.message.contains("A stored event cannot be decoded") == true)
        }
        let missing = #"{"attributes":{},"certifications":[],"preferred":{},"prerequisites":[],"required":{}}"#
        #expect(ProfileColumns.opportunity(missing) == nil)
        #expect(throws: StoreError.self) { try RowCoding.opportunityProfile(missing) }
    }

    @Test("the reader takes JSON's grammar and nothing else")
    func grammar() {
        #expect(JSONReader.parse(#" [1, -0, 2.5e3, "a", null, {}, [], {"k": [{"n": -12}]}] "#) != nil)
        if case .array(let items)? = JSONReader.parse("[9223372036854775807, 9223372036854775808, 0.1]") {
            #expect(items[0].double == Double(Int64.max) && items[1].double == 0x1p63 && items[2].double == 0.1)
            if case .integer = items[0] {} else { Issue.record("an integer in range reads as an integer") }
            if case .number = items[1] {} else { Issue.record("an integer out of range reads as a number") }
        } else {
            Issue.record("numbers did not parse")
        }
        for bad in ["", "01", "-", "1.", ".5", "1e", "+1", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[1] 2", "\"open", "\"tab\there\"", "true", "nul",
            "\"\\x\"", "\"\\ud83d\"", "{1:2}", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)]
        {
            #expect(JSONReader.parse(bad) == nil, "\(bad) should be refused")
        }
    }
}
