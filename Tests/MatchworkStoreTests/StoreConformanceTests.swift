import Foundation
import MatchworkCore
import MatchworkStore
import Testing

/// A kind of store the conformance suite runs on: how to open an empty one. The embedded SQLite
/// store now; a PostgreSQL store joins by adding a case.
enum StoreUnderTest: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite

    var testDescription: String { rawValue }

    /// An empty store in `directory`.
    func open(in directory: TemporaryDirectory) throws -> any ServiceStore {
        switch self {
        case .sqlite: try directory.store()
        }
    }
}

/// What every ``Store`` and ``ServiceStore`` does, written against the protocols alone (no SQL,
/// no file): each test runs on every ``StoreUnderTest``. Store-specific checks (SQLite's
/// triggers, migrations, files) stay in their own suites.
@Suite("Store conformance: what every Store and ServiceStore does")
struct StoreConformanceTests {
    static let t0 = Timestamp(secondsSinceEpoch: 1_700_000_000)

    /// Given: two workers, a client and two jobs of that client, and three events on the first job.
    static func given(_ store: any ServiceStore) async throws {
        _ = try await store.write(
            RecordBatch(
                people: [try Person(id: "w1", role: .worker), try Person(id: "w2", role: .worker), try Person(id: "c1", role: .client)],
                opportunities: [try Opportunity(id: "o1", kind: .job, client: "c1"), try Opportunity(id: "o2", kind: .job, client: "c1")],
                interactions: [
                    try Interaction(eventID: "e1", person: "w1", opportunity: "o1", type: .view, timestamp: t0),
                    try Interaction(eventID: "e2", person: "w1", opportunity: "o1", type: .apply, timestamp: t0.adding(seconds: 60)),
                    try Interaction(eventID: "e3", person: "w2", opportunity: "o1", type: .view, timestamp: t0.adding(seconds: 120)),
                ]),
            progress: nil)
    }

    @Test("A batch that fails anywhere writes nothing", arguments: StoreUnderTest.allCases)
    func aFailingBatchWritesNothing(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        // Given a batch whose last event refers to an unknown opportunity,
        let batch = RecordBatch(
            people: [try Person(id: "p1", role: .worker)],
            opportunities: [try Opportunity(id: "o1", kind: .job)],
            interactions: [
                try Interaction(person: "p1", opportunity: "o1", type: .view, timestamp: Self.t0),
                try Interaction(person: "p1", opportunity: "nope", type: .view, timestamp: Self.t0),
            ])
        // when it is written, it fails,
        await #expect(throws: StoreError.self) { try await store.write(batch, progress: nil) }
        // then none of it is stored.
        let counts = try await store.counts()
        #expect(counts.people == 0)
        #expect(counts.opportunities == 0)
        #expect(counts.interactions == 0)
    }

    @Test("An opportunity naming an unknown client writes nothing", arguments: StoreUnderTest.allCases)
    func anUnknownClientWritesNothing(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        // Given a batch with a job whose client does not exist, when it is written, it fails,
        let batch = RecordBatch(people: [try Person(id: "p1", role: .worker)], opportunities: [try Opportunity(id: "o1", kind: .job, client: "nobody")])
        await #expect(throws: StoreError.self) { try await store.write(batch, progress: nil) }
        // then the person in it is not stored either.
        #expect(try await store.counts().people == 0)
    }

    @Test("Events are kept once per event id, in the order written", arguments: StoreUnderTest.allCases)
    func eventsAreDeduplicated(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        try await Self.given(store)
        // When an event id is sent again with another type,
        let again = try Interaction(eventID: "e1", person: "w1", opportunity: "o1", type: .hire, timestamp: Self.t0)
        let counts = try await store.write(RecordBatch(interactions: [again]), progress: nil)
        // then it counts as a duplicate and the first one stays.
        #expect(counts.interactionsInserted == 0 && counts.interactionsDuplicate == 1)
        #expect(try await store.interactions().map(\.eventID) == ["e1", "e2", "e3"])
        #expect(try await store.interactions().map(\.type) == [.view, .apply, .view])
    }

