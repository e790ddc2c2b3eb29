/// A recommendation request as a caller writes it: the command line's options or the API's
/// members, before any check. ``build(names:defaultMode:)`` checks every part with one set of
/// limits and one set of messages, naming each part as that caller writes it (`--max-price`,
/// `filters.max_price`), so that the CLI and the API refuse the same values in the same words.
public struct RequestDraft: Sendable {
    public var person: String?
    public var opportunity: String?
    public var count: Int?
    public var mode: String?
    public var pool: String?
    public var explain = true
    /// The learner's learning path first (``RecommendationRequest/pathFirst``).
    public var pathFirst = false
    public var maxDistanceKm: Double?
    /// Facet filters in the order given; a facet may come twice (its values add up).
    public var facets: [(facet: String, values: [String])] = []
    public var startsAfter: Timestamp?
    public var startsBefore: Timestamp?
    public var minPrice: Double?
    public var maxPrice: Double?
    public var prerequisites: String?
    /// Ids never to recommend: opportunities for a person, people for an opportunity.
    public var exclude: [String] = []

    public init() {}

    /// The highest price a filter takes (a pay, budget, price or rate).
    public static let maximumPrice = 1e12

    /// How a caller names each part in messages and error fields.
    public struct Names: Sendable {
        public var person: String
        public var opportunity: String
        public var count: String
        public var mode: String
        public var pool: String
        public var maxDistance: String
        /// Before a facet's name (`--filter `, `filters.facets.`).
        public var facet: String
        public var startsAfter: String
        public var startsBefore: String
        public var minPrice: String
        public var maxPrice: String
        public var prerequisites: String
        public var exclude: String
        public var pathFirst: String
        /// Whether an excluded id's field carries its position (`filters.exclude[2]`).
        public var indexesExcludes = true

        /// The command line's options.
        public static let commandLine = Names(
            person: "--person", opportunity: "--opportunity", count: "--count", mode: "--mode", pool: "--pool", maxDistance: "--max-distance", facet: "--filter ",
            startsAfter: "--starts-after", startsBefore: "--starts-before", minPrice: "--min-price", maxPrice: "--max-price", prerequisites: "--prerequisites",
            exclude: "--exclude", pathFirst: "--path-first", indexesExcludes: false)

        /// The API's members, under `path` (`requests[2]`) when there is one.
        public static func api(path: String?) -> Names {
            let p = path.map { "\($0)." } ?? ""
            return Names(
                person: p + "person_id", opportunity: p + "opportunity_id", count: p + "count", mode: p + "mode", pool: p + "pool",
                maxDistance: p + "filters.max_distance", facet: p + "filters.facets.", startsAfter: p + "filters.starts_after",
                startsBefore: p + "filters.starts_before", minPrice: p + "filters.min_price", maxPrice: p + "filters.max_price",
                prerequisites: p + "filters.prerequisites", exclude: p + "filters.exclude", pathFirst: p + "path_first")
        }
    }

    /// The request, checked; `defaultMode` when the draft names none.
    ///
    /// - Throws: the first part at fault, named as `names` writes it, with what to do.
    public func build(names: Names, defaultMode: RecommendationMode = .ensemble) throws(MatchworkError) -> RecommendationRequest {
        let subject: RecommendationSubject
        switch (person, opportunity) {
        case (let p?, nil): subject = .person(try PersonID.validated(p, field: names.person))
        case (nil, let o?): subject = .opportunity(try OpportunityID.validated(o, field: names.opportunity))
        case (nil, nil):
            throw MatchworkError(
                .missingValue, "\(names.person) is missing; give \(names.person) (opportunities for a person) or \(names.opportunity) (people for an opportunity).",
                field: names.person)
        case (_?, _?):
            throw MatchworkError(.invalidValue, "Give \(names.person) or \(names.opportunity), not both.", field: names.opportunity)
        }
        let forPerson = person != nil
        let count = count ?? RecommendationRequest.defaultCount
        guard (1...RecommendationRequest.maximumCount).contains(count) else {
            throw MatchworkError(.invalidValue, "count \(count) must be between 1 and \(RecommendationRequest.maximumCount).", field: names.count)
        }
        let mode = try mode.map { (text) throws(MatchworkError) in try RecommendationMode.parse(text, field: names.mode) } ?? defaultMode
        var candidates = CandidatePool.everyone
        if let text = pool {
            guard let value = CandidatePool(rawValue: text) else {
                throw MatchworkError(.invalidValue, "\(names.pool) '\(text)' is not a candidate pool; use everyone or applicants.", field: names.pool)
            }
            if value == .applicants, forPerson {
                throw MatchworkError(.invalidValue, "\(names.pool) applicants ranks an opportunity's applicants; use it with \(names.opportunity).", field: names.pool)
            }
            candidates = value
        }

        var filters = RecommendationFilters()
        if let km = maxDistanceKm {
            guard km.isFinite, km > 0, km <= 20_040 else {
                throw MatchworkError(.invalidValue, "max distance \(km) km must be a positive number of kilometres, at most 20040.", field: names.maxDistance)
            }
            filters.maxDistanceKm = km
        }
        for (facet, values) in facets {
            let field = names.facet + facet
            guard !values.isEmpty else { throw MatchworkError(.invalidValue, "\(field) lists no values; give at least one or drop the filter.", field: field) }
            for value in values { try Token.validate(value, field: field) }
            filters.facets[FacetName(facet), default: []] += values
        }
        if startsAfter != nil || startsBefore != nil {
            let low = startsAfter ?? Timestamp(secondsSinceEpoch: Int64.min / 2), high = startsBefore ?? Timestamp(secondsSinceEpoch: Int64.max / 2)
            guard low <= high else {
                throw MatchworkError(.invalidValue, "\(names.startsAfter) \(low) is later than \(names.startsBefore) \(high); swap them.", field: names.startsAfter)
            }
            filters.startsBetween = low...high
        }
        for (price, field) in [(minPrice, names.minPrice), (maxPrice, names.maxPrice)] {
            guard let price else { continue }
            guard price.isFinite, (0...Self.maximumPrice).contains(price) else {
                throw MatchworkError(.invalidValue, "\(field) \(price) must be between 0 and 1000000000000 (10¹²).", field: field)
            }
        }
        if minPrice != nil || maxPrice != nil {
            let low = minPrice ?? 0, high = maxPrice ?? Self.maximumPrice
            guard low <= high else { throw MatchworkError(.invalidValue, "\(names.minPrice) \(low) is above \(names.maxPrice) \(high); swap them.", field: names.minPrice) }
            filters.priceRange = low...high
        }
        if let policy = prerequisites { filters.prerequisites = try PrerequisitePolicy.parse(policy, field: names.prerequisites) }
        for (i, id) in exclude.enumerated() {
            let field = names.indexesExcludes ? "\(names.exclude)[\(i)]" : names.exclude
            if forPerson { filters.excludedOpportunities.insert(try OpportunityID.validated(id, field: field)) } else {
                filters.excludedPeople.insert(try PersonID.validated(id, field: field))
            }
        }
        if pathFirst, !forPerson {
            throw MatchworkError(.invalidValue, "\(names.pathFirst) ranks a learner's courses by their learning path; use it with \(names.person).", field: names.pathFirst)
        }
        let request = RecommendationRequest(subject, count: count, filters: filters, mode: mode, pool: candidates, explain: explain, pathFirst: pathFirst)
        try request.validate()
        return request
    }
}
