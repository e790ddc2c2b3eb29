/// The hard filters, in the order they are checked. A candidate that fails one never appears.
public enum HardFilter: String, Sendable, CaseIterable, Codable {
    /// The opportunity is of a kind not recommended to people (a job posting for learners).
    case kind
    /// The opportunity is not open.
    case notOpen = "not_open"
    /// The opportunity has no free slot.
    case noFreeSlot = "no_free_slot"
    /// A mission or job whose start is before the reference time (`--at`, or the marketplace's
    /// latest activity): it can no longer be taken.
    case started
    /// The request excludes it by id.
    case excluded
    /// The person already applied, was hired, declined… (configurable event types).
    case alreadyInteracted = "already_interacted"
    /// A required category filter (`RecommendationFilters.facets`) does not match.
    case category
    /// The start date is outside the requested range.
    case dates
    /// The price is outside the requested range.
    case price
    /// A required certification is missing or expired on the start date.
    case certification
    /// The person states a specialty (or other qualifying facet) that is not the one required.
    case qualification
    /// Farther than the maximum distance, or distance unknown.
    case distance
    /// The start is outside the person's stated weekly availability.
    case availability
    /// The rhythm is incompatible with the person's availability or stated rhythms (strict).
    case rhythm
    /// The person already holds as many overlapping commitments as their capacity.
    case capacity
    /// A course whose prerequisites the learner does not meet (``PrerequisitePolicy/strict``).
    case prerequisites
}

struct FilterTally {
    var counts: [HardFilter: Int] = [:]
    mutating func record(_ filter: HardFilter) { counts[filter, default: 0] += 1 }
    var dictionary: [String: Int] { Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }) }
}

extension RecommendationEngine {
    /// The first hard filter a person–opportunity pair fails, checking the pair itself
    /// (certifications, qualifications, distance, availability, rhythm, capacity).
    ///
    /// Reads only ``PairTables``' flat arrays: it runs for every candidate of every request.
    func pairFilter(person p: DenseIndex, opportunity o: DenseIndex, filters: RecommendationFilters) -> HardFilter? {
        let t = index.tables
        let pi = Int(p), oi = Int(o)
        if !t.certifications.isEmpty(oi) {
            let time = t.checkTime[oi], base = pi * t.certificationCount
            for k in t.certifications.range(oi) where !(time < t.certificationExpiry[base + Int(t.certifications.values[k])]) { return .certification }
        }
        if !t.qualifying.isEmpty(oi) {
            // Per qualifying facet the person states, one of the required values must be theirs.
            let stated = t.qualifyingFacets[pi]
            var k = t.qualifying.range(oi).lowerBound
            let end = t.qualifying.range(oi).upperBound
            while k < end {
                let facet = t.qualifying.values[k].facet
                var matched = false
                while k < end && t.qualifying.values[k].facet == facet {
                    if !matched && t.qualifyingPositions.row(pi, contains: t.qualifying.values[k].position) { matched = true }
                    k += 1
                }
                if stated & (1 << UInt64(facet)) != 0 && !matched { return .qualification }
            }
        }
        if let limit = filters.maxDistanceKm {
            guard let km = snapshot.distanceKm(person: p, opportunity: o), km <= limit else { return .distance }
        }
        let minute = t.startMinuteOfWeek[oi]
        let flags = t.availabilityFlags[pi]
        if configuration.availability == .startWithinSlot, flags & 1 != 0, minute >= 0 {
            guard t.slotCovers(person: pi, minuteOfWeek: minute) else { return .availability }
        }
        if !t.requiredRhythms.isEmpty(oi) {
            if features.checksRhythmAgainstAvailability, flags & 1 != 0 {
                let needs = t.rhythmNeeds[oi]
                if needs & 1 != 0, flags & 2 == 0 { return .rhythm }
                if needs & 2 != 0, flags & 4 == 0 { return .rhythm }
            }
            if configuration.rhythm == .strict, !t.statedRhythms.isEmpty(pi),
                !PairTables.intersects(t.requiredRhythms, oi, t.statedRhythms, pi)
            {
                return .rhythm
            }
        }
        if minute >= 0 {
            let start = t.windowStart[oi], end = t.windowEnd[oi]
            var overlapping: Int32 = 0
            for k in t.commitments.range(pi) {
                let c = t.commitments.values[k]
                if c.opportunity != o, c.start <= end, start <= c.end { overlapping += 1 }
            }
            if overlapping >= t.capacity[pi] { return .capacity }
        }
        return nil
    }

