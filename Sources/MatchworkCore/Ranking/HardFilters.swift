/// The hard filters, in the order they are checked. A candidate that fails one never appears.
public enum HardFilter: String, Sendable, CaseIterable, Codable {
    /// The opportunity is of a kind not recommended to people (a job posting for learners).
    case kind
    /// The opportunity is not open.
    case notOpen = "not_open"
    /// The opportunity has no free slot.
    case noFreeSlot = "no_free_slot"
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
}

struct FilterTally {
    var counts: [HardFilter: Int] = [:]
    mutating func record(_ filter: HardFilter) { counts[filter, default: 0] += 1 }
    var dictionary: [String: Int] { Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }) }
}

extension RecommendationEngine {
    /// The first hard filter a person–opportunity pair fails, checking the pair itself
    /// (qualifications, distance, availability, rhythm, capacity).
    func pairFilter(person p: DenseIndex, opportunity o: DenseIndex, filters: RecommendationFilters) -> HardFilter? {
        let person = snapshot.people[Int(p)], opportunity = snapshot.opportunities[Int(o)]
        // Certifications and qualifying facets through integer codes precomputed in the index.
        let codes = index.opportunityCertifications[Int(o)]
        if !codes.isEmpty {
            let start = index.opportunityStart[Int(o)], base = Int(p) * index.certificationCount
            for code in codes where !(start < index.certificationExpiry[base + Int(code)]) { return .certification }
        }
        let qualifying = index.opportunityQualifying[Int(o)]
        if !qualifying.isEmpty {
            let stated = index.personQualifyingFacets[Int(p)]
            let positions = index.personQualifyingPositions[Int(p)]
            var f = 0
            while f < qualifying.count {
                let facet = qualifying[f].facet
                var matched = false
                var g = f
                while g < qualifying.count && qualifying[g].facet == facet {
                    if positions.contains(qualifying[g].position) { matched = true }
                    g += 1
                }
                if stated & (1 << UInt64(facet)) != 0 && !matched { return .qualification }
                f = g
            }
        }
        if let limit = filters.maxDistanceKm {
            guard let km = snapshot.distanceKm(person: p, opportunity: o), km <= limit else { return .distance }
        }
        if configuration.availability == .startWithinSlot, person.availability.isStated, let window = opportunity.window {
            guard person.availability.slots.contains(where: { $0.covers(window.start) }) else { return .availability }
        }
        let rhythms = opportunity.required[.rhythm]
        if !rhythms.isEmpty {
            if features.checksRhythmAgainstAvailability, person.availability.isStated {
                if rhythms.contains("weekend"), !person.availability.slots.contains(where: { $0.weekday >= 5 }) { return .rhythm }
                if rhythms.contains("night"), !person.availability.slots.contains(where: { $0.endMinute >= 23 * 60 || $0.startMinute < 5 * 60 }) { return .rhythm }
            }
            if configuration.rhythm == .strict {
                let stated = person.facets[.rhythm]
                if !stated.isEmpty, !rhythms.contains(where: stated.contains) { return .rhythm }
            }
        }
        if let window = opportunity.window {
            var overlapping = 0
            for c in snapshot.commitments[Int(p)] where c != o {
                if let other = snapshot.opportunities[Int(c)].window, other.overlaps(window) { overlapping += 1 }
            }
            if overlapping >= person.capacity { return .capacity }
        }
        return nil
    }

    /// Whether an opportunity passes the request's category, date and price filters.
    func opportunityFilter(_ o: DenseIndex, filters: RecommendationFilters) -> HardFilter? {
        let opportunity = snapshot.opportunities[Int(o)]
        for (facet, accepted) in filters.facets {
            let listed = opportunity.required[facet] + opportunity.preferred[facet]
            if !listed.contains(where: accepted.contains) { return .category }
        }
        if let range = filters.startsBetween {
            guard let start = opportunity.window?.start, range.contains(start) else { return .dates }
        }
        if let range = filters.priceRange {
            let key = features.pricing?.offer ?? "price"
            guard let price = opportunity.attributes[key], range.contains(price) else { return .price }
        }
        return nil
    }

    /// Whether a person passes the request's category and price filters.
    func personFilter(_ p: DenseIndex, filters: RecommendationFilters) -> HardFilter? {
        let person = snapshot.people[Int(p)]
        for (facet, accepted) in filters.facets {
            if !person.facets[facet].contains(where: accepted.contains) { return .category }
        }
        if let range = filters.priceRange {
            let key = features.pricing?.ask ?? "hourly_rate"
            guard let price = person.attributes[key], range.contains(price) else { return .price }
        }
        return nil
    }

    /// The open opportunities with a free slot that pass every hard filter for person `p`.
    func eligibleOpportunities(for p: DenseIndex, filters: RecommendationFilters, tally: inout FilterTally) -> [DenseIndex] {
        var touched = Set<DenseIndex>()
        for e in snapshot.events(ofPerson: p) where configuration.exclusions.forPerson.contains(e.type) { touched.insert(e.other) }
        let excluded = Set(filters.excludedOpportunities.compactMap { snapshot.opportunityIndex.index(of: $0) })
        let kinds = features.recommendedKinds
        var eligible: [DenseIndex] = []
        // Closed and full opportunities are counted without being visited one by one.
        let closed = snapshot.opportunities.count - snapshot.openOpportunities.count
        if closed > 0 {
            let full = snapshot.fullOpportunities
            if closed - full > 0 { tally.counts[.notOpen, default: 0] += closed - full }
            if full > 0 { tally.counts[.noFreeSlot, default: 0] += full }
        }
        for o in snapshot.openOpportunities {
            let opportunity = snapshot.opportunities[Int(o)]
            let failed: HardFilter? =
                kinds.map({ !$0.contains(opportunity.kind) }) ?? false ? .kind
                : excluded.contains(o) ? .excluded
                : touched.contains(o) ? .alreadyInteracted
                : opportunityFilter(o, filters: filters) ?? pairFilter(person: p, opportunity: o, filters: filters)
            if let failed { tally.record(failed) } else { eligible.append(o) }
        }
        return eligible
    }

    /// The people who pass every hard filter for opportunity `o`, from the chosen pool.
    func eligiblePeople(for o: DenseIndex, filters: RecommendationFilters, pool: CandidatePool, tally: inout FilterTally) -> [DenseIndex] {
        var touched = Set<DenseIndex>()
        var applicants = Set<DenseIndex>()
        for e in snapshot.events(onOpportunity: o) {
            if configuration.exclusions.forOpportunity.contains(e.type) { touched.insert(e.other) }
            if e.type == .apply || e.type == .bid { applicants.insert(e.other) }
        }
        let excluded = Set(filters.excludedPeople.compactMap { snapshot.personIndex.index(of: $0) })
        let candidates = pool == .applicants ? snapshot.takers.filter(applicants.contains) : snapshot.takers
        var eligible: [DenseIndex] = []
        for p in candidates {
            let failed: HardFilter? =
                excluded.contains(p) ? .excluded
                : touched.contains(p) ? .alreadyInteracted
                : personFilter(p, filters: filters) ?? pairFilter(person: p, opportunity: o, filters: filters)
            if let failed { tally.record(failed) } else { eligible.append(p) }
        }
        return eligible
    }
}
