import Foundation
import MatchworkCore
import MatchworkStore
import Testing

/// The embedded store's own guarantees (its schema's triggers and references, its files); what
/// every store does is in ``StoreConformanceTests``.
@Suite("Embedded store")
struct StoreTests {
    static let t0 = Timestamp(secondsSinceEpoch: 1_700_000_000)

    @Test func anOpportunityWithAnUnknownClientWritesNothing() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        let batch = RecordBatch(
            people: [try Person(id: "p1", role: .worker)],
            opportunities: [try Opportunity(id: "o1", kind: .job, client: "nobody")])
        await #expect(throws: StoreError.self) { try await store.write(batch, progress: nil) }
        #expect(try await store.counts().people == 0)
        // The schema still enforces the reference for any other writer.
        let db = try GRDBProbe(path: store.path)
        #expect(throws: (any Error).self) {
            try db.execute("INSERT INTO opportunities (id, kind, client_id, slots, status, profile) VALUES ('o2', 'job', 'ghost', 1, 'open', '{}')")
        }
    }

    @Test func eventsAreDeduplicatedByIdAndAppendOnly() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        let people = [try Person(id: "p1", role: .worker)]
        let opportunities = [try Opportunity(id: "o1", kind: .job)]
        let e1 = try Interaction(eventID: "e1", person: "p1", opportunity: "o1", type: .view, timestamp: Self.t0)
        let e1Again = try Interaction(eventID: "e1", person: "p1", opportunity: "o1", type: .apply, timestamp: Self.t0)
        let counts = try await store.write(RecordBatch(people: people, opportunities: opportunities, interactions: [e1, e1Again]), progress: nil)
        #expect(counts.interactionsInserted == 1)
        #expect(counts.interactionsDuplicate == 1)
        #expect(try await store.interactions().map(\.type) == [.view])

        // The event log refuses updates and deletes.
        let db = try GRDBProbe(path: store.path)
        #expect(throws: (any Error).self) { try db.execute("UPDATE interactions SET type = 'hire'") }
        #expect(throws: (any Error).self) { try db.execute("DELETE FROM interactions") }
    }

    @Test func scenarioVocabularyIsEnforcedOnImport() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        try await store.setScenario(.missions)
        let file = dir.write("people.csv", "id,role,facets\nc1,worker,service=intensive_care;rhythm=nights\n")
        let result = try await Importer(store: store).run(ImportSources(people: file))
        #expect(result.rejected.map(\.text) == [
            "people.csv, line 2, column 'facets', value 'service=intensive_care;rhythm=nights': facets.rhythm 'nights' is not in this scenario's vocabulary; use one of day, night, part_time, twelve_hour, weekend."
        ])
    }

    @Test func anUnopenableStoreSaysWhy() {
        #expect(throws: StoreError.self) { try SQLiteStore(path: "/nonexistent-dir/x/store.sqlite") }
    }
}
