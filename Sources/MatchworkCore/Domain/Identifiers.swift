/// The stable external identifier of a person (worker, learner or client).
public struct PersonID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    /// Creates an identifier without validation; use ``validated(_:field:)`` for input.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Validates untrusted input as an identifier.
    public static func validated(_ text: String, field: String = "id") throws(MatchworkError) -> PersonID {
        PersonID(try ExternalIdentifier.validate(text, field: field))
    }
}

/// The stable external identifier of an opportunity (mission, job, course or posting).
public struct OpportunityID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    /// Creates an identifier without validation; use ``validated(_:field:)`` for input.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Validates untrusted input as an identifier.
    public static func validated(_ text: String, field: String = "id") throws(MatchworkError) -> OpportunityID {
        OpportunityID(try ExternalIdentifier.validate(text, field: field))
    }
}

/// Rules shared by every external identifier.
public enum ExternalIdentifier {
    /// The longest identifier accepted, in characters (Unicode scalars, as JSON Schema's
    /// `maxLength` counts them).
    public static let maximumLength = 128

    /// Checks that `text` is a usable identifier: 1 to 128 characters, no control characters,
    /// no leading or trailing spaces, not `.` or `..`. Any other character is allowed; the API
    /// takes ids in paths percent-encoded.
    public static func validate(_ text: String, field: String) throws(MatchworkError) -> String {
        if text.isEmpty {
            throw MatchworkError(.missingValue, "\(field) is empty; every record needs a non-empty identifier.", field: field)
        }
        // The cheap byte checks run first: this runs for every id of every stored event read.
        if text.utf8.count > maximumLength, text.unicodeScalars.count > maximumLength {
            throw .invalid(field, "\(field) '\(text.prefix(32))…' is \(text.unicodeScalars.count) characters long; identifiers are at most \(maximumLength).")
        }
        if text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw .invalid(field, "\(field) '\(text)' contains a control character; use printable characters only.")
        }
        if (text.utf8.first == 0x20 && text.first == " ") || (text.utf8.last == 0x20 && text.last == " ") {
            throw .invalid(field, "\(field) '\(text)' has leading or trailing spaces; remove them.")
        }
        // Clients resolve `.` and `..` as path steps before sending, so such an id could never
        // be named in a URL (`/api/v1/people/..` is `/api/v1/`).
        if text.utf8.count <= 2, text.utf8.allSatisfy({ $0 == 0x2E }) {
            throw .invalid(field, "\(field) '\(text)' cannot be an identifier: URLs read it as a path step; use letters, digits or other characters.")
        }
        return text
    }
}
