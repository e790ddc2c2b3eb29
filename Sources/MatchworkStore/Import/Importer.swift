internal import Foundation
public import MatchworkCore

/// The files of one import.
public struct ImportSources: Sendable {
    public var people: String?
    public var opportunities: String?
    public var interactions: String?

    public init(people: String? = nil, opportunities: String? = nil, interactions: String? = nil) {
        self.people = people
        self.opportunities = opportunities
        self.interactions = interactions
    }
}

/// The result of reading and checking an import, before anything is written.
public struct ImportPlan: Sendable {
    /// The valid records, written together by ``Importer/commit(_:progress:)``.
    public var batch: RecordBatch
    /// Rows that failed a check, in file and line order.
    public var rejected: [RejectedRow]
    /// Rows read from the files.
    public var rowsRead = 0
    /// People and opportunities created for ids that appear only in a `user,item,rating,timestamp` file.
    public var createdFromRatings = 0

    /// The report of rejected rows: the first `limit`, then a count of the rest.
    public func rejectionReport(limit: Int = 20) -> String {
        var lines = ["Nothing was imported: \(rejected.count) \(rejected.count == 1 ? "row is" : "rows are") invalid."]
        lines += rejected.prefix(limit).map { "  \($0.text)" }
        if rejected.count > limit { lines.append("  … and \(rejected.count - limit) more.") }
        lines.append("Fix these rows and import again, or pass --skip-invalid to import the valid rows and write the rejected ones to a file.")
        return lines.joined(separator: "\n")
    }
}

/// Imports people, opportunities and events from CSV or JSON Lines files, atomically.
///
/// ``plan(_:)`` reads and checks every row (syntax, domain rules, the scenario's vocabulary,
/// references between files and to stored records) without writing; ``commit(_:progress:)``
/// writes the valid records in one transaction.
public struct Importer: Sendable {
    public let store: any Store

    public init(store: any Store) { self.store = store }

    public func plan(_ sources: ImportSources) async throws(StoreError) -> ImportPlan {
        let known = try await store.knownIdentifiers()
        let preset = try await store.scenario().map(ScenarioPreset.named)
        var plan = ImportPlan(batch: RecordBatch(), rejected: [])

        if let path = sources.people {
            let (records, read) = try decode(PersonFormat.self, path: path, into: &plan.rejected) { (p: Person) throws(MatchworkError) in
                try preset?.validate(p)
            }
            plan.batch.people = records.map(\.record)
            plan.rowsRead += read
            rejectDuplicates(records, id: { $0.id.rawValue }, file: path, noun: "person", into: &plan.rejected, keep: &plan.batch.people)
        }
        var peopleIDs = Set(known.people.keys)
        peopleIDs.formUnion(plan.batch.people.map(\.id))

        if let path = sources.opportunities {
            let (records, read) = try decode(OpportunityFormat.self, path: path, into: &plan.rejected) { (o: Opportunity) throws(MatchworkError) in
                try preset?.validate(o)
                if let client = o.client, !peopleIDs.contains(client) {
                    throw MatchworkError(.unknownIdentifier, "client '\(client)' is not a known person; add the client to the people file or import people first.", field: "client_id")
                }
            }
            plan.batch.opportunities = records.map(\.record)
            plan.rowsRead += read
            rejectDuplicates(records, id: { $0.id.rawValue }, file: path, noun: "opportunity", into: &plan.rejected, keep: &plan.batch.opportunities)
        }
        var opportunityIDs = known.opportunities
        opportunityIDs.formUnion(plan.batch.opportunities.map(\.id))

        if let path = sources.interactions {
            let format = try RecordFileFormat.infer(path: path)
            let bytes = try RecordFileReader.bytes(of: path)
            let header = try RecordFileReader.header(of: bytes, format: format, path: path)
            if format == .csv, Set(header) == Set(RatingsFormat.columns) {
                let ratings = try RatingsFormat.read(path: path, into: &plan.rejected)
                plan.rowsRead += ratings.rowsRead
                let kind = preset?.opportunityKinds.first ?? .job
                let role = preset?.takerRole ?? .worker
                var newPeople = Set<PersonID>(), newOpportunities = Set<OpportunityID>()
                for i in ratings.interactions {
                    if !peopleIDs.contains(i.person), newPeople.insert(i.person).inserted {
                        plan.batch.people.append(try! Person(id: i.person, role: role))
                    }
                    if !opportunityIDs.contains(i.opportunity), newOpportunities.insert(i.opportunity).inserted {
                        plan.batch.opportunities.append(try! Opportunity(id: i.opportunity, kind: kind))
                    }
                }
                plan.createdFromRatings = newPeople.count + newOpportunities.count
                plan.batch.interactions = ratings.interactions
            } else {
                let (records, read) = try decode(InteractionFormat.self, path: path, into: &plan.rejected) { (i: Interaction) throws(MatchworkError) in
                    try preset?.validate(i)
                    guard peopleIDs.contains(i.person) else {
                        throw MatchworkError(.unknownIdentifier, "person_id '\(i.person)' is not a known person; import the person with --people first.", field: "person_id")
                    }
                    guard opportunityIDs.contains(i.opportunity) else {
                        throw MatchworkError(.unknownIdentifier, "opportunity_id '\(i.opportunity)' is not a known opportunity; import it with --opportunities first.", field: "opportunity_id")
                    }
                }
                plan.batch.interactions = records.map(\.record)
                plan.rowsRead += read
            }
        }
        plan.rejected.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        return plan
    }

