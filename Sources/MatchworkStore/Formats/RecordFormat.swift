import MatchworkCore

/// One input row's values, aligned with a record format's columns (`nil` when absent or empty).
struct RecordRow {
    var values: [String?]
    subscript(_ column: Int) -> String? { values[column] }
}

/// How one kind of record is written to and read from CSV and JSON Lines.
protocol RecordFormat: SendableMetatype {
    associatedtype Record
    /// Every column, in output order.
    static var columns: [String] { get }
    /// Columns a file must have.
    static var requiredColumns: [String] { get }
    static func decode(_ row: RecordRow) throws(MatchworkError) -> Record
    /// Text values aligned with `columns` (empty when absent).
    static func encode(_ record: Record) -> [String]
    /// JSON members, absent values left out.
    static func json(_ record: Record) -> [(String, JSONValue)]
}

extension RecordFormat {
    static func column(_ name: String) -> Int { columns.firstIndex(of: name)! }

    static func required(_ row: RecordRow, _ name: String) throws(MatchworkError) -> String {
        guard let value = row[column(name)] else {
            throw MatchworkError(.missingValue, "\(name) is empty; every row needs one.", field: name)
        }
        return value
    }

    static func optional(_ row: RecordRow, _ name: String) -> String? { row[column(name)] }

    static func location(_ row: RecordRow) throws(MatchworkError) -> GeoPoint? {
        let lat = optional(row, "latitude"), lon = optional(row, "longitude")
        switch (lat, lon) {
        case (nil, nil): return nil
        case (let lat?, let lon?):
            return try GeoPoint(latitude: try FieldText.number(lat, field: "latitude"), longitude: try FieldText.number(lon, field: "longitude"))
        case (nil, _):
            throw MatchworkError(.invalidValue, "latitude is empty but longitude is set; give both or neither.", field: "latitude")
        case (_, nil):
            throw MatchworkError(.invalidValue, "longitude is empty but latitude is set; give both or neither.", field: "longitude")
        }
    }
}

private func facetsJSON(_ f: Facets) -> JSONValue {
    .object(f.names.map { ($0.rawValue, .array(f[$0].map(JSONValue.string))) })
}

/// A level alone is a number; a level with its importance is the text form `"4.5@4.2"`.
private func skillsJSON(_ s: [SkillLevel]) -> JSONValue {
    .object(s.map { skill in (skill.skill, skill.importance.map { .string("\(FieldText.format(skill.level))@\(FieldText.format($0))") } ?? .number(skill.level)) })
}

private func attributesJSON(_ a: Attributes) -> JSONValue { .object(a.keys.map { ($0, .number(a[$0]!)) }) }

/// People: `id,role,name,latitude,longitude,capacity,facets,skills,certifications,attributes,availability`.
enum PersonFormat: RecordFormat {
    static let columns = ["id", "role", "name", "latitude", "longitude", "capacity", "facets", "skills", "certifications", "attributes", "availability"]
    static let requiredColumns = ["id", "role"]

    static func decode(_ row: RecordRow) throws(MatchworkError) -> Person {
        try Person(
            id: try PersonID.validated(try required(row, "id")),
            role: try PersonRole.parse(try required(row, "role")),
            name: optional(row, "name"),
            facets: try optional(row, "facets").map { (t) throws(MatchworkError) in try FieldText.facets(t, field: "facets") } ?? Facets(),
            skills: try optional(row, "skills").map { (t) throws(MatchworkError) in try FieldText.skills(t, field: "skills") } ?? [],
            certifications: try optional(row, "certifications").map { (t) throws(MatchworkError) in try FieldText.certifications(t, field: "certifications") } ?? [],
            attributes: try optional(row, "attributes").map { (t) throws(MatchworkError) in try FieldText.attributes(t, field: "attributes") } ?? Attributes(),
            location: try location(row),
            availability: try optional(row, "availability").map { (t) throws(MatchworkError) in try FieldText.availability(t, field: "availability") } ?? Availability(),
            capacity: try optional(row, "capacity").map { (t) throws(MatchworkError) in try FieldText.integer(t, field: "capacity") } ?? 1)
    }

