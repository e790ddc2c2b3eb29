import RealModule

/// Turns (person, opportunity) pairs into the neural hybrid's inputs: embedding rows, category
/// values and standardised continuous features.
///
/// Continuous features, per pair (``names`` lists them in order):
/// - the person: the five person-quality rules (quality, reliability, experience, bidding,
///   activity), completion and on-time rates (shrunk as the rules shrink them), log of
///   completed jobs, average rating, log of ratings, home location relative to the region's
///   centre (km north and east, over 10), and the scenario's person attributes (cleaning:
///   hourly rate, years of experience, response minutes, eco label);
/// - the opportunity: its location relative to the centre, the scenario's numeric attributes
///   (cleaning: size, duration, budget, eco preference), the hour of day and day of week of its
///   start (as sine and cosine), log of applicants and of recent interest;
/// - the pair: distance (log km), the four job-fit rules (location, pricing, specialization,
///   availability; 0.5 where one does not apply), the cosine of the person's preference vector
///   and the opportunity's vector, and the person's bid when there is one: its amount (log),
///   its ratio to the mean and the lowest bid there, how early it came, how many bids there
///   are, and its ratio to the opportunity's offer.
///
/// Categorical features are the opportunity's value of each preference facet (cleaning:
/// service and property type; missions: service, specialty, rhythm), index 0 for none or a
/// value not seen in training. Embedding rows come from the id maps: people by id, and
/// opportunities by their client when they have one (jobs are posted once; a household hires
/// again), else by id; -1 where the id was not in training (cold start: content only).
public struct PairFeatureEncoder: Sendable, Hashable, Codable {
    public let scenario: ScenarioName?
    public let facets: [FacetName]
    /// Per facet, its values; a value's category index is its position + 1.
    public let vocabularies: [[String]]
    public let personAttributes: [String]
    public let opportunityAttributes: [String]
    /// The region's centre, for locations relative to it.
    public let centreLatitude: Double
    public let centreLongitude: Double
    /// Per continuous feature: the training mean and standard deviation it is scaled by.
    public private(set) var means: [Float]
    public private(set) var scales: [Float]
    /// Embedding row → person id, and → opportunity key (client id, or opportunity id).
    public private(set) var personIDs: [String] = []
    public private(set) var opportunityKeys: [String] = []

    private var personRows: [String: Int32] = [:]
    private var opportunityRows: [String: Int32] = [:]
    private var categoryCodes: [[String: Int32]] = []

    enum CodingKeys: String, CodingKey {
        case scenario, facets, vocabularies, personAttributes, opportunityAttributes, centreLatitude, centreLongitude, means, scales, personIDs, opportunityKeys
    }