    /// Writes a plan's valid records in one transaction.
    public func commit(_ plan: ImportPlan, progress: (@Sendable (WriteProgress) -> Void)? = nil) async throws(StoreError) -> WriteCounts {
        try await store.write(plan.batch, progress: progress)
    }

    private func decode<F: RecordFormat>(
        _ format: F.Type, path: String, into rejected: inout [RejectedRow],
        check: (F.Record) throws(MatchworkError) -> Void
    ) throws(StoreError) -> (records: [(line: Int, record: F.Record)], read: Int) {
        let fileFormat = try RecordFileFormat.infer(path: path)
        let file = RecordFileReader.fileName(path)
        let before = rejected.count
        let rows = try RecordFileReader.read(path: path, format: fileFormat, columns: F.columns, required: F.requiredColumns, rejected: &rejected)
        var records: [(line: Int, record: F.Record)] = []
        records.reserveCapacity(rows.count)
        for parsed in rows {
            do {
                let record = try F.decode(parsed.row)
                try check(record)
                records.append((parsed.line, record))
            } catch {
                let column = error.field.map { String($0.split(separator: ".").first!) }
                let value = column.flatMap { F.columns.firstIndex(of: $0) }.flatMap { parsed.row[$0] }
                rejected.append(RejectedRow(file: file, line: parsed.line, column: column, value: value, reason: error.message))
            }
        }
        return (records, rows.count + (rejected.count - before))
    }

    private func rejectDuplicates<R>(
        _ records: [(line: Int, record: R)], id: (R) -> String, file: String, noun: String,
        into rejected: inout [RejectedRow], keep: inout [R]
    ) {
        var firstLine: [String: Int] = [:]
        var duplicates = Set<Int>()
        for (index, (line, record)) in records.enumerated() {
            let key = id(record)
            if let first = firstLine[key] {
                rejected.append(RejectedRow(file: RecordFileReader.fileName(file), line: line, column: "id", value: key,
                    reason: "\(noun) '\(key)' is already on line \(first); give each \(noun) once"))
                duplicates.insert(index)
            } else {
                firstLine[key] = line
            }
        }
        if !duplicates.isEmpty {
            keep = records.enumerated().filter { !duplicates.contains($0.offset) }.map(\.element.record)
        }
    }
}

/// The plain `user,item,rating,timestamp` files of the evaluation protocol.
///
/// Each row becomes a `rate` event whose value is the rating. Timestamps are integer Unix
/// seconds; a repeated `(user, item)` pair is rejected.
enum RatingsFormat {
    static let columns = ["user", "item", "rating", "timestamp"]

    static func read(path: String, into rejected: inout [RejectedRow]) throws(StoreError) -> (interactions: [Interaction], rowsRead: Int) {
        let file = RecordFileReader.fileName(path)
        let before = rejected.count
        let rows = try RecordFileReader.read(path: path, format: .csv, columns: columns, required: columns, rejected: &rejected)
        var interactions: [Interaction] = []
        interactions.reserveCapacity(rows.count)
        var seen: [String: Int] = [:]
        seen.reserveCapacity(rows.count)
        for parsed in rows {
            func reject(_ column: String?, _ reason: String) {
                rejected.append(RejectedRow(file: file, line: parsed.line, column: column, value: column.flatMap { columns.firstIndex(of: $0) }.flatMap { parsed.row[$0] }, reason: reason))
            }
            guard let user = parsed.row[0] else { reject("user", "user is empty; every row needs a user id"); continue }
            guard let item = parsed.row[1] else { reject("item", "item is empty; every row needs an item id"); continue }
            guard let ratingText = parsed.row[2], let rating = Double(ratingText), rating.isFinite else {
                reject("rating", "rating is not a number; write the rating, or 1 for an implicit event"); continue
            }
            guard let tsText = parsed.row[3], let ts = Int64(tsText) else {
                reject("timestamp", "timestamp is not integer Unix seconds"); continue
            }
            let pair = user + "\u{1F}" + item
            if let first = seen[pair] {
                reject(nil, "the pair (user '\(user)', item '\(item)') is already on line \(first); keep one row per pair")
                continue
            }
            seen[pair] = parsed.line
            do {
                interactions.append(try Interaction(
                    person: try PersonID.validated(user, field: "user"), opportunity: try OpportunityID.validated(item, field: "item"),
                    type: .rate, timestamp: Timestamp(secondsSinceEpoch: ts), value: rating))
            } catch {
                reject(error.field == "value" ? "rating" : error.field, error.message)
            }
        }
        return (interactions, rows.count + (rejected.count - before))
    }
}
