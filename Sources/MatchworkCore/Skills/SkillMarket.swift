/// The skill side of a marketplace at its reference time: what the postings of each target ask
/// for, which postings are open, how the demand for each skill stands and moves, and what each
/// learner holds.
///
/// Requirements come from the postings whose window starts in the year before ``now``
/// (``requirementWindow``); a posting is open when its status is open and its window (if any)
/// has started and not ended. Built once per snapshot and shared: every query is a read.
public struct SkillMarket: Sendable {
    /// How far back postings describe what a target asks for: 365 days.
    public static let requirementWindow: Int64 = 365 * 86_400
    /// A skill counts as a target's requirement when at least this share of its postings asks for it.
    public static let minimumShare = 0.2
    /// The importance assumed for a posting's ask that does not state one (the middle of 1-5).
    public static let defaultImportance = 3.0

    public let snapshot: MarketplaceSnapshot
    public var now: Timestamp { snapshot.now }
    /// Postings of the requirement window, oldest first.
    let recentPostings: [DenseIndex]
    /// Open postings.
    public let openPostings: [DenseIndex]
    /// Recent and open postings per occupation code (postings that require one).
    let postingsByOccupation: [String: [DenseIndex]]
    let openByOccupation: [String: [DenseIndex]]
    /// Each occupation's requirements from its recent postings.
    let requirementsByOccupation: [String: [Requirement]]
    /// The most common title of each occupation's postings.
    let titles: [String: String]
    /// Demand per skill asked by any open or recent posting.
    public let demand: [String: SkillDemand]
    /// Open courses.
    let courses: [DenseIndex]
    /// Per course: passes and results, smoothed into rates.
    public let courseRates: PassProbabilityModel.CourseRates
    /// The pass model fitted on the marketplace's results (`nil` with too few).
    public let passModel: PassProbabilityModel?
    /// Every skill a posting asks for, a course teaches or requires or a learner holds, sorted,
    /// and as a set.
    let knownSkills: [String]
    let knownSkillSet: Set<String>
    /// The first of ``knownSkills`` per spelling with case, spaces, hyphens and underscores
    /// ignored (``folded(_:)``).
    let skillsByFolding: [String: String]

    /// The demand for one skill: open postings asking for it, and its forecast growth.
    public struct SkillDemand: Sendable, Hashable, Codable {
        public var skill: String
        /// Open postings that ask for the skill.
        public var openPostings: Int
        /// Postings of the last year that asked for it.
        public var recentPostings: Int
        /// Forecast growth of its monthly demand over the next 12 months against the last 12
        /// (0.14 is 14% up), from the demand trends; `nil` without enough history.
        public var growth: Double?
        /// `(1 + growth) × (open + 1) / (mean open + 1)`: 1 for a skill as much in demand as the
        /// average one and flat; the factor a gap's weight is multiplied by.
        public var index: Double
    }

