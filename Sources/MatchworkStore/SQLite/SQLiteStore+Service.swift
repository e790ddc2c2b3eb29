internal import Foundation
internal import GRDB
public import MatchworkCore

extension SQLiteStore: ServiceStore {
    // MARK: Catalogue

    public func people(_ page: PageRequest, role: PersonRole?) async throws(StoreError) -> Page<Person> {
        try await run("people") { db in
            var sql = "SELECT * FROM people WHERE pk > ?"
            var arguments: StatementArguments = [page.after ?? 0]
            if let role {
                sql += " AND role = ?"
                _ = arguments.append(contentsOf: [role.rawValue])
            }
            return try Self.page(db, sql: sql, arguments: arguments, limit: page.limit, decode: RowCoding.person)
        }
    }

    public func opportunities(_ page: PageRequest, filter: OpportunityFilter) async throws(StoreError) -> Page<Opportunity> {
        try await run("opportunities") { db in
            var sql = "SELECT * FROM opportunities WHERE pk > ?"
            var arguments: StatementArguments = [page.after ?? 0]
            if let kind = filter.kind {
                sql += " AND kind = ?"
                _ = arguments.append(contentsOf: [kind.rawValue])
            }
            if let status = filter.status {
                sql += " AND status = ?"
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let client = filter.client {
                sql += " AND client_id = ?"
                _ = arguments.append(contentsOf: [client.rawValue])
            }
            return try Self.page(db, sql: sql, arguments: arguments, limit: page.limit, decode: RowCoding.opportunity)
        }
    }

    /// Runs `sql` (which filters on `pk > ?`) ordered by `pk`, one row more than `limit` to tell
    /// whether another page follows.
    static func page<T>(_ db: Database, sql: String, arguments: StatementArguments, limit: Int, decode: (Row) throws -> T) throws -> Page<T> {
        let rows = try Row.fetchAll(db, sql: sql + " ORDER BY pk LIMIT ?", arguments: arguments + [limit + 1])
        let items = try rows.prefix(limit).map(decode)
        let next: Int64? = rows.count > limit ? rows[limit - 1]["pk"] : nil
        return Page(items: items, next: next)
    }

    public func deletePerson(_ id: PersonID) async throws(StoreError) -> DeleteOutcome {
        try await runWrite("the deletion of person '\(id)'") { db in
            guard let pk = try Int64.fetchOne(db, sql: "SELECT pk FROM people WHERE id = ?", arguments: [id.rawValue]) else { return .notFound }
            let events = try Int.fetchOne(db, sql: "SELECT count(*) FROM interactions WHERE person = ?", arguments: [pk]) ?? 0
            let owned = try Int.fetchOne(db, sql: "SELECT count(*) FROM opportunities WHERE client_id = ?", arguments: [id.rawValue]) ?? 0
            guard events == 0, owned == 0 else { return .referenced(events: events, opportunities: owned) }
            try db.execute(sql: "DELETE FROM people WHERE pk = ?", arguments: [pk])
            return .deleted
        }
    }

    public func deleteOpportunity(_ id: OpportunityID) async throws(StoreError) -> DeleteOutcome {
        try await runWrite("the deletion of opportunity '\(id)'") { db in
            guard let pk = try Int64.fetchOne(db, sql: "SELECT pk FROM opportunities WHERE id = ?", arguments: [id.rawValue]) else { return .notFound }
            let events = try Int.fetchOne(db, sql: "SELECT count(*) FROM interactions WHERE opportunity = ?", arguments: [pk]) ?? 0
            guard events == 0 else { return .referenced(events: events, opportunities: 0) }
            try db.execute(sql: "DELETE FROM opportunities WHERE pk = ?", arguments: [pk])
            return .deleted
        }
    }

    public func interactions(_ page: PageRequest, person: PersonID?, opportunity: OpportunityID?) async throws(StoreError) -> Page<Interaction> {
        try await run("events") { db in
            var sql = """
                SELECT i.event_id, i.derived_id, i.person, i.opportunity, i.type, i.ts, i.value, i.details, i.pk, p.id AS person_id, o.id AS opportunity_id
                FROM interactions i JOIN people p ON p.pk = i.person JOIN opportunities o ON o.pk = i.opportunity WHERE i.pk \(page.newestFirst ? "<" : ">") ?
                """
            let start: Int64 = page.after ?? (page.newestFirst ? Int64.max : 0)
            var arguments: StatementArguments = [start]
            if let person {
                sql += " AND p.id = ?"
                _ = arguments.append(contentsOf: [person.rawValue])
            }
            if let opportunity {
                sql += " AND o.id = ?"
                _ = arguments.append(contentsOf: [opportunity.rawValue])
            }
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY i.pk\(page.newestFirst ? " DESC" : "") LIMIT ?", arguments: arguments + [page.limit + 1])
            let items = try rows.prefix(page.limit).map { row in
                // The first eight columns are the ones RowCoding reads by position.
                try RowCoding.interaction(row, people: [row[2]: row["person_id"]], opportunities: [row[3]: row["opportunity_id"]])
            }
            return Page(items: items, next: rows.count > page.limit ? rows[page.limit - 1]["pk"] : nil)
        }
    }

    // MARK: API keys

    public func createKey(_ key: APIKeyRecord, hash: String) async throws(StoreError) {
        try await runWrite("API key '\(key.id)'") { db in
            try db.execute(
                sql: "INSERT INTO api_keys (id, hash, role, name, rate_limit, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key.id, hash, key.role.rawValue, key.name, key.rateLimit, key.createdAt.secondsSinceEpoch])
        }
    }

    public func keys() async throws(StoreError) -> [APIKeyRecord] {
        try await run("API keys") { db in try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(Self.key) }
    }

    public func activeKey(hash: String) async throws(StoreError) -> APIKeyRecord? {
        try await run("API keys") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL", arguments: [hash]).map(Self.key)
        }
    }

    public func revokeKey(id: String, at time: Timestamp) async throws(StoreError) -> Bool {
        try await runWrite("API key '\(id)'") { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM api_keys WHERE id = ?", arguments: [id]) == 1 else { return false }
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [time.secondsSinceEpoch, id])
            return true
        }
    }

