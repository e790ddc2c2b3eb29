/// An error raised by Matchwork's core: what happened, where, and what to do about it.
///
/// The `message` is written for the person who supplied the input: it names the offending value
/// and says how to fix it. `field` names the input field when one is to blame, so that callers
/// (an importer, the HTTP layer) can point at a column or a JSON key.
public struct MatchworkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable category.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Wrapped: String, Sendable, Hashable {
            case invalidValue = "invalid_value"
            case missingValue = "missing_value"
            case unknownVocabulary = "unknown_vocabulary"
            case unknownIdentifier = "unknown_identifier"
            case invalidConfiguration = "invalid_configuration"
            case unknownField = "unknown_field"
            case invalidType = "invalid_type"
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A value is present but malformed or out of range.
        public static let invalidValue = Code(.invalidValue)
        /// A required value is absent.
        public static let missingValue = Code(.missingValue)
        /// A categorical value is not in the scenario's vocabulary.
        public static let unknownVocabulary = Code(.unknownVocabulary)
        /// An identifier does not name a known entity.
        public static let unknownIdentifier = Code(.unknownIdentifier)
        /// A configuration (weights, presets) is inconsistent.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A structured input (a JSON object) has a member that is not one of its fields.
        public static let unknownField = Code(.unknownField)
        /// A structured input's member has the wrong type (a string where a number belongs).
        public static let invalidType = Code(.invalidType)

        public var description: String { wrapped.rawValue }
    }

    public var code: Code
    /// What happened and what to do.
    public var message: String
    /// The input field at fault, when there is one (for example `latitude`).
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { message }

    static func invalid(_ field: String, _ message: String) -> MatchworkError {
        MatchworkError(.invalidValue, message, field: field)
    }
}
