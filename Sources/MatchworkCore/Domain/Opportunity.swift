/// What an opportunity is.
public enum OpportunityKind: String, Sendable, Codable, CaseIterable {
    /// A hospital mission.
    case mission
    /// A cleaning job.
    case job
    /// A course that teaches skills.
    case course
    /// A job posting, used for demand series.
    case posting

    public static func parse(_ text: String, field: String = "kind") throws(MatchworkError) -> OpportunityKind {
        guard let kind = OpportunityKind(rawValue: text) else {
            throw MatchworkError(.unknownVocabulary, "\(field) '\(text)' is not an opportunity kind; use one of mission, job, course, posting.", field: field)
        }
        return kind
    }
}

/// Whether an opportunity can still take people.
public enum OpportunityStatus: String, Sendable, Codable, CaseIterable {
    case open, filled, closed

    public static func parse(_ text: String, field: String = "status") throws(MatchworkError) -> OpportunityStatus {
        guard let status = OpportunityStatus(rawValue: text) else {
            throw MatchworkError(.unknownVocabulary, "\(field) '\(text)' is not a status; use one of open, filled, closed.", field: field)
        }
        return status
    }
}

/// A closed time interval `[start, end]`.
public struct TimeWindow: Hashable, Sendable, Codable {
    public let start: Timestamp
    public let end: Timestamp

    /// The times a window may hold: the years 0 to 9999 (anything else is a typo, and cannot be
    /// written back as an ISO 8601 date).
    public static let representable: ClosedRange<Int64> = -62_167_219_200...253_402_300_799

    public init(start: Timestamp, end: Timestamp) throws(MatchworkError) {
        for (time, field) in [(start, "starts_at"), (end, "ends_at")] where !Self.representable.contains(time.secondsSinceEpoch) {
            throw .invalid(field, "\(field) is \(time.secondsSinceEpoch) seconds since 1970, outside the years 0 to 9999.")
        }
        guard start <= end else {
            throw .invalid("ends_at", "time window ends at \(end) before it starts at \(start); swap or fix the dates.")
        }
        self.start = start
        self.end = end
    }

    public func overlaps(_ other: TimeWindow) -> Bool { start <= other.end && other.start <= end }
}

/// A mission, cleaning job, course or job posting.
///
/// `required` facets must be matched by a person; `preferred` ones count in scoring.
/// `requiredCertifications` must be valid at the window's start. Courses list the skills they
/// `teach` (with the level reached) and their `prerequisites`; their hours are the `hours`
/// attribute. Other kinds list the `skills` they ask for, with the level asked (a job posting's
/// requirements): demand series by skill count them.
public struct Opportunity: Hashable, Sendable, Codable, Identifiable {
    public let id: OpportunityID
    public var kind: OpportunityKind
    /// The client who offers it (a hospital, a household), when known.
    public var client: PersonID?
    public var title: String?
    public var required: Facets
    public var preferred: Facets
    public var requiredCertifications: [String]
    public var attributes: Attributes
    public var location: GeoPoint?
    public var window: TimeWindow?
    /// Places to fill (at least 1).
    public var slots: Int
    public var status: OpportunityStatus
    public var teaches: [SkillLevel]
    public var prerequisites: [SkillLevel]
    /// The skills asked for, with the level (O*NET's 0-7); never on a course.
    public var skills: [SkillLevel]

    public init(
        id: OpportunityID,
        kind: OpportunityKind,
        client: PersonID? = nil,
        title: String? = nil,
        required: Facets = Facets(),
        preferred: Facets = Facets(),
        requiredCertifications: [String] = [],
        attributes: Attributes = Attributes(),
        location: GeoPoint? = nil,
        window: TimeWindow? = nil,
        slots: Int = 1,
        status: OpportunityStatus = .open,
        teaches: [SkillLevel] = [],
        prerequisites: [SkillLevel] = [],
        skills: [SkillLevel] = []
    ) throws(MatchworkError) {
        _ = try ExternalIdentifier.validate(id.rawValue, field: "id")
        if let client { _ = try ExternalIdentifier.validate(client.rawValue, field: "client_id") }
        guard slots >= 1, slots <= 100_000 else {
            throw .invalid("slots", "slots \(slots) of opportunity '\(id)' must be between 1 and 100000.")
        }
        if let title, title.utf8.count > 512 {
            throw .invalid("title", "title of opportunity '\(id)' is longer than 512 bytes; shorten it.")
        }
        for name in requiredCertifications { try Token.validate(name, field: "certifications") }
        if kind != .course, !(teaches.isEmpty && prerequisites.isEmpty) {
            throw .invalid("teaches", "opportunity '\(id)' is a \(kind.rawValue) but lists taught skills or prerequisites; only courses teach skills.")
        }
        if kind == .course, !skills.isEmpty {
            throw .invalid("skills", "opportunity '\(id)' is a course but lists the skills it asks for; a course lists what it teaches and its prerequisites instead.")
        }
        self.id = id
        self.kind = kind
        self.client = client
        self.title = title.flatMap { $0.isEmpty ? nil : $0 }
        self.required = required
        self.preferred = preferred
        self.requiredCertifications = Array(Set(requiredCertifications)).sorted()
        self.attributes = attributes
        self.location = location
        self.window = window
        self.slots = slots
        self.status = status
        self.teaches = try SkillLevel.canonical(teaches, field: "teaches")
        self.prerequisites = try SkillLevel.canonical(prerequisites, field: "prerequisites")
        self.skills = try SkillLevel.canonical(skills, field: "skills")
    }
}