    static func key(_ row: Row) throws -> APIKeyRecord {
        guard let role = APIRole(rawValue: row["role"]) else { throw StoreError(.database, "API key '\(row["id"] as String)' has an unknown role.") }
        return APIKeyRecord(
            id: row["id"], role: role, name: row["name"], rateLimit: row["rate_limit"],
            createdAt: Timestamp(secondsSinceEpoch: row["created_at"]), revokedAt: (row["revoked_at"] as Int64?).map(Timestamp.init(secondsSinceEpoch:)))
    }

    // MARK: Tracking

    public func recordServed(_ lists: [ServedList]) async throws(StoreError) {
        guard !lists.isEmpty else { return }
        try await runWrite("served lists") { db in
            let content = try db.makeStatement(sql: "INSERT INTO served_contents (digest, items) VALUES (?, ?) ON CONFLICT(digest) DO NOTHING")
            let statement = try db.makeStatement(sql: """
                INSERT INTO served_lists (id, subject_kind, subject_id, mode, answered_by, model_version, request_id, key_id, served_at, content, experiment, arm)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
                """)
            var written = Set<[UInt8]>()
            for list in lists {
                let (kind, id) = Self.subjectColumns(list.subject)
                let digest = Data(list.encodedItems.digest)
                if written.insert(list.encodedItems.digest).inserted { try content.execute(arguments: [digest, list.encodedItems.json]) }
                try statement.execute(arguments: [
                    list.id, kind, id, list.mode, list.answeredBy.joined(separator: ","), list.modelVersion, list.requestID, list.keyID,
                    list.servedAt.secondsSinceEpoch, digest, list.experiment, list.arm,
                ])
            }
        }
    }

    public func servedList(id: String) async throws(StoreError) -> ServedList? {
        try await run("served list '\(id)'") { db in
            try Row.fetchOne(db, sql: "SELECT l.*, c.items FROM served_lists l JOIN served_contents c ON c.digest = l.content WHERE l.id = ?", arguments: [id]).map(Self.served)
        }
    }

