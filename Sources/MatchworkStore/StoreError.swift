/// An error raised by Matchwork's storage layer: what happened and what to do.
///
/// Database errors are kept as `cause`; their bound values are never shown, so that no stored
/// data leaks into messages.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Wrapped: String, Sendable, Hashable {
            case cannotOpen = "cannot_open"
            case database
            case invalidInput = "invalid_input"
            case unreadableFile = "unreadable_file"
            case notFound = "not_found"
            case scenarioMismatch = "scenario_mismatch"
            case conflict
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }
        /// The store file cannot be opened or migrated.
        public static let cannotOpen = Code(.cannotOpen)
        /// The database refused an operation.
        public static let database = Code(.database)
        /// Input rows were rejected; nothing was written.
        public static let invalidInput = Code(.invalidInput)
        /// A file cannot be read or parsed as a whole.
        public static let unreadableFile = Code(.unreadableFile)
        /// A requested record does not exist.
        public static let notFound = Code(.notFound)
        /// The store holds another scenario than the one requested.
        public static let scenarioMismatch = Code(.scenarioMismatch)
        /// The write would clash with what is stored (a name taken, a rule between records).
        public static let conflict = Code(.conflict)
        public var description: String { wrapped.rawValue }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?
    /// The input field at fault, when one is (`client_id`, `person_id`…).
    public var field: String?
    /// The position (from 0) in the written batch of the record at fault, when one is.
    public var record: Int?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil, field: String? = nil, record: Int? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
        self.field = field
        self.record = record
    }

    public var description: String { message }
}