    static func encode(_ p: Person) -> [String] {
        [p.id.rawValue, p.role.rawValue, p.name ?? "",
         p.location.map { FieldText.format($0.latitude) } ?? "", p.location.map { FieldText.format($0.longitude) } ?? "",
         String(p.capacity), FieldText.format(p.facets), FieldText.format(p.skills), FieldText.format(p.certifications),
         FieldText.format(p.attributes), FieldText.format(p.availability)]
    }

    static func json(_ p: Person) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = [("id", .string(p.id.rawValue)), ("role", .string(p.role.rawValue))]
        if let name = p.name { out.append(("name", .string(name))) }
        if let loc = p.location { out += [("latitude", .number(loc.latitude)), ("longitude", .number(loc.longitude))] }
        out.append(("capacity", .integer(Int64(p.capacity))))
        if !p.facets.isEmpty { out.append(("facets", facetsJSON(p.facets))) }
        if !p.skills.isEmpty { out.append(("skills", skillsJSON(p.skills))) }
        if !p.certifications.isEmpty {
            out.append(("certifications", .object(p.certifications.map { ($0.name, $0.expires.map { .string(FieldText.format($0)) } ?? .null) })))
        }
        if !p.attributes.isEmpty { out.append(("attributes", attributesJSON(p.attributes))) }
        if p.availability.isStated { out.append(("availability", .array(p.availability.slots.map { .string($0.text) }))) }
        return out
    }
}

/// Opportunities: `id,kind,client_id,title,latitude,longitude,starts_at,ends_at,slots,status,required,preferred,certifications,attributes,teaches,prerequisites,skills`.
enum OpportunityFormat: RecordFormat {
    static let columns = ["id", "kind", "client_id", "title", "latitude", "longitude", "starts_at", "ends_at", "slots", "status", "required", "preferred", "certifications", "attributes", "teaches", "prerequisites", "skills"]
    static let requiredColumns = ["id", "kind"]

    static func decode(_ row: RecordRow) throws(MatchworkError) -> Opportunity {
        let start = try optional(row, "starts_at").map { (t) throws(MatchworkError) in try Timestamp.parse(t, field: "starts_at") }
        let end = try optional(row, "ends_at").map { (t) throws(MatchworkError) in try Timestamp.parse(t, field: "ends_at") }
        var window: TimeWindow?
        switch (start, end) {
        case (nil, nil): window = nil
        case (let s?, let e?): window = try TimeWindow(start: s, end: e)
        case (let s?, nil): window = try TimeWindow(start: s, end: s)
        case (nil, _):
            throw MatchworkError(.invalidValue, "starts_at is empty but ends_at is set; give the start of the time window.", field: "starts_at")
        }
        return try Opportunity(
            id: try OpportunityID.validated(try required(row, "id")),
            kind: try OpportunityKind.parse(try required(row, "kind")),
            client: try optional(row, "client_id").map { (t) throws(MatchworkError) in try PersonID.validated(t, field: "client_id") },
            title: optional(row, "title"),
            required: try optional(row, "required").map { (t) throws(MatchworkError) in try FieldText.facets(t, field: "required") } ?? Facets(),
            preferred: try optional(row, "preferred").map { (t) throws(MatchworkError) in try FieldText.facets(t, field: "preferred") } ?? Facets(),
            requiredCertifications: optional(row, "certifications").map { FieldText.entries($0).map(String.init) } ?? [],
            attributes: try optional(row, "attributes").map { (t) throws(MatchworkError) in try FieldText.attributes(t, field: "attributes") } ?? Attributes(),
            location: try location(row),
            window: window,
            slots: try optional(row, "slots").map { (t) throws(MatchworkError) in try FieldText.integer(t, field: "slots") } ?? 1,
            status: try optional(row, "status").map { (t) throws(MatchworkError) in try OpportunityStatus.parse(t) } ?? .open,
            teaches: try optional(row, "teaches").map { (t) throws(MatchworkError) in try FieldText.skills(t, field: "teaches") } ?? [],
            prerequisites: try optional(row, "prerequisites").map { (t) throws(MatchworkError) in try FieldText.skills(t, field: "prerequisites") } ?? [],
            skills: try optional(row, "skills").map { (t) throws(MatchworkError) in try FieldText.skills(t, field: "skills") } ?? [])
    }