    public func servedLists(_ page: PageRequest, subject: RecommendationSubject?) async throws(StoreError) -> Page<ServedList> {
        try await run("served lists") { db in
            var sql = "SELECT l.*, c.items FROM served_lists l JOIN served_contents c ON c.digest = l.content WHERE l.pk > ?"
            var arguments: StatementArguments = [page.after ?? 0]
            if let subject {
                let (kind, id) = Self.subjectColumns(subject)
                sql += " AND l.subject_kind = ? AND l.subject_id = ?"
                _ = arguments.append(contentsOf: [kind, id])
            }
            return try Self.page(db, sql: sql, arguments: arguments, limit: page.limit, decode: Self.served)
        }
    }

    /// The condition on a served list `l` that no outcome or feedback refers to it.
    static let unreferenced = """
        NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.recommendation_id = l.id) AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.recommendation_id = l.id)
        """

    /// The served lists a prune deletes, after the page cursor and up to `through` (the page
    /// adds its order and limit).
    static let prunableSQL = """
        SELECT l.*, c.items FROM served_lists l JOIN served_contents c ON c.digest = l.content
        WHERE l.pk > ? AND l.pk <= ? AND l.served_at < ? AND \(unreferenced)
        """

    public func prunableServed(_ page: PageRequest, before time: Timestamp, through: Int64?) async throws(StoreError) -> Page<ServedList> {
        try await run("served lists") { db in
            try Self.page(db, sql: Self.prunableSQL, arguments: [page.after ?? 0, through ?? Int64.max, time.secondsSinceEpoch], limit: page.limit, decode: Self.served)
        }
    }

    /// The lists ``prunableServed(_:before:through:)`` pages through, each as one line of JSON
    /// (newline included) as the API writes it (snake_case, sorted keys, `served_at` in Unix
    /// seconds), the items as stored, not decoded and written again.
    public func prunableServedLines(_ page: PageRequest, before time: Timestamp, through: Int64?) async throws(StoreError) -> Page<[UInt8]> {
        try await run("served lists") { db in
            try Self.page(db, sql: Self.prunableSQL, arguments: [page.after ?? 0, through ?? Int64.max, time.secondsSinceEpoch], limit: page.limit, decode: Self.servedLine)
        }
    }

    static func servedLine(_ row: Row) -> [UInt8] {
        let answered: String = row["answered_by"]
        let kind: String = row["subject_kind"], subject: String = row["subject_id"]
        let items: String = row["items"]
        var json = JSONWriter(capacity: items.utf8.count + 400)
        json.object { o in
            o.key("answered_by"); o.strings(answered.isEmpty ? [] : answered.split(separator: ",").map(String.init))
            o.key("id"); o.string(row["id"] as String)
            o.key("items"); o.raw(Array(items.utf8))
            if let key: String = row["key_id"] { o.key("key_id"); o.string(key) }
            o.key("mode"); o.string(row["mode"] as String)
            if let version: String = row["model_version"] { o.key("model_version"); o.string(version) }
            if let request: String = row["request_id"] { o.key("request_id"); o.string(request) }
            o.key("served_at"); o.integer(Int(row["served_at"] as Int64))
            o.key("subject"); o.write(kind == "person" ? RecommendationSubject.person(PersonID(subject)) : .opportunity(OpportunityID(subject)))
        }
        return json.bytes + [0x0A]
    }

    public func pruneServed(before time: Timestamp, through: Int64?, limit: Int) async throws(StoreError) -> Int {
        guard limit > 0 else { return 0 }
        return try await runWrite("the served-list prune") { db in
            let digests = try Data.fetchAll(
                db,
                sql: """
                    DELETE FROM served_lists WHERE pk IN (
                        SELECT l.pk FROM served_lists l WHERE l.served_at < ? AND l.pk <= ? AND \(Self.unreferenced) ORDER BY l.pk LIMIT ?)
                    RETURNING content
                    """, arguments: [time.secondsSinceEpoch, through ?? Int64.max, limit])
            let orphan = try db.makeStatement(sql: "DELETE FROM served_contents WHERE digest = ? AND NOT EXISTS (SELECT 1 FROM served_lists WHERE content = ?)")
            for digest in Set(digests) { try orphan.execute(arguments: [digest, digest]) }
            return digests.count
        }
    }

