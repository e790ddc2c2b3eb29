/// A skill held, required or taught, at a level on a 0 to 7 scale (O*NET's level scale:
/// 0 = none, 7 = expert), and for a requirement optionally how important it is to the job
/// (O*NET's importance scale, 1 = not important to 5 = extremely important).
public struct SkillLevel: Hashable, Sendable, Codable {
    /// The highest level on the scale.
    public static let maximumLevel = 7.0
    /// O*NET's importance scale.
    public static let importanceRange = 1.0...5.0

    public let skill: String
    public let level: Double
    /// How important the skill is to a job that asks for it (1-5); `nil` when not stated.
    public let importance: Double?

    public init(skill: String, level: Double, importance: Double? = nil, field: String = "skills") throws(MatchworkError) {
        try Token.validate(skill, field: field)
        guard level.isFinite, (0...SkillLevel.maximumLevel).contains(level) else {
            throw .invalid(field, "\(field): level \(level) of skill '\(skill)' is outside 0...7; use O*NET's level scale (0 none, 7 expert).")
        }
        if let importance, !(importance.isFinite && Self.importanceRange.contains(importance)) {
            throw .invalid(field, "\(field): importance \(importance) of skill '\(skill)' is outside 1...5; use O*NET's importance scale (1 not important, 5 extremely important) or leave it out.")
        }
        self.skill = skill
        self.level = level
        self.importance = importance
    }

    /// Sorts by skill name and rejects a skill listed twice.
    static func canonical(_ list: [SkillLevel], field: String) throws(MatchworkError) -> [SkillLevel] {
        let sorted = list.sorted { $0.skill < $1.skill }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.skill == b.skill {
            throw .invalid(field, "\(field): skill '\(a.skill)' is listed twice; keep one level per skill.")
        }
        return sorted
    }
}

/// A certification or qualification, valid up to an optional expiry time.
public struct Certification: Hashable, Sendable, Codable {
    public let name: String
    /// The first instant at which the certification is no longer valid; `nil` never expires.
    public let expires: Timestamp?

    public init(name: String, expires: Timestamp?, field: String = "certifications") throws(MatchworkError) {
        try Token.validate(name, field: field)
        self.name = name
        self.expires = expires
    }

    /// Whether the certification is valid at `time`.
    public func isValid(at time: Timestamp) -> Bool {
        guard let expires else { return true }
        return time < expires
    }
}

/// Numeric attributes keyed by name (`hourly_rate`, `years_experience`, `size_m2`…).
public struct Attributes: Hashable, Sendable, Codable {
    public private(set) var values: [String: Double]

    public init() { values = [:] }

    public init(_ values: [String: Double], field: String = "attributes") throws(MatchworkError) {
        for (key, value) in values {
            try Token.validate(key, field: field)
            guard value.isFinite else {
                throw .invalid(field, "\(field): '\(key)' is \(value); numeric attributes must be finite numbers.")
            }
        }
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        self = try Attributes(try decoder.singleValueContainer().decode([String: Double].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    public subscript(key: String) -> Double? { values[key] }

    /// Keys in sorted order.
    public var keys: [String] { values.keys.sorted() }

    public var isEmpty: Bool { values.isEmpty }
}
