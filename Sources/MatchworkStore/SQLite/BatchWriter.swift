internal import GRDB
internal import GRDBSQLite
import MatchworkCore

/// Writes one ``RecordBatch`` inside the caller's transaction.
struct BatchWriter {
    let db: Database
    let progress: (@Sendable (WriteProgress) -> Void)?
    static let progressInterval = 50_000

    func write(_ batch: RecordBatch, events: (any EventStream)?) throws -> WriteCounts {
        var counts = WriteCounts()
        try writePeople(batch.people, &counts)
        try writeOpportunities(batch.opportunities, &counts)
        guard !batch.interactions.isEmpty || events != nil else { return counts }
        let small = events == nil && batch.interactions.count <= IDLookup.smallBatch
        var inserter = try EventInserter(
            db: db, people: try IDLookup(db: db, table: "people", preload: !small), opportunities: try IDLookup(db: db, table: "opportunities", preload: !small))
        try inserter.insert(batch.interactions, &counts) { done in report(.interactions, done, events == nil ? batch.interactions.count : nil) }
        while let chunk = try events?.next() {
            try inserter.insert(chunk, &counts) { done in report(.interactions, done, nil) }
        }
        if events != nil { report(.interactions, inserter.done, inserter.done, force: true) }
        return counts
    }

    private func writePeople(_ people: [Person], _ counts: inout WriteCounts) throws {
        guard !people.isEmpty else { return }
        var known = try IDLookup(db: db, table: "people", preload: people.count > IDLookup.smallBatch)
        let statement = try db.makeStatement(sql: """
            INSERT INTO people (id, role, name, latitude, longitude, capacity, profile) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET role = excluded.role, name = excluded.name, latitude = excluded.latitude,
                longitude = excluded.longitude, capacity = excluded.capacity, profile = excluded.profile
            WHERE people.role IS NOT excluded.role OR people.name IS NOT excluded.name
                OR people.latitude IS NOT excluded.latitude OR people.longitude IS NOT excluded.longitude
                OR people.capacity IS NOT excluded.capacity OR people.profile IS NOT excluded.profile
            """)
        for (n, p) in people.enumerated() {
            let wasNew = try known.pk(p.id.rawValue) == nil
            let profile = try RowCoding.json(PersonProfile(facets: p.facets, skills: p.skills, certifications: p.certifications, attributes: p.attributes, availability: p.availability))
            try statement.execute(arguments: [p.id.rawValue, p.role.rawValue, p.name, p.location?.latitude, p.location?.longitude, p.capacity, profile])
            tally(changed: db.changesCount > 0, isNew: wasNew, &counts.peopleInserted, &counts.peopleUpdated, &counts.peopleUnchanged)
            report(.people, n + 1, people.count)
        }
    }

    private func writeOpportunities(_ opportunities: [Opportunity], _ counts: inout WriteCounts) throws {
        guard !opportunities.isEmpty else { return }
        let preload = opportunities.count > IDLookup.smallBatch
        var known = try IDLookup(db: db, table: "opportunities", preload: preload)
        let statement = try db.makeStatement(sql: """
            INSERT INTO opportunities (id, kind, client_id, title, latitude, longitude, starts_at, ends_at, slots, status, profile)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, client_id = excluded.client_id, title = excluded.title,
                latitude = excluded.latitude, longitude = excluded.longitude, starts_at = excluded.starts_at,
                ends_at = excluded.ends_at, slots = excluded.slots, status = excluded.status, profile = excluded.profile
            WHERE opportunities.kind IS NOT excluded.kind OR opportunities.client_id IS NOT excluded.client_id
                OR opportunities.title IS NOT excluded.title OR opportunities.latitude IS NOT excluded.latitude
                OR opportunities.longitude IS NOT excluded.longitude OR opportunities.starts_at IS NOT excluded.starts_at
                OR opportunities.ends_at IS NOT excluded.ends_at OR opportunities.slots IS NOT excluded.slots
                OR opportunities.status IS NOT excluded.status OR opportunities.profile IS NOT excluded.profile
            """)
        var clients = try IDLookup(db: db, table: "people", preload: preload)
        for (n, o) in opportunities.enumerated() {
            if let client = o.client, try clients.pk(client.rawValue) == nil {
                throw StoreError(
                    .invalidInput, "Opportunity '\(o.id)' names client '\(client)', who is not stored; add the client first. Nothing was written.",
                    field: "client_id", record: n)
            }
            let wasNew = try known.pk(o.id.rawValue) == nil
            let profile = try RowCoding.json(OpportunityProfile(required: o.required, preferred: o.preferred, certifications: o.requiredCertifications, attributes: o.attributes, teaches: o.teaches, prerequisites: o.prerequisites, skills: o.skills.isEmpty ? nil : o.skills))
            try statement.execute(arguments: [
                o.id.rawValue, o.kind.rawValue, o.client?.rawValue, o.title, o.location?.latitude, o.location?.longitude,
                o.window?.start.secondsSinceEpoch, o.window?.end.secondsSinceEpoch, o.slots, o.status.rawValue, profile,
            ])
            tally(changed: db.changesCount > 0, isNew: wasNew, &counts.opportunitiesInserted, &counts.opportunitiesUpdated, &counts.opportunitiesUnchanged)
            report(.opportunities, n + 1, opportunities.count)
        }
    }

