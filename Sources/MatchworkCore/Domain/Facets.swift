/// The name of a multi-valued categorical attribute: `service`, `specialty`, `rhythm`…
public struct FacetName: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Hospital services or cleaning services (emergency, intensive_care… / regular, deep…).
    public static let service: FacetName = "service"
    /// Clinical specialties (nurse, midwife, physician…).
    public static let specialty: FacetName = "specialty"
    /// Work rhythms (day, night, weekend, twelve_hour, part_time…).
    public static let rhythm: FacetName = "rhythm"
    /// Property types for cleaning (apartment, house, office…).
    public static let propertyType: FacetName = "property_type"
    /// Spoken languages (ISO 639-1 codes).
    public static let language: FacetName = "language"
    /// Target or required occupation (O*NET-SOC code).
    public static let occupation: FacetName = "occupation"
}

/// Multi-valued categorical attributes: for each facet name, a sorted set of values.
///
/// Values are vocabulary tokens (`intensive_care`, `night`); a scenario preset validates them.
/// The representation is canonical (sorted, without duplicates, no empty facet), so two equal
/// profiles compare equal and serialise identically.
public struct Facets: Hashable, Sendable, Codable {
    public private(set) var values: [FacetName: [String]]

    public init() { values = [:] }

    /// Builds canonical facets from raw values, validating every token.
    public init(_ raw: [FacetName: [String]], field: String = "facets") throws(MatchworkError) {
        values = [:]
        for (name, list) in raw {
            _ = try Token.validate(name.rawValue, field: field)
            for value in list { _ = try Token.validate(value, field: "\(field).\(name)") }
            let canonical = Array(Set(list)).sorted()
            if !canonical.isEmpty { values[name] = canonical }
        }
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([String: [String]].self)
        var mapped: [FacetName: [String]] = [:]
        for (k, v) in raw { mapped[FacetName(k)] = v }
        self = try Facets(mapped)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        var raw: [String: [String]] = [:]
        for (k, v) in values { raw[k.rawValue] = v }
        try container.encode(raw)
    }

    /// The values of one facet, sorted (empty when absent).
    public subscript(name: FacetName) -> [String] { values[name] ?? [] }

    /// Facet names in sorted order.
    public var names: [FacetName] { values.keys.sorted() }

    public var isEmpty: Bool { values.isEmpty }

    /// Whether `value` is listed under `name`.
    public func contains(_ value: String, in name: FacetName) -> Bool {
        values[name]?.contains(value) ?? false
    }
}

/// Rules for vocabulary tokens: facet names and values, skill and certification names,
/// attribute keys.
public enum Token {
    /// The longest token accepted, in characters (Unicode scalars).
    public static let maximumLength = 96
    private static let reserved: Set<UInt8> = [UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "=")]

    /// Checks that `text` is non-empty, at most 96 characters, free of control characters, of the
    /// list separators `; | : , =` and of leading or trailing spaces.
    @discardableResult
    public static func validate(_ text: String, field: String) throws(MatchworkError) -> String {
        if text.isEmpty {
            throw MatchworkError(.invalidValue, "\(field) has an empty name or value; remove it or give a word such as 'night'.", field: field)
        }
        if text.utf8.count > maximumLength, text.unicodeScalars.count > maximumLength {
            throw .invalid(field, "\(field) '\(text.prefix(32))…' is longer than \(maximumLength) characters; use a short token.")
        }
        if let bad = text.utf8.first(where: { $0 < 0x20 || $0 == 0x7F || reserved.contains($0) }) {
            let shown = bad < 0x20 || bad == 0x7F ? "a control character" : "'\(Character(Unicode.Scalar(bad)))'"
            throw .invalid(field, "\(field) '\(text)' contains \(shown); tokens cannot contain ; | : , = or control characters.")
        }
        if (text.utf8.first == 0x20 && text.first == " ") || (text.utf8.last == 0x20 && text.last == " ") {
            throw .invalid(field, "\(field) '\(text)' has leading or trailing spaces; remove them.")
        }
        return text
    }
}
