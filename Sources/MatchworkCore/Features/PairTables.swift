/// A feature-position code of a facet value: the facet's rank in a scenario list and the value's
/// position in the feature space.
struct FacetCode: Sendable, BitwiseCopyable, Equatable {
    let facet: Int32
    let position: Int32
}

/// The per-person and per-opportunity facts the hard filters and the rule-based scorer read
/// for every candidate pair, in flat arrays indexed by dense index: no record is copied and
/// no string compared in the loops over candidates.
final class PairTables: Sendable {
    // MARK: Opportunities

    /// Index of the kind in `OpportunityKind.allCases`.
    let kind: [UInt8]
    /// The start's minute of the week (0 = Monday 00:00 UTC), or -1 without a window.
    let startMinuteOfWeek: [Int32]
    /// The window in Unix seconds (both 0 without a window).
    let windowStart: [Int64]
    let windowEnd: [Int64]
    /// When certifications must be valid: the start, or the snapshot's `now` without a window.
    let checkTime: [Int64]
    /// What the required rhythms need from availability: bit 0 a weekend slot, bit 1 a night slot.
    let rhythmNeeds: [UInt8]
    /// The required rhythm values as codes, sorted.
    let requiredRhythms: Ragged<Int32>
    let hasLocation: [Bool]
    let teaches: [Bool]
    /// Whether the opportunity (a course) lists prerequisites.
    let hasPrerequisites: [Bool]
    let freeSlots: [Int32]
    /// The pricing rule's offer and per-unit attributes (`nan` when absent; per-unit 1 when the
    /// rule has none), and the attribute the price filter reads.
    let offer: [Double]
    let askPer: [Double]
    let filterPrice: [Double]
    /// Whether anyone showed net positive interest in each opportunity, and those that have
    /// such people (the opportunities that can vote as neighbours).
    let hasPositivePeople: [Bool]
    let voters: [DenseIndex]
    /// How many people touched each opportunity.
    let touchedPeopleCounts: [Int32]
    /// Required certifications as codes.
    let certifications: Ragged<Int32>
    /// Required values of qualifying facets, ordered by facet rank.
    let qualifying: Ragged<FacetCode>
    /// Required values of preference facets, ordered by facet rank.
    let preferenceCodes: Ragged<FacetCode>

    // MARK: People

    /// Stated weekly slots as minute-of-week ranges `[low, high)`.
    let slots: Ragged<SIMD2<Int32>>
    /// Bit 0: availability stated; bit 1: a weekend slot; bit 2: a night slot (ending at 23:00 or
    /// later, or starting before 05:00).
    let availabilityFlags: [UInt8]
    /// Stated rhythm values as codes, sorted.
    let statedRhythms: Ragged<Int32>
    let capacity: [Int32]
    /// Whether each person takes opportunities (a worker or learner, not a client).
    let isTaker: [Bool]
    /// Windows of the opportunities each person holds and has not completed: (start, end) in
    /// Unix seconds, with the opportunity.
    let commitments: Ragged<Commitment>
    let ask: [Double]
    let filterAsk: [Double]
    /// Per person and certification code (`certificationCount` per person): the expiry in Unix
    /// seconds, `Int64.max` when it never expires, `Int64.min` when absent.
    let certificationExpiry: [Int64]
    let certificationCount: Int
    /// Which qualifying facets each person states (bit per rank), and the positions stated.
    let qualifyingFacets: [UInt64]
    let qualifyingPositions: Ragged<Int32>
    /// The feature positions of the preference values in each person's summary, sorted, and
    /// which preference facets are assumed (bit per rank).
    let preferencePositions: Ragged<Int32>
    let assumedFacets: [UInt64]
    /// The person-quality rules, five per person (quality, reliability, experience, bidding,
    /// activity); zeros for clients.
    let quality: [RuleValue]

    struct Commitment: Sendable, BitwiseCopyable {
        let opportunity: DenseIndex
        let start: Int64
        let end: Int64
    }

