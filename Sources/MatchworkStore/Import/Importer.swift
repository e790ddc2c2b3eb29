internal import Foundation
import MatchworkCore

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

/// What an import did.
public struct ImportResult: Sendable {
    /// Whether anything was written. False when rows were invalid and invalid rows were not
    /// to be skipped: then the store is exactly as before.
    public var committed = false
    public var counts = WriteCounts()
    /// Rows that failed a check, in file and line order.
    public var rejected: [RejectedRow] = []
    /// Rows read from the files.
    public var rowsRead = 0
    /// Events read (valid or not).
    public var eventsRead = 0
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

/// What to do with invalid rows.
public enum InvalidRows: Sendable {
    /// Import nothing when any row is invalid (the default).
    case rejectImport
    /// Import the valid rows; report the invalid ones.
    case skip
}

/// Imports people, opportunities and events from CSV or JSON Lines files, atomically.
///
/// Every row is checked (syntax, domain rules, the store's scenario vocabulary, references
/// between files and to stored records). People and opportunities are read first; events are
/// decoded in chunks on worker threads while earlier chunks are written, all in one
/// transaction. With ``InvalidRows/rejectImport``, one invalid row anywhere rolls the whole
/// import back, and the result lists every invalid row.
public struct Importer: Sendable {
    public let store: any Store
    /// Events dated further ahead of the clock than its tolerance are rejected rows.
    public let clock: EventClock

    public init(store: any Store, clock: EventClock = EventClock()) {
        self.store = store
        self.clock = clock
    }

    public func run(_ sources: ImportSources, invalidRows: InvalidRows = .rejectImport, progress: (@Sendable (WriteProgress) -> Void)? = nil) async throws(StoreError) -> ImportResult {
        let known = try await store.knownIdentifiers()
        let preset = try await store.scenario().map(ScenarioPreset.named)
        var result = ImportResult()
        var batch = RecordBatch()

        if let path = sources.people {
            let decoded = try Self.decodeAll(PersonFormat.self, file: try RecordFile(path: path, columns: PersonFormat.columns, required: PersonFormat.requiredColumns)) { (p: Person) throws(MatchworkError) in
                try preset?.validate(p)
            }
            batch.people = Self.withoutDuplicates(decoded, id: { $0.id.rawValue }, noun: "person", into: &result.rejected)
            result.rowsRead += decoded.rows
        }
        var peopleIDs = Set(known.people.keys)
        peopleIDs.formUnion(batch.people.map(\.id))

        if let path = sources.opportunities {
            let clients = peopleIDs
            let decoded = try Self.decodeAll(OpportunityFormat.self, file: try RecordFile(path: path, columns: OpportunityFormat.columns, required: OpportunityFormat.requiredColumns)) { (o: Opportunity) throws(MatchworkError) in
                try preset?.validate(o)
                if let client = o.client, !clients.contains(client) {
                    throw MatchworkError(.unknownIdentifier, "client '\(client)' is not a known person; add the client to the people file or import people first.", field: "client_id")
                }
            }
            batch.opportunities = Self.withoutDuplicates(decoded, id: { $0.id.rawValue }, noun: "opportunity", into: &result.rejected)
            result.rowsRead += decoded.rows
        }
        var opportunityIDs = known.opportunities
        opportunityIDs.formUnion(batch.opportunities.map(\.id))

        var stream: DecodingEventStream?
        if let path = sources.interactions {
            let format = try RecordFileFormat.infer(path: path)
            let header = format == .csv ? try RecordFile.peekHeader(path) : []
            if Set(header) == Set(RatingsFormat.columns) {
                let ratings = try RatingsFormat.read(path: path, clock: clock, into: &result.rejected)
                result.rowsRead += ratings.rowsRead
                result.eventsRead = ratings.rowsRead
                let kind = preset?.opportunityKinds.first ?? .job
                let role = preset?.takerRole ?? .worker
                var newPeople = Set<PersonID>(), newOpportunities = Set<OpportunityID>()
                for i in ratings.interactions {
                    if !peopleIDs.contains(i.person), newPeople.insert(i.person).inserted {
                        batch.people.append(try! Person(id: i.person, role: role))
                    }
                    if !opportunityIDs.contains(i.opportunity), newOpportunities.insert(i.opportunity).inserted {
                        batch.opportunities.append(try! Opportunity(id: i.opportunity, kind: kind))
                    }
                }
                result.createdFromRatings = newPeople.count + newOpportunities.count
                batch.interactions = ratings.interactions
            } else {
                let file = try RecordFile(path: path, columns: InteractionFormat.columns, required: InteractionFormat.requiredColumns)
                let people = peopleIDs, opportunities = opportunityIDs, clock = clock, now = Timestamp.now
                let pipeline = ChunkPipeline(count: file.chunks.count) { index in
                    Self.decode(InteractionFormat.self, file: file, chunk: index) { (i: Interaction) throws(MatchworkError) in
                        try preset?.validate(i)
                        try clock.check(i, now: now)
                        guard people.contains(i.person) else {
                            throw MatchworkError(.unknownIdentifier, "person_id '\(i.person)' is not a known person; import the person with --people first.", field: "person_id")
                        }
                        guard opportunities.contains(i.opportunity) else {
                            throw MatchworkError(.unknownIdentifier, "opportunity_id '\(i.opportunity)' is not a known opportunity; import it with --opportunities first.", field: "opportunity_id")
                        }
                    }
                }
                stream = DecodingEventStream(pipeline: pipeline, atomic: invalidRows == .rejectImport)
            }
        }

        let atomic = invalidRows == .rejectImport
        if atomic, !result.rejected.isEmpty || batch.isEmpty && stream == nil {
            // Nothing to write: still read every event, to report all the invalid rows at once.
            stream?.drain()
        } else {
            do {
                result.counts = try await store.write(batch, events: stream, progress: progress)
                result.committed = true
            } catch {
                // An invalid event in an atomic import: the transaction was rolled back.
                guard let stream, stream.sawInvalidRow else { throw error }
                stream.drain()
            }
        }
        if let stream {
            result.rejected += stream.rejected
            result.rowsRead += stream.rows
            result.eventsRead = stream.rows
        }
        result.rejected.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        if atomic, !result.rejected.isEmpty {
            result.committed = false
            result.counts = WriteCounts()
        }
        return result
    }

