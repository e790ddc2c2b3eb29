/// What a person is on the marketplace.
public enum PersonRole: String, Sendable, Codable, CaseIterable {
    /// Takes work: a clinician or a cleaner.
    case worker
    /// Takes courses.
    case learner
    /// Offers work: a hospital or a household.
    case client

    public static func parse(_ text: String, field: String = "role") throws(MatchworkError) -> PersonRole {
        guard let role = PersonRole(rawValue: text) else {
            throw MatchworkError(.unknownVocabulary, "\(field) '\(text)' is not a role; use one of worker, learner, client.", field: field)
        }
        return role
    }
}

/// A worker, learner or client with a stable external id and a profile.
///
/// `facets` hold stated categorical preferences and properties (services, specialties, rhythms,
/// property types, languages); `skills` and `certifications` qualifications; `attributes`
/// numeric properties such as `hourly_rate` or `years_experience`.
public struct Person: Hashable, Sendable, Codable, Identifiable {
    public let id: PersonID
    public var role: PersonRole
    public var name: String?
    public var facets: Facets
    public var skills: [SkillLevel]
    public var certifications: [Certification]
    public var attributes: Attributes
    public var location: GeoPoint?
    public var availability: Availability
    /// How many missions or jobs the person can hold at once (at least 1).
    public var capacity: Int

    public init(
        id: PersonID,
        role: PersonRole,
        name: String? = nil,
        facets: Facets = Facets(),
        skills: [SkillLevel] = [],
        certifications: [Certification] = [],
        attributes: Attributes = Attributes(),
        location: GeoPoint? = nil,
        availability: Availability = Availability(),
        capacity: Int = 1
    ) throws(MatchworkError) {
        _ = try ExternalIdentifier.validate(id.rawValue, field: "id")
        guard capacity >= 1, capacity <= 1000 else {
            throw .invalid("capacity", "capacity \(capacity) of person '\(id)' must be between 1 and 1000 concurrent missions.")
        }
        if let name, name.utf8.count > 256 {
            throw .invalid("name", "name of person '\(id)' is longer than 256 bytes; shorten it.")
        }
        self.id = id
        self.role = role
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
        self.facets = facets
        self.skills = try SkillLevel.canonical(skills, field: "skills")
        self.certifications = certifications.sorted { $0.name < $1.name }
        self.attributes = attributes
        self.location = location
        self.availability = availability
        self.capacity = capacity
    }

    /// The certifications valid at `time`.
    public func validCertifications(at time: Timestamp) -> Set<String> {
        Set(certifications.lazy.filter { $0.isValid(at: time) }.map(\.name))
    }
}