    /// Builds the index.
    ///
    /// - Parameters:
    ///   - growth: each skill's forecast growth, when the caller has the trends already (the
    ///     service keeps them); `nil` forecasts them here (``Trends``, the count trend, 12 months).
    public init(snapshot: MarketplaceSnapshot, growth: [String: Double]? = nil) {
        self.snapshot = snapshot
        let now = snapshot.now.secondsSinceEpoch
        var recent: [DenseIndex] = [], open: [DenseIndex] = [], courses: [DenseIndex] = []
        var byOccupation: [String: [DenseIndex]] = [:], openByOccupation: [String: [DenseIndex]] = [:]
        var titleCounts: [String: [String: Int]] = [:]
        for (i, o) in snapshot.opportunities.enumerated() {
            let index = DenseIndex(i)
            if o.kind == .course {
                if o.status == .open { courses.append(index) }
                continue
            }
            guard o.kind == .posting || !o.skills.isEmpty else { continue }
            let start = o.window?.start.secondsSinceEpoch
            let isOpen = o.status == .open && (start.map { $0 <= now } ?? true) && (o.window.map { $0.end.secondsSinceEpoch >= now } ?? true)
            let isRecent = start.map { $0 <= now && $0 > now - Self.requirementWindow } ?? isOpen
            guard isOpen || isRecent else { continue }
            if isOpen { open.append(index) }
            recent.append(index)
            for code in o.required[.occupation] {
                byOccupation[code, default: []].append(index)
                if isOpen { openByOccupation[code, default: []].append(index) }
                if let title = o.title { titleCounts[code, default: [:]][title, default: 0] += 1 }
            }
        }
        self.recentPostings = recent
        self.openPostings = open
        self.postingsByOccupation = byOccupation
        self.openByOccupation = openByOccupation
        self.requirementsByOccupation = byOccupation.mapValues { Self.requirements(of: $0, in: snapshot.opportunities) }
        self.titles = titleCounts.mapValues { counts in counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key }
        self.courses = courses

        var openAsking: [String: Int] = [:], recentAsking: [String: Int] = [:]
        for o in open { for s in snapshot.opportunities[Int(o)].skills { openAsking[s.skill, default: 0] += 1 } }
        for o in recent { for s in snapshot.opportunities[Int(o)].skills { recentAsking[s.skill, default: 0] += 1 } }
        let growth = growth ?? Self.forecastGrowth(snapshot.opportunities)
        let skills = Set(openAsking.keys).union(recentAsking.keys)
        let meanOpen = skills.isEmpty ? 0 : Double(skills.reduce(0) { $0 + openAsking[$1, default: 0] }) / Double(skills.count)
        var demand: [String: SkillDemand] = [:]
        for skill in skills {
            let g = growth[skill]
            let openCount = openAsking[skill, default: 0]
            demand[skill] = SkillDemand(
                skill: skill, openPostings: openCount, recentPostings: recentAsking[skill, default: 0], growth: g,
                index: (1 + max(-0.9, g ?? 0)) * (Double(openCount) + 1) / (meanOpen + 1))
        }
        self.demand = demand
        let rates = PassProbabilityModel.rates(snapshot)
        self.courseRates = rates
        self.passModel = PassProbabilityModel.fit(PassProbabilityModel.examples(snapshot, rates: rates))
        var known = Set<String>()
        for o in snapshot.opportunities { for s in o.skills + o.teaches + o.prerequisites { known.insert(s.skill) } }
        for p in snapshot.people { for s in p.skills { known.insert(s.skill) } }
        self.knownSkills = known.sorted()
        self.knownSkillSet = known
        var byFolding: [String: String] = [:]
        for skill in knownSkills where byFolding[Self.folded(skill)] == nil { byFolding[Self.folded(skill)] = skill }
        self.skillsByFolding = byFolding
    }