    /// A person's skill levels: those stated, raised to what each course they passed teaches.
    public func skillLevels(of p: DenseIndex) -> [String: Double] {
        var levels: [String: Double] = [:]
        for s in snapshot.people[Int(p)].skills { levels[s.skill] = s.level }
        for e in snapshot.events(ofPerson: p) where e.type == .pass {
            for s in snapshot.opportunities[Int(e.other)].teaches where s.level > levels[s.skill, default: 0] { levels[s.skill] = s.level }
        }
        return levels
    }

    /// The prerequisites of opportunity `o` that person `p` does not meet: the level needed and
    /// the person's (stated, or reached by a course passed; 0 when neither).
    public func unmetPrerequisites(person p: DenseIndex, opportunity o: DenseIndex) -> [(skill: String, needed: Double, has: Double)] {
        guard index.tables.hasPrerequisites[Int(o)] else { return [] }
        return unmetPrerequisites(levels: skillLevels(of: p), opportunity: o)
    }

    /// The prerequisites of `o` that a person with skill `levels` does not meet.
    func unmetPrerequisites(levels: [String: Double], opportunity o: DenseIndex) -> [(skill: String, needed: Double, has: Double)] {
        snapshot.opportunities[Int(o)].prerequisites.compactMap { s in
            let has = levels[s.skill] ?? 0
            return has + 1e-9 < s.level ? (s.skill, s.level, has) : nil
        }
    }

    /// Whether an opportunity passes the request's category, date and price filters.
    func opportunityFilter(_ o: DenseIndex, filters: RecommendationFilters) -> HardFilter? {
        let oi = Int(o)
        for (facet, accepted) in filters.facets {
            let required = snapshot.opportunities[oi].required[facet], preferred = snapshot.opportunities[oi].preferred[facet]
            if !required.contains(where: accepted.contains) && !preferred.contains(where: accepted.contains) { return .category }
        }
        if let range = filters.startsBetween {
            let t = index.tables
            guard t.startMinuteOfWeek[oi] >= 0, range.contains(Timestamp(secondsSinceEpoch: t.windowStart[oi])) else { return .dates }
        }
        if let range = filters.priceRange {
            let price = index.tables.filterPrice[oi]
            guard !price.isNaN, range.contains(price) else { return .price }
        }
        return nil
    }

    /// Whether a person passes the request's category and price filters.
    func personFilter(_ p: DenseIndex, filters: RecommendationFilters) -> HardFilter? {
        for (facet, accepted) in filters.facets {
            if !snapshot.people[Int(p)].facets[facet].contains(where: accepted.contains) { return .category }
        }
        if let range = filters.priceRange {
            let price = index.tables.filterAsk[Int(p)]
            guard !price.isNaN, range.contains(price) else { return .price }
        }
        return nil
    }