    @Test("A record written again is updated or left unchanged, and says which", arguments: StoreUnderTest.allCases)
    func upsertsCount(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        try await Self.given(store)
        // When one worker is sent unchanged and the other with a name,
        let counts = try await store.write(
            RecordBatch(people: [try Person(id: "w1", role: .worker), try Person(id: "w2", role: .worker, name: "Worker Two")]), progress: nil)
        // then one is unchanged, one updated, and the lookups read the new values.
        #expect(counts.peopleInserted == 0 && counts.peopleUpdated == 1 && counts.peopleUnchanged == 1)
        #expect(try await store.person("w2")?.name == "Worker Two")
        #expect(try await store.person("ghost") == nil)
        #expect(try await store.opportunity("o2")?.client == "c1")
    }

    @Test("The scenario is set once: the same again is accepted, another is refused", arguments: StoreUnderTest.allCases)
    func theScenarioCannotBeSwitched(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        try await store.setScenario(.missions)
        try await store.setScenario(.missions)
        await #expect(throws: StoreError.self) { try await store.setScenario(.cleaning) }
        #expect(try await store.scenario() == .missions)
    }

    @Test("Metadata and ground truth read back what was saved", arguments: StoreUnderTest.allCases)
    func metadataRoundTrips(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        #expect(try await store.metadata("seed") == nil)
        try await store.setMetadata("seed", "42")
        try await store.setMetadata("seed", "43")
        #expect(try await store.metadata("seed") == "43")
        try await store.saveGroundTruth(#"{"hires": 3}"#, for: .cleaning)
        #expect(try await store.groundTruth(for: .cleaning) == #"{"hires": 3}"#)
        #expect(try await store.groundTruth(for: .missions) == nil)
    }

    @Test("A retraction is appended once; the snapshot leaves the retracted event out", arguments: StoreUnderTest.allCases)
    func retractions(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        try await Self.given(store)
        let at = Self.t0.adding(seconds: 3600)
        // When the application is retracted,
        guard case .retracted(let target, let retraction) = try await store.retract(eventID: "e2", at: at) else {
            Issue.record("the first retraction must append")
            return
        }
        // then the log holds the retraction after the others,
        #expect(target.eventID == "e2" && retraction.retracts == "e2" && retraction.timestamp == at)
        #expect(try await store.interactions().last == retraction)
        // a second one changes nothing, an unknown event cannot be retracted,
        #expect(try await store.retract(eventID: "e2", at: at.adding(seconds: 1)) == .alreadyRetracted(target, at: at))
        #expect(try await store.retract(eventID: "nothing", at: at) == .notFound)
        // and the snapshot no longer sees the application.
        let snapshot = try await store.snapshot()
        let w1 = try snapshot.index(of: PersonID("w1"))
        #expect(snapshot.activity.workers[Int(w1)].applications == 0)
        #expect(try await store.counts().interactionsByType["retract"] == 1)
        // A retraction with an id of its own (imported) is not retracted in turn.
        let imported = try Interaction(eventID: "r1", person: "w2", opportunity: "o1", type: .retract, timestamp: at, retracts: "e3")
        _ = try await store.write(RecordBatch(interactions: [imported]), progress: nil)
        #expect(try await store.retract(eventID: "r1", at: at) == .isRetraction(imported))
    }

    @Test("Pages follow their cursor to the end, with filters, and the event log newest first", arguments: StoreUnderTest.allCases)
    func pages(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        try await Self.given(store)
        // When people are read two at a time,
        let first = try await store.people(PageRequest(limit: 2), role: nil)
        let second = try await store.people(PageRequest(limit: 2, after: first.next), role: nil)
        // then the pages hold each person once and the last has no cursor.
        #expect((first.items + second.items).map(\.id.rawValue).sorted() == ["c1", "w1", "w2"])
        #expect(first.items.count == 2 && first.next != nil && second.next == nil)
        #expect(try await store.people(PageRequest(), role: .client).items.map(\.id) == ["c1"])
        #expect(try await store.opportunities(PageRequest(), filter: OpportunityFilter(client: "c1")).items.count == 2)
        #expect(try await store.opportunities(PageRequest(), filter: OpportunityFilter(client: "w1")).items.isEmpty)
        #expect(try await store.interactions(PageRequest(), person: "w2", opportunity: nil).items.map(\.eventID) == ["e3"])
        #expect(try await store.interactions(PageRequest(), person: nil, opportunity: "o1").items.count == 3)
        // Newest first, two at a time: the same events in the opposite order, the cursor leading back.
        let oldest = try await store.interactions(PageRequest(), person: nil, opportunity: "o1").items.map(\.eventID)
        let newest = try await store.interactions(PageRequest(limit: 2, newestFirst: true), person: nil, opportunity: "o1")
        let older = try await store.interactions(PageRequest(limit: 2, after: newest.next, newestFirst: true), person: nil, opportunity: "o1")
        #expect(newest.next != nil && older.next == nil)
        #expect((newest.items + older.items).map(\.eventID) == oldest.reversed())
    }

    @Test("A delete removes an unreferenced record and refuses a referenced one, saying by what", arguments: StoreUnderTest.allCases)
    func deletes(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        try await Self.given(store)
        #expect(try await store.deleteOpportunity("o2") == .deleted)
        #expect(try await store.deleteOpportunity("o2") == .notFound)
        #expect(try await store.deleteOpportunity("o1") == .referenced(events: 3, opportunities: 0))
        #expect(try await store.deletePerson("c1") == .referenced(events: 0, opportunities: 1))
        #expect(try await store.deletePerson("w2") == .referenced(events: 1, opportunities: 0))
        #expect(try await store.counts().opportunities == 1)
    }

    @Test("Bid suggestions read back as made, filtered and paged; a repeated id writes nothing", arguments: StoreUnderTest.allCases)
    func bidSuggestions(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        try await Self.given(store)
        func record(_ id: String, _ person: PersonID, _ opportunity: OpportunityID, seconds: Int64) -> BidSuggestionRecord {
            BidSuggestionRecord(
                id: id, opportunity: opportunity, person: person, suggestion: BidSuggestion(minimum: 90, optimal: 110.5, maximum: 140),
                bestAmount: 105, bestHireProbability: 0.42,
                inputs: BidInputs(clientBudget: 120, marketAverage: 112.25, personAverage: nil, winRate: 0.25, bidCount: 3, lowestBid: 95, currentBid: nil),
                curve: [BidCurvePoint(amount: 90, hireProbability: 0.6), BidCurvePoint(amount: 140, hireProbability: 0.1)], answeredBy: ["ranked"],
                modelVersion: "ranker-000001", requestID: "req-1", keyID: nil, suggestedAt: Self.t0.adding(seconds: seconds))
        }
        let a = record("bid-a", "w1", "o1", seconds: 10), b = record("bid-b", "w2", "o1", seconds: 20), c = record("bid-c", "w1", "o2", seconds: 30)
        for r in [a, b, c] { try await store.recordBidSuggestion(r) }
        await #expect(throws: StoreError.self) { try await store.recordBidSuggestion(record("bid-a", "w2", "o2", seconds: 40)) }
        #expect(try await store.bidSuggestions(PageRequest(limit: 10), opportunity: nil, person: nil).items == [a, b, c])
        #expect(try await store.bidSuggestions(PageRequest(limit: 10), opportunity: "o1", person: nil).items == [a, b])
        #expect(try await store.bidSuggestions(PageRequest(limit: 10), opportunity: nil, person: "w1").items == [a, c])
        #expect(try await store.bidSuggestions(PageRequest(limit: 10), opportunity: "o1", person: "w1").items == [a])
        let first = try await store.bidSuggestions(PageRequest(limit: 2), opportunity: nil, person: nil)
        #expect(first.items == [a, b] && first.next != nil)
        #expect(try await store.bidSuggestions(PageRequest(limit: 2, after: first.next), opportunity: nil, person: nil).items == [c])
    }

    @Test("Experiments: created once per name and per running kind of list, read back, updated; their lists, outcomes and feedback observed", arguments: StoreUnderTest.allCases)
    func experiments(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        try await Self.given(store)
        // Given an experiment on opportunity lists,
        let arms = [ExperimentArm(name: "rule", mode: .ruleBased), ExperimentArm(name: "tuned", mode: .ensemble, weights: "rule_based=0.7,similarity=0.3")]
        let e = try Experiment(name: "jobs-1", target: .opportunities, arms: arms, shares: ["rule": 0.5, "tuned": 0.5], start: Self.t0, createdAt: Self.t0)
        try await store.createExperiment(e)
        #expect(try await store.experiment(named: "jobs-1") == e)
        // a second of the same name, or running on the same kind of list, is refused,
        do {
            try await store.createExperiment(e)
            Issue.record("a repeated name was accepted")
        } catch { #expect(error.code == .conflict && error.field == "name") }
        let other = try Experiment(name: "jobs-2", target: .opportunities, arms: arms, shares: ["rule": 0.5], start: Self.t0.adding(seconds: 10), createdAt: Self.t0)
        do {
            try await store.createExperiment(other)
            Issue.record("an overlapping experiment was accepted")
        } catch { #expect(error.code == .conflict && error.message.contains("'jobs-1' already runs on opportunities lists")) }
        // but one on another kind of list, or after the first one's end, is not.
        let people = try Experiment(name: "people-1", target: .people, arms: arms, shares: ["rule": 0.5, "tuned": 0.5], start: Self.t0, createdAt: Self.t0)
        try await store.createExperiment(people)
        var ended = try e.rolledOut(["tuned": 0.9, "rule": 0.1], at: Self.t0.adding(seconds: 50))
        ended.end = Self.t0.adding(seconds: 100)
        try await store.updateExperiment(ended)
        let later = try Experiment(name: "jobs-3", target: .opportunities, arms: arms, shares: ["rule": 1], start: Self.t0.adding(seconds: 100), createdAt: Self.t0)
        try await store.createExperiment(later)
        #expect(try await store.experiments().map(\.name) == ["jobs-1", "people-1", "jobs-3"])
        #expect(try await store.experiment(named: "jobs-1")?.rollout.count == 2)
        await #expect(throws: StoreError.self) { try await store.updateExperiment(try Experiment(name: "nope", target: .people, arms: arms, shares: ["rule": 1], start: Self.t0, createdAt: Self.t0)) }

        // Lists served in it carry their arm; outcomes and feedback on them are observed.
        let item = ServedItem(id: "o1", rank: 1, score: 70, breakdown: [ScorePart(component: "rule_based", value: 0.7, weight: 1)])
        let lists = [
            ServedList(id: "rec-x1", subject: .person("w1"), mode: "rule_based", answeredBy: ["rule_based"], modelVersion: nil, requestID: nil, keyID: nil, servedAt: Self.t0.adding(seconds: 5), items: [item], experiment: "jobs-1", arm: "rule"),
            ServedList(id: "rec-x2", subject: .person("w2"), mode: "ensemble", answeredBy: ["rule_based"], modelVersion: nil, requestID: nil, keyID: nil, servedAt: Self.t0.adding(seconds: 6), items: [item, ServedItem(id: "o2", rank: 2, score: 60, breakdown: [])], experiment: "jobs-1", arm: "tuned"),
            ServedList(id: "rec-x3", subject: .person("w2"), mode: "ensemble", answeredBy: ["rule_based"], modelVersion: nil, requestID: nil, keyID: nil, servedAt: Self.t0.adding(seconds: 7), items: [item]),
        ]
        try await store.recordServed(lists)
        #expect(try await store.servedList(id: "rec-x2")?.arm == "tuned")
        #expect(try await store.servedList(id: "rec-x3")?.experiment == nil)
        let hire = try Interaction(eventID: "h1", person: "w1", opportunity: "o1", type: .hire, timestamp: Self.t0.adding(seconds: 30), value: 120)
        #expect(try await store.recordOutcome(OutcomeRecord(eventID: "h1", recommendationID: "rec-x1", itemID: "o1", rank: 1, outcome: "hired", value: 120, timestamp: Self.t0.adding(seconds: 30)), event: hire))
        let fb = try Interaction(eventID: "f1", person: "w2", opportunity: "o1", type: .feedback, timestamp: Self.t0.adding(seconds: 40), reason: .tooFar)
        #expect(try await store.recordFeedback(FeedbackRecord(eventID: "f1", recommendationID: "rec-x2", person: "w2", opportunity: "o1", reason: .tooFar, comment: nil, timestamp: Self.t0.adding(seconds: 40)), event: fb))
        let seen = try await store.experimentObservations("jobs-1")
        #expect(seen.lists.map(\.id) == ["rec-x1", "rec-x2"])
        #expect(seen.lists.map(\.arm) == ["rule", "tuned"] && seen.lists.map(\.items) == [1, 2])
        #expect(seen.outcomes == [ExperimentObservations.Outcome(list: "rec-x1", item: "o1", outcome: "hired", value: 120, at: Self.t0.adding(seconds: 30), rank: 1)])
        #expect(seen.feedback == [ExperimentObservations.Feedback(list: "rec-x2", reason: .tooFar, at: Self.t0.adding(seconds: 40))])
        #expect(try await store.experimentObservations("people-1").lists.isEmpty)
        // Each list's outcomes and feedback read back in one go, a list with none absent, at most `limit` each.
        let second = try Interaction(eventID: "h2", person: "w1", opportunity: "o1", type: .hire, timestamp: Self.t0.adding(seconds: 31), value: 90)
        #expect(try await store.recordOutcome(OutcomeRecord(eventID: "h2", recommendationID: "rec-x1", itemID: "o1", rank: 1, outcome: "paid", value: 90, timestamp: Self.t0.adding(seconds: 31)), event: second))
        let responses = try await store.responses(toLists: ["rec-x1", "rec-x2", "rec-x3", "rec-none"], limit: 5)
        #expect(responses.outcomes.mapValues { $0.map(\.eventID) } == ["rec-x1": ["h1", "h2"]])
        #expect(responses.feedback.mapValues { $0.map(\.eventID) } == ["rec-x2": ["f1"]])
        #expect(try await store.responses(toLists: ["rec-x1"], limit: 1).outcomes["rec-x1"]?.map(\.eventID) == ["h1"])
        #expect(try await store.responses(toLists: [], limit: 5).outcomes.isEmpty)
    }

    @Test("Keys: created, found by hash while active, listed; revoked at the first revocation's time", arguments: StoreUnderTest.allCases)
    func keys(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        let record = APIKeyRecord(id: "key-1", role: .write, name: "ingest", rateLimit: 50, createdAt: Self.t0)
        try await store.createKey(record, hash: "hash-1")
        #expect(try await store.activeKey(hash: "hash-1") == record)
        #expect(try await store.activeKey(hash: "hash-2") == nil)
        #expect(try await store.keys() == [record])
        #expect(try await store.revokeKey(id: "key-1", at: Self.t0.adding(seconds: 5)))
        // Revoking again finds the key and keeps the first time; an unknown id is not found.
        #expect(try await store.revokeKey(id: "key-1", at: Self.t0.adding(seconds: 6)))
        #expect(try await !store.revokeKey(id: "key-9", at: Self.t0.adding(seconds: 6)))
        #expect(try await store.activeKey(hash: "hash-1") == nil)
        #expect(try await store.keys().first?.revokedAt == Self.t0.adding(seconds: 5))
    }

    @Test("Served lists read back as recorded, by id and by subject", arguments: StoreUnderTest.allCases)
    func servedLists(_ kind: StoreUnderTest) async throws {
        let dir = TemporaryDirectory()
        let store = try kind.open(in: dir)
        try await Self.given(store)
        func list(_ id: String, _ subject: RecommendationSubject, at seconds: Int64) -> ServedList {
            ServedList(
                id: id, subject: subject, mode: "ensemble", answeredBy: ["rule_based", "similarity"], modelVersion: "als-000001", requestID: "r-\(id)",
                keyID: "key-1", servedAt: Self.t0.adding(seconds: seconds),
                items: [ServedItem(id: "o1", rank: 1, score: 71.5, breakdown: [ScorePart(component: "rule_based", value: 0.715, weight: 1)])])
        }
        let lists = [list("rec-1", .person("w1"), at: 0), list("rec-2", .person("w2"), at: 1), list("rec-3", .person("w1"), at: 2)]
        // When lists are recorded (one of them twice),
        try await store.recordServed(lists)
        try await store.recordServed([lists[0]])
        // then each reads back whole, and a subject's lists are its own.
        #expect(try await store.servedList(id: "rec-2") == lists[1])
        #expect(try await store.servedList(id: "rec-9") == nil)
        #expect(try await store.servedLists(PageRequest(), subject: .person("w1")).items.map(\.id).sorted() == ["rec-1", "rec-3"])
        #expect(try await store.servedLists(PageRequest(), subject: nil).items.count == 3)
    }
}
