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
}
