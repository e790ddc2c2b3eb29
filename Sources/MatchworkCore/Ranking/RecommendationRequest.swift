/// Whom or what to recommend for.
public enum RecommendationSubject: Sendable, Hashable, Codable {
    /// Opportunities for this person.
    case person(PersonID)
    /// People for this opportunity.
    case opportunity(OpportunityID)

    private enum CodingKeys: String, CodingKey { case kind, id }

    /// Encoded as `{"kind": "person", "id": "clinician-7"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .person(let id):
            try container.encode("person", forKey: .kind)
            try container.encode(id.rawValue, forKey: .id)
        case .opportunity(let id):
            try container.encode("opportunity", forKey: .kind)
            try container.encode(id.rawValue, forKey: .id)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id = try container.decode(String.self, forKey: .id)
        switch try container.decode(String.self, forKey: .kind) {
        case "person": self = .person(PersonID(id))
        case "opportunity": self = .opportunity(OpportunityID(id))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "kind '\(other)' is not person or opportunity")
        }
    }
}

/// Which people are ranked for an opportunity.
public enum CandidatePool: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every person who takes opportunities in this marketplace.
    case everyone
    /// Only the people who applied or bid (rank the applicants).
    case applicants
}

/// Constraints every result satisfies. Filters apply before the top-k cut.
public struct RecommendationFilters: Sendable, Hashable, Codable {
    /// Greatest distance between the person and the opportunity, in kilometres. A candidate
    /// whose distance is unknown (no location on either side) is left out when it is set.
    public var maxDistanceKm: Double?
    /// Per facet, accepted values: a candidate must list at least one of them (on the
    /// opportunity's required or preferred facets, or on the person's facets).
    public var facets: [FacetName: [String]]
    /// The opportunity's start must fall in this range (candidates without a window are left out).
    public var startsBetween: ClosedRange<Timestamp>?
    /// The opportunity's price (the scenario's offer attribute, else `price`), or for people
    /// their asking rate, must fall in this range.
    public var priceRange: ClosedRange<Double>?
    public var excludedOpportunities: Set<OpportunityID>
    public var excludedPeople: Set<PersonID>
    /// Whether a course's unmet prerequisites exclude it (`strict`, the default) or only add a
    /// reason to it (`warn`).
    public var prerequisites: PrerequisitePolicy

    public init(
        maxDistanceKm: Double? = nil, facets: [FacetName: [String]] = [:], startsBetween: ClosedRange<Timestamp>? = nil,
        priceRange: ClosedRange<Double>? = nil, excludedOpportunities: Set<OpportunityID> = [], excludedPeople: Set<PersonID> = [],
        prerequisites: PrerequisitePolicy = .strict
    ) {
        self.prerequisites = prerequisites
        self.maxDistanceKm = maxDistanceKm
        self.facets = facets
        self.startsBetween = startsBetween
        self.priceRange = priceRange
        self.excludedOpportunities = excludedOpportunities
        self.excludedPeople = excludedPeople
    }

    /// Checks the filter values.
    public func validate() throws(MatchworkError) {
        if let km = maxDistanceKm, !(km.isFinite && km > 0 && km <= 20_040) {
            throw MatchworkError(.invalidValue, "max distance \(km) km must be a positive number of kilometres, at most 20040.", field: "max_distance")
        }
        if let range = priceRange, !(range.lowerBound.isFinite && range.upperBound.isFinite && range.lowerBound >= 0) {
            throw MatchworkError(.invalidValue, "price range \(range.lowerBound)...\(range.upperBound) must be finite and non-negative.", field: "price_range")
        }
        for (name, values) in facets {
            if values.isEmpty {
                throw MatchworkError(.invalidValue, "filter on '\(name)' lists no values; give at least one or drop the filter.", field: "filters.\(name)")
            }
        }
    }
}

/// What to recommend, how many, with which filters and mode.
public struct RecommendationRequest: Sendable, Hashable, Codable {
    public var subject: RecommendationSubject
    /// How many results to return, 1...1000.
    public var count: Int
    public var filters: RecommendationFilters
    public var mode: RecommendationMode
    /// For an opportunity: rank everyone, or only its applicants.
    public var pool: CandidatePool
    /// Whether to build plain-words reasons (the breakdown is always there).
    public var explain: Bool
    /// For a learner: the next course of their best learning path first, and every path course
    /// listed with its step as the first reason; the rest in the mode's order.
    public var pathFirst: Bool

    public static let maximumCount = 1000
    /// How many results when a request does not say.
    public static let defaultCount = 10

    public init(
        _ subject: RecommendationSubject, count: Int = 10, filters: RecommendationFilters = RecommendationFilters(),
        mode: RecommendationMode = .ensemble, pool: CandidatePool = .everyone, explain: Bool = true, pathFirst: Bool = false
    ) {
        self.pathFirst = pathFirst
        self.subject = subject
        self.count = count
        self.filters = filters
        self.mode = mode
        self.pool = pool
        self.explain = explain
    }

    public func validate() throws(MatchworkError) {
        guard (1...Self.maximumCount).contains(count) else {
            throw MatchworkError(.invalidValue, "count \(count) must be between 1 and \(Self.maximumCount).", field: "count")
        }
        try filters.validate()
    }
}

/// What a course's prerequisites the learner lacks do to it.
public enum PrerequisitePolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// A course whose prerequisites the learner does not meet is left out (a hard filter).
    case strict
    /// It stays, with a reason per unmet prerequisite ("Needs speaking 3.3; you have 2.5").
    case warn

    public static func parse(_ text: String, field: String) throws(MatchworkError) -> PrerequisitePolicy {
        guard let policy = PrerequisitePolicy(rawValue: text) else {
            throw MatchworkError(.invalidValue, "\(field) '\(text)' is not a policy; use strict (leave out courses whose prerequisites are not met) or warn (keep them, with why).", field: field)
        }
        return policy
    }
}
