import Foundation
import GRDB
import MatchworkCore
@testable import MatchworkStore
import Testing

/// Key ids were the secret's first 8 hex digits; the v5 migration gives each a random one and
/// the keys keep working (issue 21, item 8).
@Suite("API key ids")
struct KeyMigrationTests {
    @Test func oldIdsAreReplacedEverywhereAndTheKeysStillWork() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.sqlite")
        // Given a store as the previous release left it, with a key whose id is its secret's
        // first 8 digits and a served list naming it,
        let secret = "mwk_" + "0123abcd" + String(repeating: "5", count: 32)
        let old = "key-0123abcd"
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v4: retractions")
            try await queue.write { db in
                try db.execute(
                    sql: "INSERT INTO api_keys (id, hash, role, name, created_at) VALUES (?, ?, 'read', 'old', 0)", arguments: [old, APIKeySecret.hash(secret)])
                try db.execute(sql: "INSERT INTO served_contents (digest, items) VALUES (x'00', '[]')")
                try db.execute(
                    sql: """
                        INSERT INTO served_lists (id, subject_kind, subject_id, mode, answered_by, key_id, served_at, content)
                        VALUES ('rec-1', 'person', 'p', 'ensemble', '[]', ?, 0, x'00')
                        """, arguments: [old])
            }
        }
        // when this release opens it,
        let store = try SQLiteStore(path: path)
        // then the key has a new id that reveals nothing of the secret, and still authenticates,
        let keys = try await store.keys()
        let id = try #require(keys.first?.id)
        #expect(keys.count == 1 && id != old && id.hasPrefix("key-") && id.count == 16)
        #expect(try await store.activeKey(hash: APIKeySecret.hash(secret))?.id == id)
        // and the served list names the new id.
        let probe = try GRDBProbe(path: path)
        #expect(try probe.strings("SELECT key_id FROM served_lists") == [id])
    }

    @Test func newIdsAreDrawnApartFromTheirSecrets() {
        for _ in 0..<200 {
            let (id, secret) = APIKeySecret.generate()
            #expect(id.count == 16 && APIKeySecret.isWellFormed(secret))
            #expect(!secret.hasPrefix("mwk_" + id.dropFirst(4).prefix(8)))
        }
    }

    @Test func aReadOnlyOpenMigratesAnOldStoreThatCanBeWritten() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.sqlite")
        try StoreSchema.migrator.migrate(try DatabaseQueue(path: path), upTo: "v4: retractions")
        let store = try SQLiteStore(path: path, readOnly: true)
        #expect(try await store.counts().people == 0)
        let migrated = try DatabaseQueue(path: path)
        #expect(try await migrated.read { try StoreSchema.migrator.hasCompletedMigrations($0) })
    }
}
