/// The market view of skill gaps: for a cohort of learners, the skills with the largest
/// demand-weighted gap, and the supply of each skill against the demand for it, so a platform
/// knows which courses to commission.
///
/// Each learner's gaps are measured against their own target (``SkillMarket/target(of:requested:)``);
/// learners without one are counted and left out. Per skill: `total weight = Σ weight` over the
/// cohort's gaps; `supply` = the cohort's learners holding the skill at least at the level open
/// postings ask on average (importance-weighted), against `demand` = the open postings asking for
/// it; `courses` = open courses teaching it up to that level.
public struct SkillCohortAnalysis: Sendable, Hashable, Codable {
    public var cohort: String
    public var learners: Int
    /// Learners whose gaps were measured, and those with no target (left out).
    public var analyzed: Int
    public var withoutTarget: Int
    public var skills: [CohortSkill]
    public var summary: String
    public var at: String

    public struct CohortSkill: Sendable, Hashable, Codable {
        public var skill: String
        public var label: String
        /// Learners with a gap on it, and their mean gap.
        public var learnersWithGap: Int
        public var meanGap: Double
        public var totalWeight: Double
        /// The level open postings ask on average (importance-weighted).
        public var marketLevel: Double
        /// Learners of the cohort at or above `marketLevel`.
        public var supply: Int
        /// Open postings asking for it.
        public var demand: Int
        public var growth: Double?
        /// Open courses that teach it up to `marketLevel` or beyond.
        public var courses: Int
        public var reason: String
    }
}

/// Which learners a cohort holds: everyone, those with given facet values, or those near a place.
public struct CohortFilter: Sendable, Hashable, CustomStringConvertible {
    public var facets: [FacetName: String]
    public var near: (point: GeoPoint, km: Double)?

    public static let all = CohortFilter(facets: [:], near: nil)

    public init(facets: [FacetName: String], near: (point: GeoPoint, km: Double)?) {
        self.facets = facets
        self.near = near
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.facets == b.facets && a.near?.point == b.near?.point && a.near?.km == b.near?.km
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(facets)
        hasher.combine(near?.km)
    }

    /// Reads `all`, `occupation=15-1252.00`, `NAME=VALUE,NAME=VALUE` (every one must hold), and
    /// `near=LAT:LON:KM` (within KM kilometres of a place: a region).
    public static func parse(_ text: String, field: String = "cohort") throws(MatchworkError) -> CohortFilter {
        let trimmed = text.trimmingSpaces
        if trimmed == "all" { return .all }
        var filter = CohortFilter.all
        for part in trimmed.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                throw MatchworkError(.invalidValue, "\(field) '\(text)': '\(part)' is not NAME=VALUE; write all, occupation=CODE, a facet such as language=en, or near=LAT:LON:KM.", field: field)
            }
            if pair[0] == "near" {
                let numbers = pair[1].split(separator: ":").map { Double(String($0)) }
                guard numbers.count == 3, let lat = numbers[0], let lon = numbers[1], let km = numbers[2], km > 0, km.isFinite else {
                    throw MatchworkError(.invalidValue, "\(field) '\(text)': near takes LAT:LON:KM with a positive radius, for example near=48.85:2.35:25.", field: field)
                }
                filter.near = (try GeoPoint(latitude: lat, longitude: lon), km)
            } else {
                guard filter.facets.updateValue(pair[1], forKey: FacetName(pair[0])) == nil else {
                    throw MatchworkError(.invalidValue, "\(field) '\(text)' names \(pair[0]) twice; give one value per facet.", field: field)
                }
            }
        }
        return filter
    }

    public var description: String {
        var parts = facets.keys.sorted().map { "\($0.rawValue)=\(facets[$0]!)" }
        if let near { parts.append("near=\(near.point.latitude):\(near.point.longitude):\(near.km)") }
        return parts.isEmpty ? "all" : parts.joined(separator: ",")
    }

    func contains(_ person: Person) -> Bool {
        for (name, value) in facets where !person.facets[name].contains(value) { return false }
        if let near {
            guard let location = person.location, location.distance(to: near.point) <= near.km else { return false }
        }
        return true
    }
}

extension SkillMarket {
    /// The cohort view of the learners `filter` holds.
    public func cohort(_ filter: CohortFilter, top: Int = 20) -> SkillCohortAnalysis {
        var gapCount: [String: Int] = [:], gapSum: [String: Double] = [:], weightSum: [String: Double] = [:]
        var members: [DenseIndex] = [], analyzed = 0, withoutTarget = 0
        for (i, person) in snapshot.people.enumerated() where person.role == .learner && filter.contains(person) {
            let p = DenseIndex(i)
            members.append(p)
            guard let (target, _) = try? self.target(of: p, requested: nil) else {
                withoutTarget += 1
                continue
            }
            let title: String = if case .occupation(let code) = target { self.title(ofOccupation: code) } else { "the postings named" }
            analyzed += 1
            for gap in rankedGaps(skills(of: p), requirements(of: target), title: title) {
                gapCount[gap.skill, default: 0] += 1
                gapSum[gap.skill, default: 0] += gap.gap
                weightSum[gap.skill, default: 0] += gap.weight
            }
        }
        // The level open postings ask for each skill, importance-weighted.
        let market = Dictionary(uniqueKeysWithValues: requirements(of: openPostings).map { ($0.skill, $0.level) })
        let memberSkills = members.map { skills(of: $0) }
        var rows: [SkillCohortAnalysis.CohortSkill] = []
        for skill in weightSum.keys {
            let level = market[skill] ?? 0
            let supply = memberSkills.filter { $0.level(skill) >= level && level > 0 }.count
            let d = demand[skill]
            let courses = self.courses.filter { c in snapshot.opportunities[Int(c)].teaches.contains { $0.skill == skill && $0.level >= level } }.count
            let n = gapCount[skill]!
            var reason = "\(Self.label(skill)): \(n) of \(analyzed) learners short by \(Self.number(gapSum[skill]! / Double(n))) levels on average; "
            reason += "\(supply) hold the level open postings ask (\(Self.number(level))) against \(d?.openPostings ?? 0) open postings asking for it"
            if let g = d?.growth { reason += " (demand \(g >= 0 ? "up" : "down") \(abs(Int((100 * g).rounded())))% over the next 12 months)" }
            reason += "; \(courses) open course\(courses == 1 ? "" : "s") teach it to that level"
            rows.append(.init(
                skill: skill, label: Self.label(skill), learnersWithGap: n, meanGap: gapSum[skill]! / Double(n), totalWeight: weightSum[skill]!,
                marketLevel: level, supply: supply, demand: d?.openPostings ?? 0, growth: d?.growth, courses: courses, reason: reason))
        }
        rows.sort { ($0.totalWeight, $1.skill) > ($1.totalWeight, $0.skill) }
        let shown = Array(rows.prefix(max(1, top)))
        var summary = "\(members.count) learner\(members.count == 1 ? "" : "s") in cohort \(filter)"
        summary += withoutTarget > 0 ? " (\(withoutTarget) without a target left out)" : ""
        if let first = shown.first { summary += "; the largest demand-weighted gap is \(first.label), \(first.learnersWithGap) learners short" }
        return SkillCohortAnalysis(cohort: filter.description, learners: members.count, analyzed: analyzed, withoutTarget: withoutTarget, skills: shown, summary: summary, at: now.iso8601)
    }
}