    /// One decoded chunk: the valid records with their lines, the rejected rows, and how many
    /// rows were read.
    struct DecodedChunk<Record>: @unchecked Sendable {
        var records: [Record] = []
        var lines: [Int] = []
        var rejected: [RejectedRow] = []
        var rows = 0
    }

    static func decode<F: RecordFormat>(
        _ format: F.Type, file: RecordFile, chunk: Int, check: (F.Record) throws(MatchworkError) -> Void
    ) -> DecodedChunk<F.Record> {
        var out = DecodedChunk<F.Record>()
        let rows = file.rows(inChunk: chunk, rejected: &out.rejected)
        // Rows that could not even be framed are counted here; the others are in `rows`.
        out.rows = rows.count + out.rejected.count
        out.records.reserveCapacity(rows.count)
        out.lines.reserveCapacity(rows.count)
        for parsed in rows {
            do {
                let record = try F.decode(parsed.row)
                try check(record)
                out.records.append(record)
                out.lines.append(parsed.line)
            } catch {
                let column = error.field.map { String($0.split(separator: ".").first!) }
                let value = column.flatMap { F.columns.firstIndex(of: $0) }.flatMap { parsed.row[$0] }
                out.rejected.append(RejectedRow(file: file.file, line: parsed.line, column: column, value: value, reason: error.message))
            }
        }
        return out
    }