    /// The encoder for a marketplace: facets, vocabularies and attributes from its scenario,
    /// the centre from its locations; no scaling and no id maps yet.
    public init(snapshot: MarketplaceSnapshot, features: ScenarioFeatures) {
        scenario = snapshot.preset?.name
        facets = features.preferenceFacets
        vocabularies = features.preferenceFacets.map { facet in
            if case .closed(let values)? = snapshot.preset?.vocabularies[facet] { return values }
            var seen = Set<String>()
            for o in snapshot.opportunities { for v in o.required[facet] + o.preferred[facet] { seen.insert(v) } }
            return seen.sorted()
        }
        personAttributes = Self.personAttributes(scenario)
        opportunityAttributes = features.numericAttributes
        var lat = 0.0, lon = 0.0, n = 0.0
        for point in snapshot.opportunities.compactMap(\.location) + snapshot.people.compactMap(\.location) {
            lat += point.latitude
            lon += point.longitude
            n += 1
        }
        centreLatitude = n > 0 ? lat / n : 0
        centreLongitude = n > 0 ? lon / n : 0
        let width = Self.fixedNames.count + personAttributes.count + opportunityAttributes.count
        means = [Float](repeating: 0, count: width)
        scales = [Float](repeating: 1, count: width)
        rebuildLookups()
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try c.decodeIfPresent(ScenarioName.self, forKey: .scenario)
        facets = try c.decode([FacetName].self, forKey: .facets)
        vocabularies = try c.decode([[String]].self, forKey: .vocabularies)
        personAttributes = try c.decode([String].self, forKey: .personAttributes)
        opportunityAttributes = try c.decode([String].self, forKey: .opportunityAttributes)
        centreLatitude = try c.decode(Double.self, forKey: .centreLatitude)
        centreLongitude = try c.decode(Double.self, forKey: .centreLongitude)
        means = try c.decode([Float].self, forKey: .means)
        scales = try c.decode([Float].self, forKey: .scales)
        personIDs = try c.decode([String].self, forKey: .personIDs)
        opportunityKeys = try c.decode([String].self, forKey: .opportunityKeys)
        guard facets.count == vocabularies.count, means.count == scales.count,
            means.count == Self.fixedNames.count + personAttributes.count + opportunityAttributes.count
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "feature lists and scaling do not match"))
        }
        rebuildLookups()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(scenario, forKey: .scenario)
        try c.encode(facets, forKey: .facets)
        try c.encode(vocabularies, forKey: .vocabularies)
        try c.encode(personAttributes, forKey: .personAttributes)
        try c.encode(opportunityAttributes, forKey: .opportunityAttributes)
        try c.encode(centreLatitude, forKey: .centreLatitude)
        try c.encode(centreLongitude, forKey: .centreLongitude)
        try c.encode(means, forKey: .means)
        try c.encode(scales, forKey: .scales)
        try c.encode(personIDs, forKey: .personIDs)
        try c.encode(opportunityKeys, forKey: .opportunityKeys)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.scenario == b.scenario && a.facets == b.facets && a.vocabularies == b.vocabularies && a.personAttributes == b.personAttributes
            && a.opportunityAttributes == b.opportunityAttributes && a.centreLatitude == b.centreLatitude && a.centreLongitude == b.centreLongitude
            && a.means == b.means && a.scales == b.scales && a.personIDs == b.personIDs && a.opportunityKeys == b.opportunityKeys
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(facets)
        hasher.combine(means)
        hasher.combine(personIDs)
    }

    private mutating func rebuildLookups() {
        personRows = Dictionary(uniqueKeysWithValues: personIDs.enumerated().map { ($1, Int32($0)) })
        opportunityRows = Dictionary(uniqueKeysWithValues: opportunityKeys.enumerated().map { ($1, Int32($0)) })
        categoryCodes = vocabularies.map { values in Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, Int32($0 + 1)) }) }
    }

    /// Person attributes that describe a worker, per scenario.
    static func personAttributes(_ scenario: ScenarioName?) -> [String] {
        switch scenario {
        case .cleaning: ["hourly_rate", "years_experience", "response_minutes", "eco_friendly"]
        case .missions: ["hourly_rate", "years_experience"]
        case .learning: ["weekly_hours"]
        case nil: []
        }
    }

    static let fixedNames = [
        "quality", "reliability", "experience", "bidding", "activity", "completion_rate", "on_time_rate", "log_jobs", "average_rating",
        "log_ratings", "person_north", "person_east", "opportunity_north", "opportunity_east", "start_hour_sin", "start_hour_cos",
        "start_day_sin", "start_day_cos", "log_applicants", "log_recent_interest", "log_distance_km", "fit_location", "fit_pricing",
        "fit_specialization", "fit_availability", "preference_cosine", "has_bid", "log_bid", "bid_over_mean", "bid_over_lowest",
        "bid_earliness", "log_bids", "bid_over_offer",
    ]

    /// The continuous features' names, in input order.
    public var names: [String] {
        Self.fixedNames + personAttributes.map { "person_\($0)" } + opportunityAttributes.map { "opportunity_\($0)" }
    }

    /// Which side of a pair a continuous feature describes.
    public enum Side: Sendable { case person, opportunity, pair }

    /// The fixed features of the person (rules, rates, home), the opportunity (location,
    /// start, interest) and the pair (distance, fit, cosine, bid), by position.
    static let personFixed = 0..<12
    static let opportunityFixed = 12..<20
    static let pairFixed = 20..<33

    /// The positions of the continuous features of one side, ascending.
    public func positions(of side: Side) -> [Int] {
        let fixed = Self.fixedNames.count, people = personAttributes.count
        switch side {
        case .person: return Array(Self.personFixed) + Array(fixed..<(fixed + people))
        case .opportunity: return Array(Self.opportunityFixed) + Array((fixed + people)..<(fixed + people + opportunityAttributes.count))
        case .pair: return Array(Self.pairFixed)
        }
    }

    /// Positions of the features that describe the person's own bid (left out of the bid
    /// head's inputs, which predict that bid).
    public static let bidFeatures = 26...32

    /// Values per categorical feature, for the model's schema.
    public var categoryCounts: [Int] { vocabularies.map { $0.count + 1 } }
    public var continuousCount: Int { means.count }

    /// The model schema these features feed.
    public var schema: NeuralHybridModel.Schema {
        NeuralHybridModel.Schema(people: personIDs.count, opportunities: opportunityKeys.count, categories: categoryCounts, continuous: continuousCount)
    }

    /// Sets the id maps (embedding rows in the given order).
    public mutating func setIdentities(people: [String], opportunities: [String]) {
        personIDs = people
        opportunityKeys = opportunities
        rebuildLookups()
    }

    /// Sets each feature's scaling from raw rows (`rows × continuousCount`): mean and standard
    /// deviation (1 where a feature is constant).
    public mutating func fitScaling(_ raw: [Float]) {
        let width = means.count
        let rows = raw.count / width
        guard rows > 0 else { return }
        var sum = [Double](repeating: 0, count: width), squares = sum
        for r in 0..<rows {
            for j in 0..<width {
                let x = Double(raw[r * width + j])
                sum[j] += x
                squares[j] += x * x
            }
        }
        for j in 0..<width {
            let mean = sum[j] / Double(rows)
            let variance = max(0, squares[j] / Double(rows) - mean * mean)
            means[j] = Float(mean)
            scales[j] = variance > 1e-12 ? Float(variance.squareRoot()) : 1
        }
    }

    /// Scales raw rows in place.
    public func standardise(_ raw: inout [Float]) {
        let width = means.count
        for i in raw.indices {
            let j = i % width
            raw[i] = (raw[i] - means[j]) / scales[j]
        }
    }

    public func personRow(_ id: String) -> Int32 { personRows[id] ?? -1 }
    public func opportunityRow(_ key: String) -> Int32 { opportunityRows[key] ?? -1 }
    func category(_ facet: Int, _ value: String?) -> Int32 { value.flatMap { categoryCodes[facet][$0] } ?? 0 }

    /// The opportunity's category index for feature `facet`: its first required value of the
    /// facet, else its first preferred one.
    func category(_ facet: Int, of opportunity: Opportunity) -> Int32 {
        let name = facets[facet]
        return category(facet, opportunity.required[name].first ?? opportunity.preferred[name].first)
    }
}