    init(snapshot: MarketplaceSnapshot, space: FeatureSpace, features: ScenarioFeatures, summaries: [PreferenceSummary]) {
        let opportunities = snapshot.opportunities, people = snapshot.people
        let kinds = OpportunityKind.allCases
        kind = opportunities.map { UInt8(kinds.firstIndex(of: $0.kind)!) }
        startMinuteOfWeek = opportunities.map { o in o.window.map { Int32($0.start.weekday * 1440 + $0.start.secondOfDay / 60) } ?? -1 }
        windowStart = opportunities.map { $0.window?.start.secondsSinceEpoch ?? 0 }
        windowEnd = opportunities.map { $0.window?.end.secondsSinceEpoch ?? 0 }
        hasPrerequisites = opportunities.map { !$0.prerequisites.isEmpty }
        checkTime = opportunities.map { ($0.window?.start ?? snapshot.now).secondsSinceEpoch }
        var rhythmCodes: [String: Int32] = [:]
        func code(_ value: String) -> Int32 {
            if let c = rhythmCodes[value] { return c }
            rhythmCodes[value] = Int32(rhythmCodes.count)
            return Int32(rhythmCodes.count - 1)
        }
        rhythmNeeds = opportunities.map { o in
            let rhythms = o.required[.rhythm]
            return (rhythms.contains("weekend") ? 1 : 0) | (rhythms.contains("night") ? 2 : 0)
        }
        requiredRhythms = Ragged(opportunities.map { o in o.required[.rhythm].map(code).sorted() })
        statedRhythms = Ragged(people.map { p in p.facets[.rhythm].map(code).sorted() })
        hasLocation = opportunities.map { $0.location != nil }
        teaches = opportunities.map { !$0.teaches.isEmpty }
        freeSlots = opportunities.indices.map { Int32(snapshot.freeSlots(DenseIndex($0))) }
        hasPositivePeople = snapshot.positivePeople.map { !$0.isEmpty }
        voters = snapshot.positivePeople.indices.filter { !snapshot.positivePeople[$0].isEmpty }.map { DenseIndex($0) }
        touchedPeopleCounts = snapshot.touchedPeople.map { Int32($0.count) }

        let pricing = features.pricing
        offer = opportunities.map { o in pricing.flatMap { o.attributes[$0.offer] } ?? .nan }
        askPer = opportunities.map { o in
            guard let per = pricing?.askPer else { return 1 }
            return o.attributes[per] ?? .nan
        }
        filterPrice = opportunities.map { $0.attributes[pricing?.offer ?? "price"] ?? .nan }
        ask = people.map { p in pricing.flatMap { p.attributes[$0.ask] } ?? .nan }
        filterAsk = people.map { $0.attributes[pricing?.ask ?? "hourly_rate"] ?? .nan }

        var certificationCodes: [String: Int] = [:]
        for o in opportunities { for c in o.requiredCertifications where certificationCodes[c] == nil { certificationCodes[c] = certificationCodes.count } }
        let certificationCount = certificationCodes.count
        self.certificationCount = certificationCount
        certifications = Ragged(opportunities.map { o in o.requiredCertifications.map { Int32(certificationCodes[$0]!) } })
        var expiry = [Int64](repeating: .min, count: people.count * certificationCount)
        for (p, person) in people.enumerated() {
            for c in person.certifications {
                guard let code = certificationCodes[c.name] else { continue }
                expiry[p * certificationCount + code] = max(expiry[p * certificationCount + code], c.expires?.secondsSinceEpoch ?? .max)
            }
        }
        certificationExpiry = expiry

        func codes(of o: Opportunity, facets: [FacetName]) -> [FacetCode] {
            var codes: [FacetCode] = []
            for (f, facet) in facets.enumerated() {
                guard let positions = space.facetPositions[facet] else { continue }
                for v in o.required[facet] { if let i = positions[v] { codes.append(FacetCode(facet: Int32(f), position: Int32(i))) } }
            }
            return codes
        }
        let qualifyingList = features.qualifyingFacets, preferenceList = features.preferenceFacets
        qualifying = Ragged(opportunities.map { codes(of: $0, facets: qualifyingList) })
        preferenceCodes = Ragged(opportunities.map { codes(of: $0, facets: preferenceList) })

        slots = Ragged(people.map { p in
            p.availability.slots.map { s in SIMD2(Int32(s.weekday * 1440 + s.startMinute), Int32(s.weekday * 1440 + s.endMinute)) }
        })
        availabilityFlags = people.map { p in
            let slots = p.availability.slots
            guard !slots.isEmpty else { return 0 }
            let weekend = slots.contains { $0.weekday >= 5 }
            let night = slots.contains { $0.endMinute >= 23 * 60 || $0.startMinute < 5 * 60 }
            return 1 | (weekend ? 2 : 0) | (night ? 4 : 0)
        }
        capacity = people.map { Int32($0.capacity) }
        var isTaker = [Bool](repeating: false, count: people.count)
        for p in snapshot.takers { isTaker[Int(p)] = true }
        self.isTaker = isTaker
        commitments = Ragged(snapshot.commitments.map { held in
            held.compactMap { o -> Commitment? in
                opportunities[Int(o)].window.map { Commitment(opportunity: o, start: $0.start.secondsSinceEpoch, end: $0.end.secondsSinceEpoch) }
            }
        })
        qualifyingFacets = people.map { person in
            var bits: UInt64 = 0
            for (f, facet) in qualifyingList.enumerated() where !person.facets[facet].isEmpty { bits |= 1 << UInt64(f) }
            return bits
        }
        qualifyingPositions = Ragged(people.map { person in
            var positions: [Int32] = []
            for facet in qualifyingList {
                guard let map = space.facetPositions[facet] else { continue }
                positions += person.facets[facet].compactMap { map[$0].map(Int32.init) }
            }
            return positions.sorted()
        })
        preferencePositions = Ragged(summaries.map { summary in
            var positions: [Int32] = []
            for (facet, values) in summary.values {
                guard let map = space.facetPositions[facet] else { continue }
                positions += values.compactMap { map[$0].map(Int32.init) }
            }
            return positions.sorted()
        })
        assumedFacets = summaries.map { summary in
            var bits: UInt64 = 0
            for facet in summary.assumedFacets { if let f = preferenceList.firstIndex(of: facet) { bits |= 1 << UInt64(f) } }
            return bits
        }
        var quality = [RuleValue](repeating: RuleValue(value: 0, assumed: true), count: people.count * 5)
        for p in people.indices where people[p].role != .client {
            for (k, rule) in RecommendationEngine.personQuality(DenseIndex(p), in: snapshot).enumerated() { quality[p * 5 + k] = rule }
        }
        self.quality = quality
    }

    /// Person `p`'s five quality rules.
    func quality(of p: DenseIndex) -> [RuleValue] { Array(quality[Int(p) * 5..<Int(p) * 5 + 5]) }

    /// Whether one of person `p`'s stated slots covers the minute of the week.
    @inline(__always)
    func slotCovers(person p: Int, minuteOfWeek m: Int32) -> Bool {
        for k in slots.range(p) {
            let s = slots.values[k]
            if s.x <= m && m < s.y { return true }
        }
        return false
    }

    /// Whether two sorted code rows share a value.
    @inline(__always)
    static func intersects(_ a: Ragged<Int32>, _ i: Int, _ b: Ragged<Int32>, _ j: Int) -> Bool {
        var x = a.range(i).lowerBound, y = b.range(j).lowerBound
        let xe = a.range(i).upperBound, ye = b.range(j).upperBound
        while x < xe && y < ye {
            let u = a.values[x], v = b.values[y]
            if u == v { return true }
            if u < v { x += 1 } else { y += 1 }
        }
        return false
    }
}