    public func servedCounts(before time: Timestamp) async throws(StoreError) -> (prunable: Int, referenced: Int, through: Int64?) {
        try await run("served-list counts") { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), max(pk) FROM served_lists WHERE served_at < ?", arguments: [time.secondsSinceEpoch])
            let all: Int = row?[0] ?? 0
            let through: Int64? = row?[1]
            let prunable = try Int.fetchOne(db, sql: "SELECT count(*) FROM served_lists l WHERE l.served_at < ? AND \(Self.unreferenced)", arguments: [time.secondsSinceEpoch]) ?? 0
            return (prunable, all - prunable, through)
        }
    }

    public func recentlyServed(limit: Int, scanning: Int) async throws(StoreError) -> [ServedSubject] {
        guard limit > 0, scanning > 0 else { return [] }
        return try await run("recently served subjects") { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT subject_kind, subject_id, mode FROM served_lists ORDER BY pk DESC LIMIT ?", arguments: [scanning])
            var seen = Set<ServedSubject>(), found: [ServedSubject] = []
            while found.count < limit, let row = try rows.next() {
                let kind: String = row[0], id: String = row[1]
                let served = ServedSubject(subject: kind == "person" ? .person(PersonID(id)) : .opportunity(OpportunityID(id)), mode: row[2])
                if seen.insert(served).inserted { found.append(served) }
            }
            return found
        }
    }

    static func subjectColumns(_ subject: RecommendationSubject) -> (String, String) {
        switch subject {
        case .person(let id): ("person", id.rawValue)
        case .opportunity(let id): ("opportunity", id.rawValue)
        }
    }

    static func served(_ row: Row) throws -> ServedList {
        let kind: String = row["subject_kind"], id: String = row["subject_id"]
        let answered: String = row["answered_by"]
        return ServedList(
            id: row["id"], subject: kind == "person" ? .person(PersonID(id)) : .opportunity(OpportunityID(id)), mode: row["mode"],
            answeredBy: answered.isEmpty ? [] : answered.split(separator: ",").map(String.init), modelVersion: row["model_version"],
            requestID: row["request_id"], keyID: row["key_id"], servedAt: Timestamp(secondsSinceEpoch: row["served_at"]),
            items: try RowCoding.decode([ServedItem].self, row["items"], what: "served list"), experiment: row["experiment"], arm: row["arm"])
    }

    public func recordOutcome(_ outcome: OutcomeRecord, event: Interaction) async throws(StoreError) -> Bool {
        try await writeTracked("the outcome", event: event) { db in
            try db.execute(
                sql: "INSERT INTO outcomes (event_id, recommendation_id, item_id, rank, outcome, value, ts) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING",
                arguments: [outcome.eventID, outcome.recommendationID, outcome.itemID, outcome.rank, outcome.outcome, outcome.value, outcome.timestamp.secondsSinceEpoch])
            return db.changesCount > 0
        }
    }

    public func outcomes(_ page: PageRequest, recommendation: String?) async throws(StoreError) -> Page<OutcomeRecord> {
        try await run("outcomes") { db in
            var sql = "SELECT * FROM outcomes WHERE pk > ?"
            var arguments: StatementArguments = [page.after ?? 0]
            if let recommendation {
                sql += " AND recommendation_id = ?"
                _ = arguments.append(contentsOf: [recommendation])
            }
            return try Self.page(db, sql: sql, arguments: arguments, limit: page.limit) { row in
                OutcomeRecord(
                    eventID: row["event_id"], recommendationID: row["recommendation_id"], itemID: row["item_id"], rank: row["rank"],
                    outcome: row["outcome"], value: row["value"], timestamp: Timestamp(secondsSinceEpoch: row["ts"]))
            }
        }
    }

    public func recordFeedback(_ feedback: FeedbackRecord, event: Interaction) async throws(StoreError) -> Bool {
        try await writeTracked("the feedback", event: event) { db in
            try db.execute(
                sql: """
                    INSERT INTO feedback (event_id, recommendation_id, person_id, opportunity_id, reason, comment, ts) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(event_id) DO NOTHING
                    """,
                arguments: [
                    feedback.eventID, feedback.recommendationID, feedback.person.rawValue, feedback.opportunity.rawValue, feedback.reason.rawValue,
                    feedback.comment, feedback.timestamp.secondsSinceEpoch,
                ])
            return db.changesCount > 0
        }
    }

    public func feedback(_ page: PageRequest, recommendation: String?) async throws(StoreError) -> Page<FeedbackRecord> {
        try await run("feedback") { db in
            var sql = "SELECT * FROM feedback WHERE pk > ?"
            var arguments: StatementArguments = [page.after ?? 0]
            if let recommendation {
                sql += " AND recommendation_id = ?"
                _ = arguments.append(contentsOf: [recommendation])
            }
            return try Self.page(db, sql: sql, arguments: arguments, limit: page.limit) { row in
                FeedbackRecord(
                    eventID: row["event_id"], recommendationID: row["recommendation_id"], person: PersonID(row["person_id"]),
                    opportunity: OpportunityID(row["opportunity_id"]), reason: FeedbackReason(rawValue: row["reason"]) ?? .other,
                    comment: row["comment"], timestamp: Timestamp(secondsSinceEpoch: row["ts"]))
            }
        }
    }

    public func responses(toLists lists: [String], limit: Int) async throws(StoreError) -> (outcomes: [String: [OutcomeRecord]], feedback: [String: [FeedbackRecord]]) {
        let ids = Array(Set(lists))
        guard !ids.isEmpty, limit > 0 else { return ([:], [:]) }
        return try await run("outcomes and feedback") { db in
            // Each list's first `limit` rows, by the index on recommendation_id.
            func firstRows(_ table: String) -> String {
                """
                SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY recommendation_id ORDER BY pk) AS nth FROM \(table)
                    WHERE recommendation_id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", "))))
                WHERE nth <= ? ORDER BY pk
                """
            }
            var arguments = StatementArguments(ids)
            _ = arguments.append(contentsOf: [limit])
            var outcomes: [String: [OutcomeRecord]] = [:], feedback: [String: [FeedbackRecord]] = [:]
            for row in try Row.fetchAll(db, sql: firstRows("outcomes"), arguments: arguments) {
                let record = OutcomeRecord(
                    eventID: row["event_id"], recommendationID: row["recommendation_id"], itemID: row["item_id"], rank: row["rank"],
                    outcome: row["outcome"], value: row["value"], timestamp: Timestamp(secondsSinceEpoch: row["ts"]))
                outcomes[row["recommendation_id"] as String, default: []].append(record)
            }
            for row in try Row.fetchAll(db, sql: firstRows("feedback"), arguments: arguments) {
                let record = FeedbackRecord(
                    eventID: row["event_id"], recommendationID: row["recommendation_id"], person: PersonID(row["person_id"]),
                    opportunity: OpportunityID(row["opportunity_id"]), reason: FeedbackReason(rawValue: row["reason"]) ?? .other,
                    comment: row["comment"], timestamp: Timestamp(secondsSinceEpoch: row["ts"]))
                feedback[row["recommendation_id"] as String, default: []].append(record)
            }
            return (outcomes, feedback)
        }
    }

    public func recordBidSuggestion(_ r: BidSuggestionRecord) async throws(StoreError) {
        let curve: String
        do {
            curve = String(decoding: try JSONEncoder().encode(r.curve), as: UTF8.self)
        } catch {
            throw StoreError(.invalidInput, "bid suggestion '\(r.id)' has a curve that cannot be written as JSON (\(error)); nothing was written.", field: "curve")
        }
        try await runWrite("the bid suggestion") { db in
            try db.execute(
                sql: """
                    INSERT INTO bid_suggestions (id, opportunity_id, person_id, minimum, optimal, maximum, best_amount, best_hire_probability,
                        client_budget, market_average, person_average, win_rate, bid_count, lowest_bid, current_bid, curve, answered_by, model_version,
                        request_id, key_id, suggested_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    r.id, r.opportunity.rawValue, r.person.rawValue, r.minimum, r.optimal, r.maximum, r.bestAmount, r.bestHireProbability,
                    r.inputs.clientBudget, r.inputs.marketAverage, r.inputs.personAverage, r.inputs.winRate, r.inputs.bidCount, r.inputs.lowestBid,
                    r.inputs.currentBid, curve, r.answeredBy.joined(separator: ","), r.modelVersion, r.requestID, r.keyID, r.suggestedAt.secondsSinceEpoch,
                ])
        }
    }

    public func bidSuggestions(_ page: PageRequest, opportunity: OpportunityID?, person: PersonID?) async throws(StoreError) -> Page<BidSuggestionRecord> {
        try await run("bid suggestions") { db in
            var sql = "SELECT * FROM bid_suggestions WHERE pk > ?"
            var arguments: StatementArguments = [page.after ?? 0]
            if let opportunity {
                sql += " AND opportunity_id = ?"
                _ = arguments.append(contentsOf: [opportunity.rawValue])
            }
            if let person {
                sql += " AND person_id = ?"
                _ = arguments.append(contentsOf: [person.rawValue])
            }
            return try Self.page(db, sql: sql, arguments: arguments, limit: page.limit) { row in
                let text: String = row["curve"]
                let curve = try JSONDecoder().decode([BidCurvePoint].self, from: Data(text.utf8))
                let answered: String = row["answered_by"]
                let inputs = BidInputs(
                    clientBudget: row["client_budget"], marketAverage: row["market_average"], personAverage: row["person_average"], winRate: row["win_rate"],
                    bidCount: row["bid_count"], lowestBid: row["lowest_bid"], currentBid: row["current_bid"])
                let minimum: Double? = row["minimum"], optimal: Double? = row["optimal"], maximum: Double? = row["maximum"]
                var suggestion: BidSuggestion?
                if let minimum, let optimal, let maximum { suggestion = BidSuggestion(minimum: minimum, optimal: optimal, maximum: maximum) }
                return BidSuggestionRecord(
                    id: row["id"], opportunity: OpportunityID(row["opportunity_id"]), person: PersonID(row["person_id"]), suggestion: suggestion,
                    bestAmount: row["best_amount"], bestHireProbability: row["best_hire_probability"], inputs: inputs, curve: curve,
                    answeredBy: answered.isEmpty ? [] : answered.split(separator: ",").map(String.init), modelVersion: row["model_version"],
                    requestID: row["request_id"], keyID: row["key_id"], suggestedAt: Timestamp(secondsSinceEpoch: row["suggested_at"]))
            }
        }
    }

    // MARK: Experiments

    static func definition(_ experiment: Experiment) throws(StoreError) -> String {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(experiment), as: UTF8.self)
        } catch {
            throw StoreError(.invalidInput, "experiment '\(experiment.name)' cannot be written as JSON (\(error)); nothing was written.", field: "experiment")
        }
    }

    static func experiment(_ row: Row) throws -> Experiment {
        let text: String = row["definition"]
        do { return try JSONDecoder().decode(Experiment.self, from: Data(text.utf8)) } catch {
            let name: String = row["name"]
            throw StoreError(.database, "experiment '\(name)' is stored in a form this release cannot read (\(error)); it was written by another release.", cause: error)
        }
    }

    public func createExperiment(_ experiment: Experiment) async throws(StoreError) {
        let json = try Self.definition(experiment)
        try await runWrite("the experiment") { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE name = ?", arguments: [experiment.name]) == true {
                throw StoreError(.conflict, "an experiment named '\(experiment.name)' exists already; choose another name, or update that one.", field: "name")
            }
            for other in try Row.fetchAll(db, sql: "SELECT * FROM experiments WHERE target = ? AND status = 'running'", arguments: [experiment.target.rawValue]).map(Self.experiment) {
                let overlaps = (other.end.map { experiment.start < $0 } ?? true) && (experiment.end.map { other.start < $0 } ?? true)
                if overlaps {
                    throw StoreError(
                        .conflict,
                        "experiment '\(other.name)' already runs on \(other.target.rawValue) lists over the same time; stop it first (`matchwork experiments stop \(other.name)`), or start this one after its end.",
                        field: "target")
                }
            }
            try db.execute(
                sql: "INSERT INTO experiments (name, target, status, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [experiment.name, experiment.target.rawValue, experiment.status.rawValue, json, experiment.createdAt.secondsSinceEpoch, experiment.createdAt.secondsSinceEpoch])
        }
    }

    public func experiments() async throws(StoreError) -> [Experiment] {
        try await run("experiments") { db in try Row.fetchAll(db, sql: "SELECT * FROM experiments ORDER BY pk").map(Self.experiment) }
    }

    public func experiment(named name: String) async throws(StoreError) -> Experiment? {
        try await run("experiment '\(name)'") { db in try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE name = ?", arguments: [name]).map(Self.experiment) }
    }

    public func updateExperiment(_ experiment: Experiment) async throws(StoreError) {
        let json = try Self.definition(experiment)
        let now = Timestamp.now.secondsSinceEpoch
        try await runWrite("the experiment") { db in
            try db.execute(
                sql: "UPDATE experiments SET status = ?, definition = ?, updated_at = ? WHERE name = ?",
                arguments: [experiment.status.rawValue, json, now, experiment.name])
            guard db.changesCount > 0 else {
                throw StoreError(.notFound, "no experiment is named '\(experiment.name)'; `matchwork experiments list` shows them.", field: "name")
            }
        }
    }

    public func experimentObservations(_ name: String) async throws(StoreError) -> ExperimentObservations {
        try await run("experiment '\(name)''s lists") { db in
            let lists = try Row.fetchAll(
                db,
                sql: """
                    SELECT l.id, l.subject_kind, l.subject_id, l.arm, l.served_at, json_array_length(c.items) AS items
                    FROM served_lists l JOIN served_contents c ON c.digest = l.content WHERE l.experiment = ? ORDER BY l.pk
                    """, arguments: [name]
            ).map { row in
                let kind: String = row["subject_kind"], id: String = row["subject_id"]
                return ExperimentObservations.List(
                    id: row["id"], subject: kind == "person" ? .person(PersonID(id)) : .opportunity(OpportunityID(id)), arm: row["arm"] ?? "",
                    servedAt: Timestamp(secondsSinceEpoch: row["served_at"]), items: row["items"] ?? 0)
            }
            let outcomes = try Row.fetchAll(
                db,
                sql: "SELECT o.recommendation_id, o.item_id, o.outcome, o.value, o.ts, o.rank FROM outcomes o JOIN served_lists l ON l.id = o.recommendation_id WHERE l.experiment = ? ORDER BY o.pk",
                arguments: [name]
            ).map { row in
                ExperimentObservations.Outcome(
                    list: row["recommendation_id"], item: row["item_id"], outcome: row["outcome"], value: row["value"], at: Timestamp(secondsSinceEpoch: row["ts"]), rank: row["rank"])
            }
            let feedback = try Row.fetchAll(
                db,
                sql: "SELECT f.recommendation_id, f.reason, f.ts FROM feedback f JOIN served_lists l ON l.id = f.recommendation_id WHERE l.experiment = ? ORDER BY f.pk",
                arguments: [name]
            ).map { row in
                ExperimentObservations.Feedback(list: row["recommendation_id"], reason: FeedbackReason(rawValue: row["reason"]) ?? .other, at: Timestamp(secondsSinceEpoch: row["ts"]))
            }
            return ExperimentObservations(lists: lists, outcomes: outcomes, feedback: feedback)
        }
    }

    // MARK: Activity

    public func dailyTracking(since: Timestamp) async throws(StoreError) -> [DailyTracking] {
        try await run("daily tracking") { db in
            let from = since.secondsSinceEpoch
            var days: [Int64: DailyTracking] = [:]
            func day(_ d: Int64) -> DailyTracking { days[d] ?? DailyTracking(day: Timestamp(secondsSinceEpoch: d * 86_400), lists: 0, outcomes: [:], feedback: [:]) }
            for row in try Row.fetchAll(db, sql: "SELECT served_at / 86400 AS d, COUNT(*) AS n FROM served_lists WHERE served_at >= ? GROUP BY d", arguments: [from]) {
                let d: Int64 = row["d"]
                var t = day(d)
                t.lists = row["n"]
                days[d] = t
            }
            for row in try Row.fetchAll(db, sql: "SELECT ts / 86400 AS d, outcome, COUNT(*) AS n FROM outcomes WHERE ts >= ? GROUP BY d, outcome", arguments: [from]) {
                let d: Int64 = row["d"]
                var t = day(d)
                t.outcomes[row["outcome"]] = row["n"]
                days[d] = t
            }
            for row in try Row.fetchAll(db, sql: "SELECT ts / 86400 AS d, reason, COUNT(*) AS n FROM feedback WHERE ts >= ? GROUP BY d, reason", arguments: [from]) {
                let d: Int64 = row["d"]
                var t = day(d)
                t.feedback[row["reason"]] = row["n"]
                days[d] = t
            }
            return days.keys.sorted().map { days[$0]! }
        }
    }

    // MARK: Worker scores

    public func replaceWorkerScores(_ scores: [WorkerScore]) async throws(StoreError) -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var rows: [(String, Double, String, Int64)] = []
        for (k, score) in scores.enumerated() {
            guard score.overall.isFinite, (0...100).contains(score.overall), let json = try? encoder.encode(score) else {
                throw StoreError(.invalidInput, "worker score of '\(score.person.rawValue)' has overall \(score.overall), outside 0-100; nothing was written.", field: "overall", record: k)
            }
            rows.append((score.person.rawValue, score.overall, String(decoding: json, as: UTF8.self), score.computedAt.secondsSinceEpoch))
        }
        let written = rows
        return try await runWrite("worker scores") { db in
            try db.execute(sql: "DELETE FROM worker_scores")
            let statement = try db.makeStatement(sql: "INSERT INTO worker_scores (person_id, overall, score, computed_at) VALUES (?, ?, ?, ?)")
            for row in written { try statement.execute(arguments: [row.0, row.1, row.2, row.3]) }
            return written.count
        }
    }

    static func workerScore(_ row: Row) throws -> WorkerScore {
        let text: String = row["score"]
        return try JSONDecoder().decode(WorkerScore.self, from: Data(text.utf8))
    }

    public func workerScore(_ person: PersonID) async throws(StoreError) -> WorkerScore? {
        try await run("the worker score") { db in
            try Row.fetchOne(db, sql: "SELECT score FROM worker_scores WHERE person_id = ?", arguments: [person.rawValue]).map(Self.workerScore)
        }
    }

    public func workerScores(_ page: PageRequest) async throws(StoreError) -> Page<WorkerScore> {
        try await run("worker scores") { db in
            // Paged by rank in the overall order: the cursor is the number of rows already read.
            let offset = page.after ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT score FROM worker_scores ORDER BY overall DESC, person_id LIMIT ? OFFSET ?", arguments: [page.limit + 1, offset])
            let items = try rows.prefix(page.limit).map(Self.workerScore)
            return Page(items: items, next: rows.count > page.limit ? offset + Int64(page.limit) : nil)
        }
    }

    /// Writes `event` through the batch writer and then `body`, in one transaction.
    private func writeTracked(_ what: String, event: Interaction, _ body: @escaping @Sendable (Database) throws -> Bool) async throws(StoreError) -> Bool {
        try await runWrite(what) { db in
            _ = try BatchWriter(db: db, progress: nil).write(RecordBatch(interactions: [event]), events: nil)
            return try body(db)
        }
    }
}