    /// Decodes a whole (small) file: people or opportunities.
    static func decodeAll<F: RecordFormat>(
        _ format: F.Type, file: RecordFile, check: @escaping @Sendable (F.Record) throws(MatchworkError) -> Void
    ) throws(StoreError) -> (chunk: DecodedChunk<F.Record>, file: String, rows: Int) {
        var all = DecodedChunk<F.Record>()
        let pipeline = ChunkPipeline(count: file.chunks.count) { index in decode(F.self, file: file, chunk: index, check: check) }
        for index in 0..<file.chunks.count {
            let part = pipeline.take(index)
            all.records += part.records
            all.lines += part.lines
            all.rejected += part.rejected
            all.rows += part.rows
        }
        return (all, file.file, all.rows)
    }

    /// The records of `decoded`, rejecting every repeat of an id after its first line.
    static func withoutDuplicates<R>(
        _ decoded: (chunk: DecodedChunk<R>, file: String, rows: Int), id: (R) -> String, noun: String, into rejected: inout [RejectedRow]
    ) -> [R] {
        rejected += decoded.chunk.rejected
        var firstLine: [String: Int] = [:]
        var kept: [R] = []
        kept.reserveCapacity(decoded.chunk.records.count)
        for (record, line) in zip(decoded.chunk.records, decoded.chunk.lines) {
            let key = id(record)
            if let first = firstLine[key] {
                rejected.append(RejectedRow(file: decoded.file, line: line, column: "id", value: key,
                    reason: "\(noun) '\(key)' is already on line \(first); give each \(noun) once"))
            } else {
                firstLine[key] = line
                kept.append(record)
            }
        }
        return kept
    }
}

/// Feeds decoded event chunks to a store write, in file order, and remembers invalid rows.
///
/// In an atomic import the first invalid row makes `next()` throw, which rolls the write back.
final class DecodingEventStream: EventStream, @unchecked Sendable {
    private let pipeline: ChunkPipeline<Importer.DecodedChunk<Interaction>>
    private let atomic: Bool
    private var index = 0
    private(set) var rejected: [RejectedRow] = []
    private(set) var rows = 0
    private(set) var sawInvalidRow = false

    init(pipeline: ChunkPipeline<Importer.DecodedChunk<Interaction>>, atomic: Bool) {
        self.pipeline = pipeline
        self.atomic = atomic
    }

    func next() throws(StoreError) -> [Interaction]? {
        guard index < pipeline.count else { return nil }
        let chunk = pipeline.take(index)
        index += 1
        rows += chunk.rows
        rejected += chunk.rejected
        if atomic, !chunk.rejected.isEmpty {
            sawInvalidRow = true
            throw StoreError(.invalidInput, "Invalid rows were found; nothing was imported.")
        }
        return chunk.records
    }

    /// Reads the remaining chunks without writing them, to collect every invalid row.
    func drain() {
        while index < pipeline.count {
            let chunk = pipeline.take(index)
            index += 1
            rows += chunk.rows
            rejected += chunk.rejected
        }
    }
}

/// The plain `user,item,rating,timestamp` files of the evaluation protocol.
///
/// Each row becomes a `rate` event whose value is the rating. Timestamps are integer Unix
/// seconds; a repeated `(user, item)` pair is rejected.
enum RatingsFormat {
    static let columns = ["user", "item", "rating", "timestamp"]

    static func read(path: String, clock: EventClock, into rejected: inout [RejectedRow]) throws(StoreError) -> (interactions: [Interaction], rowsRead: Int) {
        let now = Timestamp.now
        let recordFile = try RecordFile(path: path, columns: columns, required: columns)
        let file = recordFile.file
        let before = rejected.count
        var rows: [ParsedRow] = []
        for chunk in recordFile.chunks.indices { rows += recordFile.rows(inChunk: chunk, rejected: &rejected) }
        let unframed = rejected.count - before
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
                let event = try Interaction(
                    person: try PersonID.validated(user, field: "user"), opportunity: try OpportunityID.validated(item, field: "item"),
                    type: .rate, timestamp: Timestamp(secondsSinceEpoch: ts), value: rating)
                try clock.check(event, now: now)
                interactions.append(event)
            } catch {
                reject(error.field == "value" ? "rating" : error.field, error.message)
            }
        }
        return (interactions, rows.count + unframed)
    }
}