    /// The open opportunities with a free slot that pass every hard filter for person `p`.
    func eligibleOpportunities(for p: DenseIndex, filters: RecommendationFilters, tally: inout FilterTally) -> [DenseIndex] {
        // Per open opportunity (by position): 1 excluded by the request, 2 already interacted with.
        let open = snapshot.openOpportunities, position = snapshot.openPosition
        var blocked = [UInt8](repeating: 0, count: open.count)
        for e in snapshot.events(ofPerson: p) where configuration.exclusions.forPerson.contains(e.type) {
            let k = position[Int(e.other)]
            if k >= 0 { blocked[Int(k)] = 2 }
        }
        for id in filters.excludedOpportunities {
            if let o = snapshot.opportunityIndex.index(of: id), position[Int(o)] >= 0 { blocked[Int(position[Int(o)])] = 1 }
        }
        var allowedKinds: UInt32 = 0
        for (k, kind) in OpportunityKind.allCases.enumerated() where features.recommendedKinds?.contains(kind) ?? true { allowedKinds |= 1 << UInt32(k) }
        let checksOpportunity = !filters.facets.isEmpty || filters.startsBetween != nil || filters.priceRange != nil
        var eligible: [DenseIndex] = []
        eligible.reserveCapacity(snapshot.openOpportunities.count)
        // Closed and full opportunities are counted without being visited one by one.
        let closed = snapshot.opportunities.count - snapshot.openOpportunities.count
        if closed > 0 {
            let full = snapshot.fullOpportunities
            if closed - full > 0 { tally.counts[.notOpen, default: 0] += closed - full }
            if full > 0 { tally.counts[.noFreeSlot, default: 0] += full }
        }
        let kinds = index.tables.kind
        // Missions and jobs are taken before they start; courses and postings have no such start.
        var startsMatter: UInt32 = 0
        for (k, kind) in OpportunityKind.allCases.enumerated() where kind == .mission || kind == .job { startsMatter |= 1 << UInt32(k) }
        let now = snapshot.now.secondsSinceEpoch, starts = index.tables.windowStart, minutes = index.tables.startMinuteOfWeek
        let strictPrerequisites = filters.prerequisites == .strict
        var levels: [String: Double]?
        var counts = [Int](repeating: 0, count: HardFilter.allCases.count)
        for (k, o) in open.enumerated() {
            let oi = Int(o)
            let failed: HardFilter? =
                allowedKinds & (1 << UInt32(kinds[oi])) == 0 ? .kind
                : startsMatter & (1 << UInt32(kinds[oi])) != 0 && minutes[oi] >= 0 && starts[oi] < now ? .started
                : blocked[k] == 1 ? .excluded
                : blocked[k] == 2 ? .alreadyInteracted
                : (checksOpportunity ? opportunityFilter(o, filters: filters) : nil) ?? pairFilter(person: p, opportunity: o, filters: filters)
            if let failed { counts[failed.rank] += 1; continue }
            // Prerequisites last: the person's skill levels are derived once, when a course needs them.
            if strictPrerequisites, index.tables.hasPrerequisites[oi] {
                if levels == nil { levels = skillLevels(of: p) }
                if !unmetPrerequisites(levels: levels!, opportunity: o).isEmpty {
                    counts[HardFilter.prerequisites.rank] += 1
                    continue
                }
            }
            eligible.append(o)
        }
        tally.add(counts)
        return eligible
    }

    /// The people who pass every hard filter for opportunity `o`, from the chosen pool.
    func eligiblePeople(for o: DenseIndex, filters: RecommendationFilters, pool: CandidatePool, tally: inout FilterTally) -> [DenseIndex] {
        // Per person: 1 excluded by the request, 2 already interacted with, 4 applied or bid.
        var marks = [UInt8](repeating: 0, count: snapshot.people.count)
        for e in snapshot.events(onOpportunity: o) {
            if configuration.exclusions.forOpportunity.contains(e.type) { marks[Int(e.other)] |= 2 }
            if e.type == .apply || e.type == .bid { marks[Int(e.other)] |= 4 }
        }
        for id in filters.excludedPeople { if let p = snapshot.personIndex.index(of: id) { marks[Int(p)] |= 1 } }
        let checksPerson = !filters.facets.isEmpty || filters.priceRange != nil
        let strictPrerequisites = filters.prerequisites == .strict && index.tables.hasPrerequisites[Int(o)]
        var eligible: [DenseIndex] = []
        var counts = [Int](repeating: 0, count: HardFilter.allCases.count)
        for p in snapshot.takers {
            let mark = marks[Int(p)]
            if pool == .applicants && mark & 4 == 0 { continue }
            let failed: HardFilter? =
                mark & 1 != 0 ? .excluded
                : mark & 2 != 0 ? .alreadyInteracted
                : (checksPerson ? personFilter(p, filters: filters) : nil) ?? pairFilter(person: p, opportunity: o, filters: filters)
            if let failed { counts[failed.rank] += 1; continue }
            if strictPrerequisites, !unmetPrerequisites(levels: skillLevels(of: p), opportunity: o).isEmpty {
                counts[HardFilter.prerequisites.rank] += 1
                continue
            }
            eligible.append(p)
        }
        tally.add(counts)
        return eligible
    }
}

extension HardFilter {
    /// The position in `allCases`, for counting in arrays.
    var rank: Int { HardFilter.allCases.firstIndex(of: self)! }
}

extension FilterTally {
    /// Adds counts indexed by ``HardFilter/rank``.
    mutating func add(_ byRank: [Int]) {
        for (k, n) in byRank.enumerated() where n > 0 { counts[HardFilter.allCases[k], default: 0] += n }
    }
}