/// Raw (unscaled) features of some pairs, with their embedding keys.
struct RawPairs {
    var personKeys: [String] = []
    var opportunityKeys: [String] = []
    var categorical: [Int32] = []
    var continuous: [Float] = []
    var count: Int { personKeys.count }

    mutating func append(_ other: RawPairs) {
        personKeys += other.personKeys
        opportunityKeys += other.opportunityKeys
        categorical += other.categorical
        continuous += other.continuous
    }

    /// The model's batch: embedding rows from the encoder's id maps, continuous features scaled.
    func batch(_ encoder: PairFeatureEncoder) -> NeuralBatch {
        var scaled = continuous
        encoder.standardise(&scaled)
        return NeuralBatch(
            person: personKeys.map(encoder.personRow), opportunity: opportunityKeys.map(encoder.opportunityRow), categorical: categorical, continuous: scaled)
    }
}

extension QueryState {
    /// The raw features of the candidates at `positions` paired with the subject.
    func pairFeatures(_ encoder: PairFeatureEncoder, positions: [Int]) -> RawPairs {
        var out = RawPairs()
        let width = encoder.continuousCount
        out.continuous.reserveCapacity(positions.count * width)
        var row = [Float](repeating: 0, count: width)
        for i in positions {
            let (p, o) = pair(candidates[i])
            engine.personFeatures(encoder, p, into: &row)
            engine.opportunityFeatures(encoder, o, into: &row)
            pairOnlyFeatures(encoder, position: i, into: &row)
            out.continuous += row
            out.personKeys.append(snapshot.people[Int(p)].id.rawValue)
            out.opportunityKeys.append(engine.opportunityKey(o))
            let opportunity = snapshot.opportunities[Int(o)]
            for f in encoder.facets.indices { out.categorical.append(encoder.category(f, of: opportunity)) }
        }
        return out
    }
}