    static func encode(_ o: Opportunity) -> [String] {
        [o.id.rawValue, o.kind.rawValue, o.client?.rawValue ?? "", o.title ?? "",
         o.location.map { FieldText.format($0.latitude) } ?? "", o.location.map { FieldText.format($0.longitude) } ?? "",
         o.window.map { FieldText.format($0.start) } ?? "", o.window.map { FieldText.format($0.end) } ?? "",
         String(o.slots), o.status.rawValue, FieldText.format(o.required), FieldText.format(o.preferred),
         o.requiredCertifications.joined(separator: ";"), FieldText.format(o.attributes),
         FieldText.format(o.teaches), FieldText.format(o.prerequisites), FieldText.format(o.skills)]
    }

    static func json(_ o: Opportunity) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = [("id", .string(o.id.rawValue)), ("kind", .string(o.kind.rawValue))]
        if let client = o.client { out.append(("client_id", .string(client.rawValue))) }
        if let title = o.title { out.append(("title", .string(title))) }
        if let loc = o.location { out += [("latitude", .number(loc.latitude)), ("longitude", .number(loc.longitude))] }
        if let w = o.window { out += [("starts_at", .string(FieldText.format(w.start))), ("ends_at", .string(FieldText.format(w.end)))] }
        out += [("slots", .integer(Int64(o.slots))), ("status", .string(o.status.rawValue))]
        if !o.required.isEmpty { out.append(("required", facetsJSON(o.required))) }
        if !o.preferred.isEmpty { out.append(("preferred", facetsJSON(o.preferred))) }
        if !o.requiredCertifications.isEmpty { out.append(("certifications", .array(o.requiredCertifications.map(JSONValue.string)))) }
        if !o.attributes.isEmpty { out.append(("attributes", attributesJSON(o.attributes))) }
        if !o.teaches.isEmpty { out.append(("teaches", skillsJSON(o.teaches))) }
        if !o.prerequisites.isEmpty { out.append(("prerequisites", skillsJSON(o.prerequisites))) }
        if !o.skills.isEmpty { out.append(("skills", skillsJSON(o.skills))) }
        return out
    }
}

/// Interactions: `event_id,person_id,opportunity_id,type,timestamp,value,sub_scores,reason,comment,retracts`.
enum InteractionFormat: RecordFormat {
    static let columns = ["event_id", "person_id", "opportunity_id", "type", "timestamp", "value", "sub_scores", "reason", "comment", "retracts"]
    static let requiredColumns = ["person_id", "opportunity_id", "type", "timestamp"]

    static func decode(_ row: RecordRow) throws(MatchworkError) -> Interaction {
        try Interaction(
            eventID: optional(row, "event_id"),
            person: PersonID(try required(row, "person_id")),
            opportunity: OpportunityID(try required(row, "opportunity_id")),
            type: try InteractionType.parse(try required(row, "type")),
            timestamp: try Timestamp.parse(try required(row, "timestamp"), field: "timestamp"),
            value: try optional(row, "value").map { (t) throws(MatchworkError) in try FieldText.number(t, field: "value") },
            subScores: try optional(row, "sub_scores").map { (t) throws(MatchworkError) in try FieldText.subScores(t, field: "sub_scores") } ?? [],
            reason: try optional(row, "reason").map { (t) throws(MatchworkError) in try FeedbackReason.parse(t) },
            comment: optional(row, "comment"),
            retracts: optional(row, "retracts"))
    }

    static func encode(_ i: Interaction) -> [String] {
        [i.eventID ?? "", i.person.rawValue, i.opportunity.rawValue, i.type.rawValue, String(i.timestamp.secondsSinceEpoch),
         i.value.map(FieldText.format) ?? "", FieldText.format(i.subScores), i.reason?.rawValue ?? "", i.comment ?? "", i.retracts ?? ""]
    }

    static func json(_ i: Interaction) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        if let id = i.eventID { out.append(("event_id", .string(id))) }
        out += [("person_id", .string(i.person.rawValue)), ("opportunity_id", .string(i.opportunity.rawValue)),
                ("type", .string(i.type.rawValue)), ("timestamp", .integer(i.timestamp.secondsSinceEpoch))]
        if let v = i.value { out.append(("value", .number(v))) }
        if !i.subScores.isEmpty { out.append(("sub_scores", .object(i.subScores.map { ($0.name, .number($0.value)) }))) }
        if let r = i.reason { out.append(("reason", .string(r.rawValue))) }
        if let c = i.comment { out.append(("comment", .string(c))) }
        if let r = i.retracts { out.append(("retracts", .string(r))) }
        return out
    }
}