    private func tally(changed: Bool, isNew: Bool, _ inserted: inout Int, _ updated: inout Int, _ unchanged: inout Int) {
        if !changed { unchanged += 1 } else if isNew { inserted += 1 } else { updated += 1 }
    }

    private func report(_ phase: WriteProgress.Phase, _ done: Int, _ total: Int?, force: Bool = false) {
        guard let progress, force || done % BatchWriter.progressInterval == 0 || done == total else { return }
        progress(WriteProgress(phase: phase, done: done, total: total))
    }
}

/// Inserts events in order, counting them across chunks.
private struct EventInserter {
    var people: IDLookup
    var opportunities: IDLookup
    let insert: RawInsert
    private(set) var done = 0

    init(db: Database, people: IDLookup, opportunities: IDLookup) throws {
        self.people = people
        self.opportunities = opportunities
        let statement = try db.makeStatement(sql: """
            INSERT INTO interactions (event_id, derived_id, person, opportunity, type, ts, value, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING
            """)
        insert = RawInsert(statement: statement, connection: db.sqliteConnection)
    }

    /// Inserts `interactions`; `report` gets the running total after each one.
    mutating func insert(_ interactions: [Interaction], _ counts: inout WriteCounts, report: (Int) -> Void) throws {
        for i in interactions {
            guard let person = try people.pk(i.person.rawValue) else {
                throw StoreError(
                    .invalidInput, "Event \(done + 1) of the batch refers to person '\(i.person)', who is not stored; add the person first. Nothing was written.",
                    field: "person_id", record: done)
            }
            guard let opportunity = try opportunities.pk(i.opportunity.rawValue) else {
                throw StoreError(
                    .invalidInput, "Event \(done + 1) of the batch refers to opportunity '\(i.opportunity)', which is not stored; add it first. Nothing was written.",
                    field: "opportunity_id", record: done)
            }
            let inserted = try insert.run(
                eventID: i.eventID ?? EventKey.derive(i), derived: i.eventID == nil, person: person, opportunity: opportunity,
                type: i.type.rawValue, time: i.timestamp.secondsSinceEpoch, value: i.value, details: RowCoding.details(of: i))
            if inserted { counts.interactionsInserted += 1 } else { counts.interactionsDuplicate += 1 }
            done += 1
            report(done)
        }
    }
}

/// One prepared `INSERT … ON CONFLICT DO NOTHING` into `interactions`, bound through the C API.
private struct RawInsert {
    /// Keeps GRDB's statement, and so the SQLite one, alive.
    let owner: Statement
    let statement: OpaquePointer
    let connection: OpaquePointer?
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(statement: Statement, connection: OpaquePointer?) {
        owner = statement
        self.statement = statement.sqliteStatement
        self.connection = connection
    }

    /// Returns whether a row was inserted (false: the event id was already stored).
    func run(eventID: String, derived: Bool, person: Int64, opportunity: Int64, type: String, time: Int64, value: Double?, details: String?) throws -> Bool {
        sqlite3_reset(statement)
        bind(text: eventID, at: 1)
        sqlite3_bind_int64(statement, 2, derived ? 1 : 0)
        sqlite3_bind_int64(statement, 3, person)
        sqlite3_bind_int64(statement, 4, opportunity)
        bind(text: type, at: 5)
        sqlite3_bind_int64(statement, 6, time)
        if let value { sqlite3_bind_double(statement, 7, value) } else { sqlite3_bind_null(statement, 7) }
        if let details { bind(text: details, at: 8) } else { sqlite3_bind_null(statement, 8) }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else {
            let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite error \(code)"
            sqlite3_reset(statement)
            throw StoreError(.database, "Storing event '\(eventID)' failed: \(message). Nothing was written.")
        }
        return sqlite3_changes(connection) > 0
    }

    private func bind(text: String, at index: Int32) {
        var text = text
        text.withUTF8 { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                _ = sqlite3_bind_text(statement, index, "", 0, RawInsert.transient)
                return
            }
            _ = sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(buffer.count), RawInsert.transient)
        }
    }
}

/// Maps external ids to row keys: preloaded in full for bulk writes, looked up one at a time
/// (and remembered) for small ones, so that a write of a few records costs a few index lookups
/// rather than a scan of every id.
struct IDLookup {
    /// Batches up to this size look ids up one at a time.
    static let smallBatch = 2_000
    private var known: [String: Int64] = [:]
    private var missing: Set<String> = []
    private let preloaded: Bool
    private let statement: Statement?

    init(db: Database, table: String, preload: Bool) throws {
        preloaded = preload
        if preload {
            statement = nil
            let cursor = try Row.fetchCursor(db, sql: "SELECT id, pk FROM \(table)")
            while let row = try cursor.next() { known[row[0]] = row[1] }
        } else {
            statement = try db.makeStatement(sql: "SELECT pk FROM \(table) WHERE id = ?")
        }
    }

    mutating func pk(_ id: String) throws -> Int64? {
        if let pk = known[id] { return pk }
        guard let statement, !missing.contains(id) else { return nil }
        if let pk = try Int64.fetchOne(statement, arguments: [id]) {
            known[id] = pk
            return pk
        }
        missing.insert(id)
        return nil
    }
}
