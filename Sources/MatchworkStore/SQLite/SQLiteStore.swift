internal import Foundation
internal import GRDB
public import MatchworkCore

/// The embedded store: one SQLite file in WAL mode with foreign keys, through GRDB.
///
/// ```swift
/// let store = try SQLiteStore(path: "matchwork.sqlite")
/// let counts = try await store.write(RecordBatch(people: people), progress: nil)
/// ```
///
/// Every ``write(_:progress:)`` is one transaction: a crash or a `kill -9` in the middle leaves
/// the store as it was before the batch.
public struct SQLiteStore: Store {
    let writer: any DatabaseWriter
    public let path: String

    /// How much memory the store's connections may hold: each connection keeps up to
    /// `cacheMebibytes` of SQLite page cache (allocated on demand), and a store opened for
    /// writing reads through up to `readers` connections beside its writer, so its caches hold
    /// at most `(readers + 1) × cacheMebibytes`.
    public struct Limits: Sendable, Hashable {
        /// Page cache per connection, in MiB.
        public var cacheMebibytes: Int
        /// Connections that read concurrently, beside the one that writes.
        public var readers: Int

        /// The command line's: one process, one job, large imports whose indices stay in memory.
        public static let batch = Limits(cacheMebibytes: 128, readers: 5)
        /// The service's default: 16 MiB for each of 4 readers and the writer, 80 MiB at most.
        public static let service = Limits(cacheMebibytes: 16, readers: 4)

        public init(cacheMebibytes: Int, readers: Int) {
            self.cacheMebibytes = cacheMebibytes
            self.readers = readers
        }

        /// The most the caches hold, in MiB.
        public var totalMebibytes: Int { (readers + 1) * cacheMebibytes }
    }