extension QueryState {
    /// Writes the pair features (``PairFeatureEncoder/Side/pair``) of the candidate at
    /// `position` into their positions of `row`.
    func pairOnlyFeatures(_ encoder: PairFeatureEncoder, position i: Int, into row: inout [Float]) {
        let c = candidates[i]
        let (p, o) = pair(c)
        if forPerson {
            let mask = wantedMask
            engine.pairOnlyFeatures(encoder, person: p, opportunity: o, bid: bid(c), wanted: { mask[Int($0)] }, into: &row)
        } else {
            let positions = index.tables.preferencePositions
            engine.pairOnlyFeatures(encoder, person: p, opportunity: o, bid: bid(c), wanted: { positions.row(Int(p), contains: $0) }, into: &row)
        }
    }
}

extension MarketplaceSnapshot {
    /// The embedding key of an opportunity: its client's id when it has one, else its own.
    func opportunityKey(_ o: DenseIndex) -> String {
        let client = clientOf[Int(o)]
        return client >= 0 ? people[Int(client)].id.rawValue : opportunities[Int(o)].id.rawValue
    }
}

extension RecommendationEngine {
    /// The embedding key of an opportunity: its client's id when it has one, else its own.
    func opportunityKey(_ o: DenseIndex) -> String { snapshot.opportunityKey(o) }

    /// A pair's raw continuous features (``PairFeatureEncoder/names`` order) are the person's
    /// (``personFeatures(_:_:into:)``), the opportunity's (``opportunityFeatures(_:_:into:)``)
    /// and the pair's own (``pairOnlyFeatures(_:person:opportunity:bid:wanted:into:)``); see
    /// ``PairFeatureEncoder/Side``.
    ///
    /// Writes the features that depend on the person alone into their positions of `row`.
    func personFeatures(_ encoder: PairFeatureEncoder, _ p: DenseIndex, into row: inout [Float]) {
        let stats = snapshot.activity
        let w = stats.workers[Int(p)]
        let person = snapshot.people[Int(p)]
        var k = 0
        func put(_ x: Double) {
            row[k] = x.isFinite ? Float(x) : 0
            k += 1
        }
        let quality = index.tables.quality, base = Int(p) * 5
        for r in 0..<5 { put(quality.isEmpty ? 0 : quality[base + r].value) }
        let finished = Double(w.completions + w.cancellations + w.noShows)
        put((Double(w.completions) + 3 * stats.completionRate) / (finished + 3))
        put(1 - (Double(w.noShows) + 3 * 0.04) / (Double(w.hires) + 3))
        put(Double.log(1 + Double(w.completions)))
        put((w.meanRating ?? stats.meanRating) / 10)
        put(Double.log(1 + Double(w.ratings)))
        let (pn, pe) = offset(person.location, encoder)
        put(pn)
        put(pe)
        k = PairFeatureEncoder.fixedNames.count
        for name in encoder.personAttributes { put(person.attributes[name] ?? Double(encoder.means[k])) }
    }

