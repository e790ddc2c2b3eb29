import Foundation
import GRDB
import MatchworkCore
@testable import MatchworkStore
import Testing

@Suite("Served lists in the embedded store")
struct ServedListStoreTests {
    static let items = [
        ServedItem(
            id: "job-1", rank: 1, score: 81.25,
            breakdown: [
                ScorePart(component: "rule_based", value: 0.8, weight: 0.6, parts: [ScorePart(component: "pricing \"fair\"", value: 1, weight: 0.3, assumed: true)]),
                ScorePart(component: "neural", value: 0.83125, weight: 0.4),
            ]),
        ServedItem(id: "job-2", rank: 2, score: 12, breakdown: [ScorePart(component: "popularity", value: 0.12, weight: 1)]),
    ]

    static func list(_ id: String, items: [ServedItem] = items) -> ServedList {
        ServedList(
            id: id, subject: .person("cleaner-1"), mode: "ensemble", answeredBy: ["rule_based", "neural"], modelVersion: "neural-000002", requestID: "r-\(id)",
            keyID: "key-1", servedAt: Timestamp(secondsSinceEpoch: 1_700_000_000), items: items)
    }

    @Test func theWriterMatchesJSONEncoderForServedItems() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let expected = String(decoding: try encoder.encode(Self.items), as: UTF8.self)
        #expect(EncodedServedItems(Self.items).json == expected)
        #expect(try JSONDecoder().decode([ServedItem].self, from: Data(EncodedServedItems(Self.items).json.utf8)) == Self.items)
    }

    @Test func aListServedAgainStoresItsItemsOnce() async throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        let other = [ServedItem(id: "job-9", rank: 1, score: 50, breakdown: [])]
        try await store.recordServed([Self.list("rec-1"), Self.list("rec-2")])
        try await store.recordServed([Self.list("rec-3"), Self.list("rec-4", items: other)])
        for id in ["rec-1", "rec-2", "rec-3"] { #expect(try await store.servedList(id: id) == Self.list(id)) }
        #expect(try await store.servedList(id: "rec-4")?.items == other)
        let page = try await store.servedLists(PageRequest(limit: 3), subject: .person("cleaner-1"))
        #expect(page.items.map(\.id) == ["rec-1", "rec-2", "rec-3"])
        let probe = try GRDBProbe(path: directory.file("store.sqlite"))
        #expect(try probe.scalar("SELECT count(*) FROM served_lists") == 4)
        #expect(try probe.scalar("SELECT count(*) FROM served_contents") == 2)
    }

    @Test func aVersion2StoreKeepsItsServedListsAndOutcomesThroughTheUpgrade() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("store.sqlite")
        // A store as version 2 left it: items in each served list's row.
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v2: API keys, served lists, outcomes, feedback")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let stored = String(decoding: try encoder.encode(Self.items), as: UTF8.self)
        try await queue.write { db in
            for id in ["rec-1", "rec-2"] {
                try db.execute(
                    sql: """
                        INSERT INTO served_lists (id, subject_kind, subject_id, mode, answered_by, model_version, request_id, key_id, served_at, items)
                        VALUES (?, 'person', 'cleaner-1', 'ensemble', 'rule_based,neural', 'neural-000002', ?, 'key-1', 1700000000, ?)
                        """, arguments: [id, "r-\(id)", stored])
            }
            try db.execute(sql: """
                INSERT INTO outcomes (event_id, recommendation_id, item_id, rank, outcome, value, ts)
                VALUES ('ev-1', 'rec-2', 'job-1', 1, 'viewed', NULL, 1700000100)
                """)
        }
        try queue.close()

        let store = try SQLiteStore(path: path)
        #expect(try await store.servedList(id: "rec-1") == Self.list("rec-1"))
        #expect(try await store.servedList(id: "rec-2") == Self.list("rec-2"))
        #expect(try await store.outcomes(PageRequest(), recommendation: "rec-2").items.map(\.eventID) == ["ev-1"])
        try await store.recordServed([Self.list("rec-3")])
        #expect(try await store.servedList(id: "rec-3") == Self.list("rec-3"))
        let probe = try GRDBProbe(path: path)
        #expect(try probe.scalar("SELECT count(*) FROM served_contents") == 1)
        #expect(try probe.integrityCheck() == "ok")
        #expect(try probe.scalar("SELECT count(*) FROM pragma_foreign_key_check") == 0)
    }

    @Test("A prune deletes the old lists no outcome or feedback names, and only the items no list shares")
    func pruneDeletesOldUnreferencedLists() async throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        let m = try tinyMarketplace(.cleaning)
        _ = try await store.write(batch(of: m), progress: nil)
        let person = m.people[0].id, job = m.opportunities[0].id
        func list(_ id: String, at seconds: Int64, items: [ServedItem]) -> ServedList {
            ServedList(
                id: id, subject: .person(person), mode: "ensemble", answeredBy: ["rule_based"], modelVersion: nil, requestID: nil, keyID: nil,
                servedAt: Timestamp(secondsSinceEpoch: seconds), items: items)
        }
        let shared = [ServedItem(id: job.rawValue, rank: 1, score: 50, breakdown: [])]
        let own = [ServedItem(id: job.rawValue, rank: 1, score: 49, breakdown: [])]
        let old: Int64 = 1_700_000_000, cutoff = Timestamp(secondsSinceEpoch: old + 86_400), recent = old + 2 * 86_400
        try await store.recordServed([
            list("old-1", at: old, items: shared), list("old-2", at: old + 1, items: own), list("old-3", at: old + 2, items: Self.items),
            list("old-4", at: old + 3, items: Self.items), list("new-1", at: recent, items: shared),
        ])
        let time = Timestamp(secondsSinceEpoch: recent)
        let hired = try Interaction(eventID: "ev-hire", person: person, opportunity: job, type: .hire, timestamp: time)
        #expect(try await store.recordOutcome(OutcomeRecord(eventID: "ev-hire", recommendationID: "old-3", itemID: job.rawValue, rank: 1, outcome: "hired", value: nil, timestamp: time), event: hired))
        let reported = try Interaction(eventID: "ev-feedback", person: person, opportunity: job, type: .feedback, timestamp: time, reason: .notRelevant)
        #expect(
            try await store.recordFeedback(
                FeedbackRecord(eventID: "ev-feedback", recommendationID: "old-4", person: person, opportunity: job, reason: .notRelevant, comment: nil, timestamp: time),
                event: reported))

        let counts = try await store.servedCounts(before: cutoff)
        #expect(counts.prunable == 2)
        #expect(counts.referenced == 2)
        let pages = [try await store.prunableServed(PageRequest(limit: 1), before: cutoff, through: counts.through)]
        let second = try await store.prunableServed(PageRequest(limit: 1, after: pages[0].next), before: cutoff, through: counts.through)
        #expect(pages[0].items.map(\.id) == ["old-1"])
        #expect(second.items.map(\.id) == ["old-2"])
        #expect(second.next == nil)
        // The export's lines are the lists as the API's encoder writes them.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let lines = try await store.prunableServedLines(PageRequest(limit: 1), before: cutoff, through: counts.through)
        #expect(lines.items.count == 1 && lines.next == pages[0].next)
        #expect(String(decoding: lines.items.joined(), as: UTF8.self) == String(decoding: try encoder.encode(pages[0].items[0]), as: UTF8.self) + "\n")
        let all = try await store.prunableServedLines(PageRequest(limit: 10), before: cutoff, through: counts.through)
        #expect(all.items.count == 2 && all.next == nil)
        #expect(String(decoding: all.items.joined(), as: UTF8.self) == (try (pages[0].items + second.items).map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }).joined())
        // Up to the first list's cursor, only the first list goes.
        #expect(try await store.pruneServed(before: cutoff, through: pages[0].next, limit: 10) == 1)
        #expect(try await store.servedList(id: "old-1") == nil)
        #expect(try await store.servedList(id: "old-2") != nil)
        #expect(try await store.pruneAllServed(before: cutoff, batch: 1) == 1)
        #expect(try await store.pruneAllServed(before: cutoff) == 0)

        #expect(try await store.servedList(id: "old-2") == nil)
        for id in ["old-3", "old-4", "new-1"] { #expect(try await store.servedList(id: id)?.id == id) }
        #expect(try await store.servedList(id: "new-1")?.items == shared)
        let probe = try GRDBProbe(path: directory.file("store.sqlite"))
        // `own` went with old-2; `shared` stays for new-1, Self.items for old-3 and old-4.
        #expect(try probe.scalar("SELECT count(*) FROM served_contents") == 2)
        #expect(try probe.integrityCheck() == "ok")
        #expect(try probe.scalar("SELECT count(*) FROM pragma_foreign_key_check") == 0)
    }
}
