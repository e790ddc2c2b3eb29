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
        var inserter = try EventInserter(db: db, people: try existing("people"), opportunities: try existing("opportunities"))
        try inserter.insert(batch.interactions, &counts) { done in report(.interactions, done, events == nil ? batch.interactions.count : nil) }
        while let chunk = try events?.next() {
            try inserter.insert(chunk, &counts) { done in report(.interactions, done, nil) }
        }
        if events != nil { report(.interactions, inserter.done, inserter.done, force: true) }
        return counts
    }

    private func existing(_ table: String) throws -> [String: Int64] {
        var map: [String: Int64] = [:]
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, pk FROM \(table)")
        while let row = try cursor.next() { map[row[0]] = row[1] }
        return map
    }

    private func writePeople(_ people: [Person], _ counts: inout WriteCounts) throws {
        guard !people.isEmpty else { return }
        let known = try existing("people")
        let statement = try db.makeStatement(sql: """
            INSERT INTO people (id, role, name, latitude, longitude, capacity, profile) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET role = excluded.role, name = excluded.name, latitude = excluded.latitude,
                longitude = excluded.longitude, capacity = excluded.capacity, profile = excluded.profile
            WHERE people.role IS NOT excluded.role OR people.name IS NOT excluded.name
                OR people.latitude IS NOT excluded.latitude OR people.longitude IS NOT excluded.longitude
                OR people.capacity IS NOT excluded.capacity OR people.profile IS NOT excluded.profile
            """)
        for (n, p) in people.enumerated() {
            let profile = try RowCoding.json(PersonProfile(facets: p.facets, skills: p.skills, certifications: p.certifications, attributes: p.attributes, availability: p.availability))
            try statement.execute(arguments: [p.id.rawValue, p.role.rawValue, p.name, p.location?.latitude, p.location?.longitude, p.capacity, profile])
            tally(changed: db.changesCount > 0, isNew: known[p.id.rawValue] == nil, &counts.peopleInserted, &counts.peopleUpdated, &counts.peopleUnchanged)
            report(.people, n + 1, people.count)
        }
    }

    private func writeOpportunities(_ opportunities: [Opportunity], _ counts: inout WriteCounts) throws {
        guard !opportunities.isEmpty else { return }
        let known = try existing("opportunities")
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
        let clients = try existing("people")
        for (n, o) in opportunities.enumerated() {
            if let client = o.client, clients[client.rawValue] == nil {
                throw StoreError(.invalidInput, "Opportunity '\(o.id)' names client '\(client)', who is not stored; add the client first. Nothing was written.")
            }
            let profile = try RowCoding.json(OpportunityProfile(required: o.required, preferred: o.preferred, certifications: o.requiredCertifications, attributes: o.attributes, teaches: o.teaches, prerequisites: o.prerequisites))
            try statement.execute(arguments: [
                o.id.rawValue, o.kind.rawValue, o.client?.rawValue, o.title, o.location?.latitude, o.location?.longitude,
                o.window?.start.secondsSinceEpoch, o.window?.end.secondsSinceEpoch, o.slots, o.status.rawValue, profile,
            ])
            tally(changed: db.changesCount > 0, isNew: known[o.id.rawValue] == nil, &counts.opportunitiesInserted, &counts.opportunitiesUpdated, &counts.opportunitiesUnchanged)
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
    let people: [String: Int64]
    let opportunities: [String: Int64]
    let insert: RawInsert
    private(set) var done = 0

    init(db: Database, people: [String: Int64], opportunities: [String: Int64]) throws {
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
            guard let person = people[i.person.rawValue] else {
                throw StoreError(.invalidInput, "Event \(done + 1) of the batch refers to person '\(i.person)', who is not stored; add the person first. Nothing was written.")
            }
            guard let opportunity = opportunities[i.opportunity.rawValue] else {
                throw StoreError(.invalidInput, "Event \(done + 1) of the batch refers to opportunity '\(i.opportunity)', which is not stored; add it first. Nothing was written.")
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