    /// Writes the features that depend on the opportunity alone into their positions of `row`.
    func opportunityFeatures(_ encoder: PairFeatureEncoder, _ o: DenseIndex, into row: inout [Float]) {
        let opportunity = snapshot.opportunities[Int(o)]
        var k = PairFeatureEncoder.opportunityFixed.lowerBound
        func put(_ x: Double) {
            row[k] = x.isFinite ? Float(x) : 0
            k += 1
        }
        let (on, oe) = offset(opportunity.location, encoder)
        put(on)
        put(oe)
        if let start = opportunity.window?.start.secondsSinceEpoch {
            let daySeconds = Double(((start % 86_400) + 86_400) % 86_400)
            let hourAngle = 2 * Double.pi * daySeconds / 86_400
            // 1970-01-01 was a Thursday: day 0 of the week is Monday.
            let day = Double((((start / 86_400) + 3) % 7 + 7) % 7)
            let dayAngle = 2 * Double.pi * day / 7
            put(Double.sin(hourAngle))
            put(Double.cos(hourAngle))
            put(Double.sin(dayAngle))
            put(Double.cos(dayAngle))
        } else {
            for _ in 0..<4 { put(0) }
        }
        let record = snapshot.activity.opportunityRecords[Int(o)]
        put(Double.log(1 + Double(record.applicants)))
        put(Double.log(1 + record.recentInterest))
        k = PairFeatureEncoder.fixedNames.count + encoder.personAttributes.count
        for name in encoder.opportunityAttributes { put(opportunity.attributes[name] ?? Double(encoder.means[k])) }
    }

    /// Writes the features of the pair itself (distance, job fit, preference cosine, the
    /// person's bid) into their positions of `row`.
    func pairOnlyFeatures(_ encoder: PairFeatureEncoder, person p: DenseIndex, opportunity o: DenseIndex, bid: BidContext?, wanted: (Int32) -> Bool, into row: inout [Float]) {
        var k = PairFeatureEncoder.pairFixed.lowerBound
        func put(_ x: Double) {
            row[k] = x.isFinite ? Float(x) : 0
            k += 1
        }
        put(snapshot.distanceKm(person: p, opportunity: o).map { Double.log(1 + $0) } ?? 0)
        let fit = jobFit(person: p, opportunity: o, wanted: wanted, bid: nil)
        for r in 0..<4 { put(fit[r]?.value ?? 0.5) }
        let cosine = index.personVectors.withRow(Int(p)) { u in index.opportunityVectors.withRow(Int(o)) { VectorKernels.dot($0, u) } }
        put(Double(cosine))
        if let bid {
            put(1)
            put(Double.log(1 + bid.amount))
            put(bid.mean > 0 ? bid.amount / bid.mean : 1)
            put(bid.minimum > 0 ? bid.amount / bid.minimum : 1)
            put(bid.count >= 2 ? 1 - Double(bid.rank) / Double(bid.count - 1) : 1)
            put(Double.log(Double(bid.count)))
            let offer = features.pricing.flatMap { snapshot.opportunities[Int(o)].attributes[$0.offer] } ?? .nan
            put(offer > 0 ? bid.amount / offer : 1)
        } else {
            put(0)
            put(0)
            put(1)
            put(1)
            put(1)
            put(0)
            put(1)
        }
    }

    /// A location's offset from the encoder's centre: (km north, km east) / 10; zeros when unknown.
    private func offset(_ point: GeoPoint?, _ encoder: PairFeatureEncoder) -> (Double, Double) {
        guard let point else { return (0, 0) }
        let north = (point.latitude - encoder.centreLatitude) * 111.2
        let east = (point.longitude - encoder.centreLongitude) * 111.2 * Double.cos(encoder.centreLatitude * Double.pi / 180)
        return (north / 10, east / 10)
    }
}
