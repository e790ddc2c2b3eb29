public import MatchworkCore

/// People, opportunities and events as JSON objects: the same members as a JSON Lines export
/// (`matchwork export --format jsonl`), read with the same checks as an import.
///
/// Reading takes an object parsed by ``JSONReader`` (its members by name); `path` (for example
/// `people[3]`) prefixes the field an error names.
public enum RecordJSON {
    static let personKinds: [String: [JSONKind]] = [
        "id": [.string], "role": [.string], "name": [.string], "latitude": [.number], "longitude": [.number], "capacity": [.integer],
        "facets": [.object, .string], "skills": [.object, .string], "certifications": [.object, .array, .string],
        "attributes": [.object, .string], "availability": [.array, .string],
    ]

    static let opportunityKinds: [String: [JSONKind]] = [
        "id": [.string], "kind": [.string], "client_id": [.string], "title": [.string], "latitude": [.number], "longitude": [.number],
        "starts_at": [.string, .integer], "ends_at": [.string, .integer], "slots": [.integer], "status": [.string],
        "required": [.object, .string], "preferred": [.object, .string], "certifications": [.array, .string],
        "attributes": [.object, .string], "teaches": [.object, .string], "prerequisites": [.object, .string], "skills": [.object, .string],
    ]

    static let interactionKinds: [String: [JSONKind]] = [
        "event_id": [.string], "person_id": [.string], "opportunity_id": [.string], "type": [.string], "timestamp": [.string, .integer],
        "value": [.number], "sub_scores": [.object, .string], "reason": [.string], "comment": [.string], "retracts": [.string],
    ]

    /// The members a person object may have.
    public static var personFields: [String] { PersonFormat.columns }
    /// The members an opportunity object may have.
    public static var opportunityFields: [String] { OpportunityFormat.columns }
    /// The members an event object may have.
    public static var interactionFields: [String] { InteractionFormat.columns }

    public static func person(_ object: [String: JSONValue], path: String? = nil) throws(MatchworkError) -> Person {
        try decode(PersonFormat.self, object, kinds: personKinds, path: path)
    }

    public static func opportunity(_ object: [String: JSONValue], path: String? = nil) throws(MatchworkError) -> Opportunity {
        try decode(OpportunityFormat.self, object, kinds: opportunityKinds, path: path)
    }

    public static func interaction(_ object: [String: JSONValue], path: String? = nil) throws(MatchworkError) -> Interaction {
        try decode(InteractionFormat.self, object, kinds: interactionKinds, path: path)
    }

    /// Appends `person` as one JSON object.
    public static func write(_ person: Person, into out: inout [UInt8]) { JSONValue.object(PersonFormat.json(person)).write(into: &out) }
    /// Appends `opportunity` as one JSON object.
    public static func write(_ opportunity: Opportunity, into out: inout [UInt8]) { JSONValue.object(OpportunityFormat.json(opportunity)).write(into: &out) }
    /// Appends `interaction` as one JSON object.
    public static func write(_ interaction: Interaction, into out: inout [UInt8]) { JSONValue.object(InteractionFormat.json(interaction)).write(into: &out) }

    /// A person as a parsed JSON object (for merging a patch into it).
    public static func object(_ person: Person) -> [String: JSONValue] { Dictionary(PersonFormat.json(person), uniquingKeysWith: { $1 }) }
    /// An opportunity as a parsed JSON object (for merging a patch into it).
    public static func object(_ opportunity: Opportunity) -> [String: JSONValue] { Dictionary(OpportunityFormat.json(opportunity), uniquingKeysWith: { $1 }) }

    /// Appends `text` as a JSON string literal.
    public static func writeString(_ text: String, into out: inout [UInt8]) { JSONValue.writeString(text, into: &out) }

    static func name(_ path: String?, _ field: String) -> String { path.map { "\($0).\(field)" } ?? field }

    private static func decode<F: RecordFormat>(_ format: F.Type, _ object: [String: JSONValue], kinds: [String: [JSONKind]], path: String?) throws(MatchworkError) -> F.Record {
        var values = [String?](repeating: nil, count: F.columns.count)
        for key in object.keys.sorted() {
            guard let allowed = kinds[key] else {
                throw MatchworkError(
                    .unknownField, "\(name(path, key)) is not a known field; the fields are \(F.columns.joined(separator: ", ")).", field: name(path, key))
            }
            let value = object[key]!
            let kind = value.kind
            if kind == .null { continue }
            guard allowed.contains(where: { $0 == kind || ($0 == .number && kind == .integer) }) else {
                throw MatchworkError(
                    .invalidType, "\(name(path, key)) is \(JSONKind.describe(kind)), but it must be \(allowed.map { JSONKind.describe($0) }.joined(separator: " or ")).",
                    field: name(path, key))
            }
            if let text = JSONValue.text(of: value), !text.isEmpty { values[F.column(key)] = text }
        }
        for required in F.requiredColumns where values[F.column(required)] == nil {
            throw MatchworkError(.missingValue, "\(name(path, required)) is missing; every record needs \(F.requiredColumns.joined(separator: " and ")).", field: name(path, required))
        }
        do {
            return try F.decode(RecordRow(values: values))
        } catch {
            var error = error
            if let field = error.field { error.field = name(path, field) } else if let path { error.field = path }
            if let path { error.message = "\(path): " + error.message }
            throw error
        }
    }
}

/// The JSON type of a value (``JSONValue/kind``), as messages name it.
public enum JSONKind: String, Sendable {
    case null, boolean, string, number, integer, object, array

    public static func describe(_ kind: JSONKind) -> String {
        switch kind {
        case .null: "null"
        case .boolean: "a boolean"
        case .string: "a string"
        case .number: "a number"
        case .integer: "an integer"
        case .object: "an object"
        case .array: "an array"
        }
    }
}