    /// A skill's name lowercased, with spaces, hyphens and underscores as one `_`.
    static func folded(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "_" }).joined(separator: "_")
    }

    /// Each skill's growth over the next 12 months, by the count trend on the monthly series.
    static func forecastGrowth(_ opportunities: [Opportunity]) -> [String: Double] {
        let book = DemandBook(opportunities)
        var growth: [String: Double] = [:]
        for trend in Trends.analyze(book, keys: book.keys(skills: true), settings: TrendSettings()) {
            if case .skill(let name) = trend.key, let g = trend.growth?.mean, g.isFinite { growth[name] = g }
        }
        return growth
    }

    /// The smoothed pass rate of a course.
    public func passRate(_ course: DenseIndex) -> Double { courseRates.rate(course) }

    /// P(pass) of a person taking a course after its prerequisites: the pass model's, else the
    /// course's smoothed rate.
    public func passProbability(_ course: DenseIndex, person: DenseIndex, skills: LearnerSkills) -> Double {
        passModel?.probability(course, person: person, skills: skills, in: snapshot, rates: courseRates) ?? passRate(course)
    }

    /// Occupation codes with postings in the requirement window, sorted.
    public var occupations: [String] { postingsByOccupation.keys.sorted() }

    /// The title postings give an occupation, or its code.
    public func title(ofOccupation code: String) -> String { titles[code] ?? code }

    /// Open postings of an occupation.
    public func openPostings(ofOccupation code: String) -> [DenseIndex] { openByOccupation[code] ?? [] }

    // MARK: Requirements

    /// A skill a target asks for.
    public struct Requirement: Sendable, Hashable, Codable {
        public var skill: String
        /// The level asked (0-7): the importance-weighted mean of the levels the postings ask.
        public var level: Double
        /// The mean importance (1-5) of the asks.
        public var importance: Double
        /// The share of the target's postings that ask for it.
        public var share: Double
        /// Postings that ask for it.
        public var postings: Int
    }

    /// What a set of postings asks for: per skill asked by at least ``minimumShare`` of them,
    /// `level = Σ importance × level / Σ importance` over the asks, the mean importance and the
    /// share; sorted by skill.
    public func requirements(of postings: [DenseIndex]) -> [Requirement] { Self.requirements(of: postings, in: snapshot.opportunities) }

    /// What a target asks for: an occupation's (computed once, with the market) or the named postings'.
    public func requirements(of target: SkillTarget) -> [Requirement] {
        if case .occupation(let code) = target { return requirementsByOccupation[code] ?? [] }
        return requirements(of: postings(of: target))
    }

    static func requirements(of postings: [DenseIndex], in opportunities: [Opportunity]) -> [Requirement] {
        guard !postings.isEmpty else { return [] }
        var sums: [String: (weighted: Double, importance: Double, count: Int)] = [:]
        for o in postings {
            for s in opportunities[Int(o)].skills {
                let importance = s.importance ?? Self.defaultImportance
                var entry = sums[s.skill] ?? (0, 0, 0)
                entry.weighted += importance * s.level
                entry.importance += importance
                entry.count += 1
                sums[s.skill] = entry
            }
        }
        let n = Double(postings.count)
        return sums.keys.sorted().compactMap { skill in
            let e = sums[skill]!
            let share = Double(e.count) / n
            guard share >= Self.minimumShare else { return nil }
            return Requirement(skill: skill, level: e.weighted / e.importance, importance: e.importance / Double(e.count), share: share, postings: e.count)
        }
    }

    /// The postings of a target: an occupation's recent postings, or the ones named.
    public func postings(of target: SkillTarget) -> [DenseIndex] {
        switch target {
        case .occupation(let code): postingsByOccupation[code] ?? []
        case .postings(let ids): ids.compactMap { snapshot.opportunityIndex.index(of: $0) }
        }
    }

    // MARK: Learners

    /// The skills a person holds at ``now``: stated, raised by the courses they passed.
    public func skills(of person: DenseIndex) -> LearnerSkills {
        var skills = LearnerSkills(stated: snapshot.people[Int(person)].skills)
        for e in snapshot.events(ofPerson: person) where e.type == .pass {
            let course = snapshot.opportunities[Int(e.other)]
            skills.pass(course.id, teaching: course.teaches, at: Timestamp(secondsSinceEpoch: e.time))
        }
        return skills
    }

    /// Courses the person passed, and those they are enrolled in and have not finished.
    func courseHistory(of person: DenseIndex) -> (passed: Set<DenseIndex>, enrolled: Set<DenseIndex>) {
        var passed = Set<DenseIndex>(), enrolled = Set<DenseIndex>()
        for e in snapshot.events(ofPerson: person) {
            switch e.type {
            case .pass: passed.insert(e.other); enrolled.remove(e.other)
            case .enroll: enrolled.insert(e.other)
            case .fail, .cancel, .complete: enrolled.remove(e.other)
            default: break
            }
        }
        return (passed, enrolled)
    }

    /// Open postings whose every ask `skills` meet.
    public func readyPostings(_ skills: LearnerSkills, among postings: [DenseIndex]? = nil) -> [DenseIndex] {
        (postings ?? openPostings).filter { o in snapshot.opportunities[Int(o)].skills.allSatisfy { skills.level($0.skill) >= $0.level } }
    }

    /// `Σ importance × max(0, asked − held) / Σ importance` over `requirements`: how many levels
    /// short the learner is on average, weighted by importance (0 when ready).
    public static func shortfall(_ skills: LearnerSkills, of requirements: [Requirement]) -> Double {
        var total = 0.0, weight = 0.0
        for r in requirements {
            total += r.importance * max(0, r.level - skills.level(r.skill))
            weight += r.importance
        }
        return weight > 0 ? total / weight : 0
    }
}

/// What a learner's gaps are measured against.
public enum SkillTarget: Sendable, Hashable {
    /// An occupation's postings (O*NET-SOC code).
    case occupation(String)
    /// The postings named.
    case postings([OpportunityID])
}

/// A learner's skills: the levels they stated, raised by the courses they passed (and, for a
/// counterfactual, by changes supposed).
public struct LearnerSkills: Sendable, Hashable {
    /// Where a level comes from.
    public enum Source: Sendable, Hashable {
        case stated
        case course(OpportunityID, passed: Timestamp?)
        case supposed
    }

    public struct Held: Sendable, Hashable {
        public var level: Double
        public var source: Source
    }

    public private(set) var held: [String: Held] = [:]

    public init(stated: [SkillLevel]) {
        for s in stated { held[s.skill] = Held(level: s.level, source: .stated) }
    }

    /// The level held (0 when the skill is not held).
    public func level(_ skill: String) -> Double { held[skill]?.level ?? 0 }

    /// Raises the skills a passed course teaches (a course never lowers a level).
    public mutating func pass(_ course: OpportunityID, teaching: [SkillLevel], at time: Timestamp?) {
        for t in teaching where t.level > level(t.skill) { held[t.skill] = Held(level: t.level, source: .course(course, passed: time)) }
    }

    /// Sets a supposed level (a counterfactual), never below the one held.
    public mutating func suppose(_ skill: String, level: Double) {
        if level > self.level(skill) { held[skill] = Held(level: level, source: .supposed) }
    }

    /// The skills held, sorted by name.
    public var skillNames: [String] { held.keys.sorted() }
}