    /// Opens (creating when needed) and migrates the store at `path`; with `readOnly`, opens an
    /// existing store for reading only (a read-only file or directory is then enough), and
    /// refuses one whose schema is older than this release's (migrate it by opening it once
    /// for writing). `limits` bounds the memory its connections hold.
    public init(path: String, readOnly: Bool = false, limits: Limits = .batch) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.readonly = readOnly
        configuration.maximumReaderCount = max(1, limits.readers)
        let cacheKibibytes = max(1, limits.cacheMebibytes) * 1024
        configuration.prepareDatabase { db in
            // A negative cache size is in KiB; the pages are allocated on demand.
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKibibytes)")
        }
        do {
            // A read-only open of a store an earlier release wrote migrates it first when the
            // file can be written; otherwise it says what to do.
            var reader: DatabaseQueue?
            if readOnly {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                if try queue.read({ try StoreSchema.migrator.hasCompletedMigrations($0) }) {
                    reader = queue
                } else if !FileManager.default.isWritableFile(atPath: path) {
                    throw StoreError(
                        .cannotOpen, "The store at '\(path)' was written by an earlier release and needs migrating; run a command that writes to it (such as `matchwork init`) once with write access.")
                }
            }
            if let reader {
                writer = reader
            } else {
                configuration.readonly = false
                let pool = try DatabasePool(path: path, configuration: configuration)
                try StoreSchema.migrator.migrate(pool)
                writer = pool
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.cannotOpen, Self.openFailure(path: path, error: error, readOnly: readOnly), cause: error)
        }
    }

    /// What to say when `path` cannot be opened: a file that is not a store, a store that
    /// cannot be written, or a directory that does not exist.
    static func openFailure(path: String, error: any Error, readOnly: Bool) -> String {
        let code = (error as? DatabaseError)?.resultCode
        if code == .SQLITE_NOTADB || code == .SQLITE_CORRUPT {
            return "'\(path)' is not a Matchwork store (\(describe(error))); pass the store's file with --store, or create one with `matchwork init`."
        }
        if code == .SQLITE_READONLY || code == .SQLITE_PERM || code == .SQLITE_CANTOPEN && FileManager.default.fileExists(atPath: path) && !FileManager.default.isWritableFile(atPath: path) {
            return "Cannot write to the store at '\(path)' (\(describe(error))); commands that only read (stats, recommend, similar, export, backtest) open it read-only, others need write access to the file and its directory."
        }
        return "Cannot open the store at '\(path)': \(describe(error)). Check that the directory exists and is writable, or pass another --store path."
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError { return db.message ?? "SQLite error \(db.resultCode)" }
        return "\(error)"
    }

    func run<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await writer.read(body) } catch let error as StoreError { throw error } catch {
            throw StoreError(.database, "Reading \(what) from '\(path)' failed: \(SQLiteStore.describe(error)).", cause: error)
        }
    }

    func runWrite<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await writer.write(body) } catch let error as StoreError { throw error } catch {
            throw StoreError(.database, "Writing \(what) to '\(path)' failed and nothing was written: \(SQLiteStore.describe(error)).", cause: error)
        }
    }

    // MARK: Scenario and ground truth

    public func scenario() async throws(StoreError) -> ScenarioName? {
        try await run("the scenario") { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'scenario'").flatMap(ScenarioName.init(rawValue:))
        }
    }

    public func setScenario(_ scenario: ScenarioName) async throws(StoreError) {
        let path = path
        try await runWrite("the scenario") { db in
            if let current = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'scenario'"), current != scenario.rawValue {
                throw StoreError(.scenarioMismatch, "The store '\(path)' holds the \(current) scenario, not \(scenario.rawValue); use another --store path for \(scenario.rawValue).")
            }
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('scenario', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [scenario.rawValue])
        }
    }

    public func metadata(_ key: String) async throws(StoreError) -> String? {
        try await run("metadata") { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    public func setMetadata(_ key: String, _ value: String) async throws(StoreError) {
        try await runWrite("metadata") { db in
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [key, value])
        }
    }

    public func saveGroundTruth(_ document: String, for scenario: ScenarioName) async throws(StoreError) {
        try await runWrite("the ground truth") { db in
            try db.execute(sql: "INSERT INTO synthetic_truth(scenario, document) VALUES (?, ?) ON CONFLICT(scenario) DO UPDATE SET document = excluded.document", arguments: [scenario.rawValue, document])
        }
    }

    public func groundTruth(for scenario: ScenarioName) async throws(StoreError) -> String? {
        try await run("the ground truth") { db in
            try String.fetchOne(db, sql: "SELECT document FROM synthetic_truth WHERE scenario = ?", arguments: [scenario.rawValue])
        }
    }

    // MARK: Reads

    public func knownIdentifiers() async throws(StoreError) -> KnownIdentifiers {
        try await run("identifiers") { db in
            var known = KnownIdentifiers()
            let people = try Row.fetchCursor(db, sql: "SELECT id, role FROM people")
            while let row = try people.next() {
                known.people[PersonID(row[0] as String)] = PersonRole(rawValue: row[1]) ?? .worker
            }
            known.opportunities = Set(try String.fetchAll(db, sql: "SELECT id FROM opportunities").map { OpportunityID($0) })
            return known
        }
    }

    public func people() async throws(StoreError) -> [Person] {
        try await run("people") { db in try Row.fetchAll(db, sql: "SELECT * FROM people ORDER BY pk").map(RowCoding.person) }
    }

    public func person(_ id: PersonID) async throws(StoreError) -> Person? {
        try await run("person '\(id)'") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM people WHERE id = ?", arguments: [id.rawValue]).map(RowCoding.person)
        }
    }

    public func opportunities() async throws(StoreError) -> [Opportunity] {
        try await run("opportunities") { db in try Row.fetchAll(db, sql: "SELECT * FROM opportunities ORDER BY pk").map(RowCoding.opportunity) }
    }

    public func opportunity(_ id: OpportunityID) async throws(StoreError) -> Opportunity? {
        try await run("opportunity '\(id)'") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM opportunities WHERE id = ?", arguments: [id.rawValue]).map(RowCoding.opportunity)
        }
    }

    public func interactions() async throws(StoreError) -> [Interaction] {
        try await run("interactions") { db in
            let people = try RowCoding.idTable(db, table: "people")
            let opportunities = try RowCoding.idTable(db, table: "opportunities")
            var result: [Interaction] = []
            result.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM interactions") ?? 0)
            let cursor = try Row.fetchCursor(db, sql: "SELECT event_id, derived_id, person, opportunity, type, ts, value, details FROM interactions ORDER BY pk")
            while let row = try cursor.next() {
                result.append(try RowCoding.interaction(row, people: people, opportunities: opportunities))
            }
            return result
        }
    }

    public func retract(eventID: String, at time: Timestamp) async throws(StoreError) -> Retraction {
        try await runWrite("the retraction of event '\(eventID)'") { db in
            let select = """
                SELECT i.event_id, i.derived_id, i.person, i.opportunity, i.type, i.ts, i.value, i.details, p.id, o.id
                FROM interactions i JOIN people p ON p.pk = i.person JOIN opportunities o ON o.pk = i.opportunity
                """
            func decode(_ row: Row) throws -> Interaction {
                let person: String = row[8], opportunity: String = row[9]
                return try RowCoding.interaction(row, people: [row[2]: person], opportunities: [row[3]: opportunity])
            }
            guard let row = try Row.fetchOne(db, sql: select + " WHERE i.event_id = ? AND i.derived_id = 0", arguments: [eventID]) else { return .notFound }
            let target = try decode(row)
            if target.type == .retract { return .isRetraction(target) }
            if let earlier = try Row.fetchOne(
                db, sql: select + " WHERE i.type = 'retract' AND json_extract(i.details, '$.retracts') = ? ORDER BY i.pk LIMIT 1", arguments: [eventID])
            {
                return .alreadyRetracted(target, at: try decode(earlier).timestamp)
            }
            let retraction = try Interaction(person: target.person, opportunity: target.opportunity, type: .retract, timestamp: time, retracts: eventID)
            _ = try BatchWriter(db: db, progress: nil).write(RecordBatch(interactions: [retraction]), events: nil)
            return .retracted(target, by: retraction)
        }
    }

    public func counts() async throws(StoreError) -> StoreCounts {
        try await run("counts") { db in
            var counts = StoreCounts()
            for row in try Row.fetchAll(db, sql: "SELECT role, count(*) FROM people GROUP BY role") { counts.peopleByRole[row[0]] = row[1] }
            for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM opportunities GROUP BY kind") { counts.opportunitiesByKind[row[0]] = row[1] }
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM opportunities GROUP BY status") { counts.opportunitiesByStatus[row[0]] = row[1] }
            for row in try Row.fetchAll(db, sql: "SELECT type, count(*) FROM interactions GROUP BY type") { counts.interactionsByType[row[0]] = row[1] }
            counts.interactingPairs = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT DISTINCT person, opportunity FROM interactions)") ?? 0
            return counts
        }
    }

    /// SQLite's `PRAGMA integrity_check`: `ok` for a sound file, otherwise the problems found.
    public func integrityCheck() async throws(StoreError) -> String {
        try await run("the integrity check") { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n")
        }
    }

    // MARK: Writes

    public func write(_ batch: RecordBatch, events: (any EventStream)?, progress: (@Sendable (WriteProgress) -> Void)?) async throws(StoreError) -> WriteCounts {
        let path = path
        do {
            return try await writer.writeWithoutTransaction { db in
                // The batch writer checks every reference itself, inside this same immediate
                // transaction: an opportunity's client and an event's person and opportunity must
                // be stored, or the batch fails. SQLite's per-row foreign-key lookup would only
                // repeat that work (a fifth of a bulk import's time), so it is off for this write
                // alone and restored afterwards; every other write keeps it.
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                var counts = WriteCounts()
                try db.inTransaction(.immediate) {
                    counts = try BatchWriter(db: db, progress: progress).write(batch, events: events)
                    return .commit
                }
                return counts
            }
        } catch let error as StoreError { throw error } catch {
            throw StoreError(.database, "Writing the batch to '\(path)' failed and nothing was written: \(SQLiteStore.describe(error)).", cause: error)
        }
    }
}
