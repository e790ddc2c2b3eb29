internal import Foundation
internal import GRDB
import MatchworkCore

/// The profile of a person, stored as one JSON column.
struct PersonProfile: Codable {
    var facets: Facets
    var skills: [SkillLevel]
    var certifications: [Certification]
    var attributes: Attributes
    var availability: Availability
}

/// The profile of an opportunity, stored as one JSON column.
struct OpportunityProfile: Codable {
    var required: Facets
    var preferred: Facets
    var certifications: [String]
    var attributes: Attributes
    var teaches: [SkillLevel]
    var prerequisites: [SkillLevel]
    /// The skills asked for; absent (not written) when empty, as in rows written before it existed.
    var skills: [SkillLevel]?
}

/// Type-specific details of an event, stored as one JSON column when present.
struct InteractionDetails: Codable {
    var subScores: [Interaction.SubScore]?
    var reason: FeedbackReason?
    var comment: String?
    /// The event id a `retract` event withdraws.
    var retracts: String?
}

/// Converts between domain values and rows.
enum RowCoding {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
            throw StoreError(.database, "A stored \(what) cannot be decoded (\(error)); the store may have been edited by hand. Export what can be read and re-import it into a new store.")
        }
    }

    static func location(_ row: Row) throws -> GeoPoint? {
        guard let lat = row["latitude"] as Double?, let lon = row["longitude"] as Double? else { return nil }
        return try GeoPoint(latitude: lat, longitude: lon)
    }

    static func person(_ row: Row) throws -> Person {
        let profile = try personProfile(row["profile"])
        return try Person(
            id: PersonID(row["id"] as String), role: try PersonRole.parse(row["role"]), name: row["name"],
            facets: profile.facets, skills: profile.skills, certifications: profile.certifications,
            attributes: profile.attributes, location: try location(row), availability: profile.availability,
            capacity: row["capacity"])
    }

    static func opportunity(_ row: Row) throws -> Opportunity {
        let profile = try opportunityProfile(row["profile"])
        var window: TimeWindow?
        if let start = row["starts_at"] as Int64?, let end = row["ends_at"] as Int64? {
            window = try TimeWindow(start: Timestamp(secondsSinceEpoch: start), end: Timestamp(secondsSinceEpoch: end))
        }
        return try Opportunity(
            id: OpportunityID(row["id"] as String), kind: try OpportunityKind.parse(row["kind"]),
            client: (row["client_id"] as String?).map { PersonID($0) }, title: row["title"],
            required: profile.required, preferred: profile.preferred, requiredCertifications: profile.certifications,
            attributes: profile.attributes, location: try location(row), window: window, slots: row["slots"],
            status: try OpportunityStatus.parse(row["status"]), teaches: profile.teaches, prerequisites: profile.prerequisites,
            skills: profile.skills ?? [])
    }

    /// Maps primary keys to external ids for one table.
    static func idTable(_ db: Database, table: String) throws -> [Int64: String] {
        var map: [Int64: String] = [:]
        let cursor = try Row.fetchCursor(db, sql: "SELECT pk, id FROM \(table)")
        while let row = try cursor.next() { map[row[0]] = row[1] }
        return map
    }

    /// Decodes `event_id, derived_id, person, opportunity, type, ts, value, details`.
    static func interaction(_ row: Row, people: [Int64: String], opportunities: [Int64: String]) throws -> Interaction {
        let derived: Bool = row[1]
        let details = try (row[7] as String?).map(interactionDetails)
        return try Interaction(
            eventID: derived ? nil : row[0] as String,
            person: PersonID(people[row[2]] ?? "?"), opportunity: OpportunityID(opportunities[row[3]] ?? "?"),
            type: try InteractionType.parse(row[4]), timestamp: Timestamp(secondsSinceEpoch: row[5]),
            value: row[6], subScores: details?.subScores ?? [], reason: details?.reason, comment: details?.comment,
            retracts: details?.retracts)
    }

    /// The `details` column: `{"comment":…,"reason":…,"retracts":…,"subScores":[{"name":…,"value":…}]}`,
    /// or `nil` when the event has none. Written by hand: it runs once per stored event.
    static func details(of interaction: Interaction) -> String? {
        if interaction.subScores.isEmpty, interaction.reason == nil, interaction.comment == nil, interaction.retracts == nil { return nil }
        var members: [(String, JSONValue)] = []
        if let comment = interaction.comment { members.append(("comment", .string(comment))) }
        if let reason = interaction.reason { members.append(("reason", .string(reason.rawValue))) }
        if let retracts = interaction.retracts { members.append(("retracts", .string(retracts))) }
        if !interaction.subScores.isEmpty {
            members.append(("subScores", .array(interaction.subScores.map { .object([("name", .string($0.name)), ("value", .number($0.value))]) })))
        }
        var out: [UInt8] = []
        JSONValue.object(members).write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Deterministic idempotency keys for events that arrive without an id.
enum EventKey {
    /// `~` followed by the 64-bit FNV-1a hash, in hex, of the event's content: person,
    /// opportunity, type, timestamp, value, sub-scores, reason, comment and the retracted id. The same event
    /// imported twice gets the same key and is stored once.
    static func derive(_ i: Interaction) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0x1F) &* 0x100_0000_01b3
        }
        mix(i.person.rawValue)
        mix(i.opportunity.rawValue)
        mix(i.type.rawValue)
        mix(String(i.timestamp.secondsSinceEpoch))
        mix(i.value.map { "\($0)" } ?? "")
        for score in i.subScores { mix("\(score.name)=\(score.value)") }
        mix(i.reason?.rawValue ?? "")
        mix(i.comment ?? "")
        if let retracts = i.retracts { mix(retracts) }
        let hex = String(hash, radix: 16)
        return "~" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
