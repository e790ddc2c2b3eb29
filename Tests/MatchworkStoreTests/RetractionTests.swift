import Foundation
import MatchworkCore
import MatchworkStore
import Testing

/// Retractions keep the log append-only (issue 21, item 1).
@Suite("Retractions and event times in the store")
struct RetractionTests {
    static let t0 = Timestamp(year: 2025, month: 6, day: 2)

    static func store(_ dir: TemporaryDirectory) async throws -> SQLiteStore {
        let store = try dir.store()
        _ = try await store.write(
            RecordBatch(
                people: [try Person(id: "p1", role: .worker)], opportunities: [try Opportunity(id: "o1", kind: .job)],
                interactions: [
                    try Interaction(eventID: "keep", person: "p1", opportunity: "o1", type: .view, timestamp: t0),
                    try Interaction(eventID: "oops", person: "p1", opportunity: "o1", type: .hire, timestamp: t0.adding(seconds: 60)),
                    try Interaction(person: "p1", opportunity: "o1", type: .click, timestamp: t0.adding(seconds: 90)),
                ]),
            progress: nil)
        return store
    }

    @Test func aRetractionIsAppendedOnceAndHonouredBySnapshots() async throws {
        let dir = TemporaryDirectory()
        let store = try await Self.store(dir)
        // Given a hire recorded by mistake, when it is retracted,
        let at = Self.t0.adding(seconds: 3600)
        guard case .retracted(let target, let retraction) = try await store.retract(eventID: "oops", at: at) else {
            Issue.record("the first retraction must append")
            return
        }
        #expect(target.eventID == "oops" && target.type == .hire)
        #expect(retraction.type == .retract && retraction.retracts == "oops" && retraction.timestamp == at)
        // then the log holds it after the others, and nothing was changed or removed,
        let log = try await store.interactions()
        #expect(log.count == 4)
        #expect(log.last == retraction)
        // a second retraction changes nothing and says when the first was made,
        #expect(try await store.retract(eventID: "oops", at: at.adding(seconds: 10)) == .alreadyRetracted(target, at: at))
        #expect(try await store.interactions().count == 4)
        // and the snapshot leaves the hire out: the slot is free again.
        let snapshot = try await store.snapshot()
        #expect(snapshot.freeSlots(0) == 1)
        #expect(try await store.counts().interactionsByType["retract"] == 1)
    }

    @Test func unknownEventsAndRetractionsCannotBeRetracted() async throws {
        let dir = TemporaryDirectory()
        let store = try await Self.store(dir)
        #expect(try await store.retract(eventID: "nothing", at: Self.t0) == .notFound)
        // An event stored without an id has a derived key, which is not a name for it.
        let derived = try #require(try GRDBProbe(path: store.path).strings("SELECT event_id FROM interactions WHERE derived_id = 1").first)
        #expect(try await store.retract(eventID: derived, at: Self.t0) == .notFound)
        // A retraction with an id of its own (imported) is not retracted in turn.
        let imported = try Interaction(eventID: "r1", person: "p1", opportunity: "o1", type: .retract, timestamp: Self.t0.adding(seconds: 100), retracts: "oops")
        _ = try await store.write(RecordBatch(interactions: [imported]), progress: nil)
        #expect(try await store.retract(eventID: "r1", at: Self.t0) == .isRetraction(imported))
        // and the imported one counts: "oops" is retracted already.
        guard case .alreadyRetracted(_, let at) = try await store.retract(eventID: "oops", at: Self.t0.adding(seconds: 200)) else {
            Issue.record("an imported retraction must count")
            return
        }
        #expect(at == imported.timestamp)
    }

    @Test(arguments: RecordFileFormat.allCases)
    func retractionsSurviveExportAndImport(format: RecordFileFormat) async throws {
        let dir = TemporaryDirectory()
        let store = try await Self.store(dir)
        _ = try await store.retract(eventID: "oops", at: Self.t0.adding(seconds: 3600))
        _ = try await Exporter(store: store).export(to: dir.file("out"), format: format)
        let copy = try dir.store("copy.sqlite")
        let ext = format.fileExtension
        let result = try await Importer(store: copy).run(ImportSources(
            people: dir.file("out/people.\(ext)"), opportunities: dir.file("out/opportunities.\(ext)"), interactions: dir.file("out/interactions.\(ext)")))
        #expect(result.rejected.isEmpty)
        let copied = try await copy.interactions(), original = try await store.interactions()
        #expect(copied == original)
        #expect(try await copy.snapshot().freeSlots(0) == 1)
    }

    @Test func importRefusesEventsOutsideTheRangeOrAheadOfTheClock() async throws {
        let dir = TemporaryDirectory()
        let store = try await Self.store(dir)
        let ahead = Timestamp.now.adding(seconds: 3 * 86_400 + 600)
        let file = dir.write("events.csv", """
            event_id,person_id,opportunity_id,type,timestamp
            ok,p1,o1,view,2025-06-03T10:00:00Z
            far,p1,o1,view,9999-12-31T23:59:59Z
            neg,p1,o1,view,-1
            soon,p1,o1,view,\(ahead.iso8601)

            """)
        let result = try await Importer(store: store).run(ImportSources(interactions: file))
        #expect(!result.committed)
        #expect(result.rejected.map(\.line) == [3, 4, 5])
        #expect(result.rejected[0].reason.hasPrefix("timestamp 253402300799 (9999-12-31T23:59:59Z) is outside 1970-01-01 to 2099-12-31"))
        #expect(result.rejected[2].reason.hasPrefix("timestamp \(ahead) is 3 days after this machine's clock"), "\(result.rejected[2].reason)")
        #expect(try await store.interactions().count == 3)
        // A wider tolerance lets the future event in; the range still holds.
        let wide = try await Importer(store: store, clock: EventClock(maximumSkew: 7 * 86_400)).run(ImportSources(interactions: file), invalidRows: .skip)
        #expect(wide.rejected.map(\.line) == [3, 4])
        #expect(wide.counts.interactionsInserted == 2)
    }
}

/// Commands that only read open the store read-only (issue 21, item 12).
@Suite("Read-only stores")
struct ReadOnlyStoreTests {
    @Test func aReadOnlyOpenReadsAndRefusesWrites() async throws {
        let dir = TemporaryDirectory()
        _ = try await RetractionTests.store(dir)
        let reader = try SQLiteStore(path: dir.file("store.sqlite"), readOnly: true)
        #expect(try await reader.counts().interactions == 3)
        #expect(try await reader.snapshot().people.count == 1)
        let error = await #expect(throws: StoreError.self) {
            _ = try await reader.write(RecordBatch(people: [try Person(id: "p2", role: .worker)]), progress: nil)
        }
        #expect(error?.message.contains("readonly") == true, "\(error?.message ?? "")")
        #expect(try await SQLiteStore(path: dir.file("store.sqlite")).counts().people == 1)
    }

    @Test func aFileThatIsNotAStoreIsNamed() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("notes.txt", String(repeating: "not a database\n", count: 200))
        for readOnly in [false, true] {
            let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path, readOnly: readOnly) }
            #expect(error?.message == "'\(path)' is not a Matchwork store (file is not a database); pass the store's file with --store, or create one with `matchwork init`.")
        }
    }
}
