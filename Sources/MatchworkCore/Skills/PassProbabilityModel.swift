/// P(pass | finished the course) for a learner and a course, learned from the marketplace's
/// pass and fail results.
///
/// ``LogisticRegression`` on (``featureNames``): the course's smoothed pass rate
/// `(passes + 2p̄) / (results + 2)` (leaving the result being fitted out), its level (the highest
/// it teaches), whether the learner met its prerequisites, by how many levels they fell short of
/// them, the learner's own earlier results (their smoothed pass rate, and √(results + 1)), and
/// the course's hours / 10. A learning path takes each course after its prerequisites, so the path
/// asks with the prerequisites met.
///
/// When learners state their prior education (the person facet `education`), each value held by
/// at least 1% of the results adds an indicator: on OULAD's real results it is the learner
/// attribute that predicts most (docs/learning-paths.md).
public struct PassProbabilityModel: Sendable, Hashable, Codable {
    public static let featureNames = ["course_pass_rate", "course_level", "prerequisites_met", "prerequisite_shortfall", "learner_pass_rate", "learner_results", "hours"]
    /// The person facet holding a learner's prior education.
    public static let educationFacet: FacetName = "education"

    public var regression: LogisticRegression
    public var results: Int
    public var passRate: Double
    /// The education values with an indicator feature, after ``featureNames``.
    public var education: [String]

    /// The names of the regression's features.
    public var features: [String] { Self.featureNames + education.map { "education=\($0)" } }

    /// One result: its features and whether it was a pass.
    public struct Example: Sendable, Hashable {
        public var features: [Double]
        public var passed: Bool
        public var time: Int64
        public var person: DenseIndex
        public var course: DenseIndex
        /// The learner's stated prior education.
        public var education: String?

        public init(features: [Double], passed: Bool, time: Int64, person: DenseIndex, course: DenseIndex, education: String? = nil) {
            self.features = features
            self.passed = passed
            self.time = time
            self.person = person
            self.course = course
            self.education = education
        }
    }

    /// Per course, passes and results; and the marketplace's pass rate.
    public struct CourseRates: Sendable, Hashable {
        public var passes: [Int]
        public var results: [Int]
        public var overall: Double

        /// `(passes + 2p̄) / (results + 2)`, less one result of `passed` when leaving it out.
        public func rate(_ course: DenseIndex, leavingOut passed: Bool? = nil) -> Double {
            var p = Double(passes[Int(course)]), n = Double(results[Int(course)])
            if let passed { p -= passed ? 1 : 0; n -= 1 }
            return (p + 2 * overall) / (n + 2)
        }
    }

    /// The rates of the results in `examples` (or every result of `snapshot` when `nil`).
    public static func rates(_ snapshot: MarketplaceSnapshot, from examples: [Example]? = nil) -> CourseRates {
        var passes = [Int](repeating: 0, count: snapshot.opportunities.count), results = passes
        if let examples {
            for e in examples { results[Int(e.course)] += 1; if e.passed { passes[Int(e.course)] += 1 } }
        } else {
            for o in snapshot.opportunities.indices where snapshot.opportunities[o].kind == .course {
                for e in snapshot.events(onOpportunity: DenseIndex(o)) where e.type == .pass || e.type == .fail {
                    results[o] += 1
                    if e.type == .pass { passes[o] += 1 }
                }
            }
        }
        let total = results.reduce(0, +)
        return CourseRates(passes: passes, results: results, overall: total > 0 ? Double(passes.reduce(0, +)) / Double(total) : 0.7)
    }

    /// The features of `learner` (with `skills`, and `earlier` results of which `earlierPasses`
    /// passed) taking `course`.
    public static func features(
        course: Opportunity, rate: Double, skills: LearnerSkills, earlier: Int, earlierPasses: Int, overall: Double
    ) -> [Double] {
        var shortfall = 0.0
        for pre in course.prerequisites { shortfall += max(0, pre.level - skills.level(pre.skill)) }
        let level = course.teaches.map(\.level).max() ?? 0
        return [
            rate, level, shortfall == 0 ? 1 : 0, shortfall, (Double(earlierPasses) + 2 * overall) / (Double(earlier) + 2),
            (Double(earlier) + 1).squareRoot(), (course.attributes["hours"] ?? 0) / 10,
        ]
    }

    /// Every pass or fail of the marketplace, oldest first, with the learner's skills and
    /// results before it; the course rate leaves the result itself out.
    /// - Parameter leavingOut: whether each result is counted in `rates` and must be left out of
    ///   its own course rate (true for fitting on the rates of the same results).
    public static func examples(_ snapshot: MarketplaceSnapshot, rates: CourseRates? = nil, leavingOut: Bool = true) -> [Example] {
        let rates = rates ?? Self.rates(snapshot)
        var out: [Example] = []
        for p in snapshot.people.indices {
            let education = snapshot.people[p].facets.values[educationFacet]?.first
            var skills = LearnerSkills(stated: snapshot.people[p].skills)
            var earlier = 0, earlierPasses = 0
            for e in snapshot.events(ofPerson: DenseIndex(p)) where e.type == .pass || e.type == .fail {
                let course = snapshot.opportunities[Int(e.other)]
                guard course.kind == .course else { continue }
                let passed = e.type == .pass
                out.append(Example(
                    features: features(course: course, rate: rates.rate(e.other, leavingOut: leavingOut ? passed : nil), skills: skills, earlier: earlier, earlierPasses: earlierPasses, overall: rates.overall),
                    passed: passed, time: e.time, person: DenseIndex(p), course: e.other, education: education))
                earlier += 1
                if passed { earlierPasses += 1; skills.pass(course.id, teaching: course.teaches, at: nil) }
            }
        }
        return out.sorted { ($0.time, $0.person, $0.course) < ($1.time, $1.person, $1.course) }
    }

    /// Fits the model; `nil` with fewer than 30 results or only one kind of result.
    public static func fit(_ examples: [Example]) -> PassProbabilityModel? {
        let passes = examples.filter(\.passed).count
        guard examples.count >= 30, passes > 0, passes < examples.count else { return nil }
        var counts: [String: Int] = [:]
        for e in examples { if let v = e.education { counts[v, default: 0] += 1 } }
        let education = counts.filter { 100 * $0.value >= examples.count }.keys.sorted().prefix(20)
        var model = PassProbabilityModel(regression: LogisticRegression(weights: [], means: [], scales: []), results: examples.count, passRate: Double(passes) / Double(examples.count), education: Array(education))
        model.regression = LogisticRegression.fit(examples.map { model.row($0.features, education: $0.education) }, examples.map(\.passed))
        return model
    }

    /// The regression's row: `features` then the education indicators.
    func row(_ features: [Double], education value: String?) -> [Double] {
        guard !education.isEmpty else { return features }
        return features + education.map { $0 == value ? 1 : 0 }
    }

    /// P(pass) for ``featureNames`` `features` of a learner with prior `education`.
    public func probability(_ features: [Double], education: String? = nil) -> Double { regression.probability(row(features, education: education)) }
}

extension PassProbabilityModel {
    /// P(pass) of `person` taking `course` with its prerequisites met (as a learning path takes it).
    public func probability(_ course: DenseIndex, person: DenseIndex, skills: LearnerSkills, in snapshot: MarketplaceSnapshot, rates: CourseRates) -> Double {
        var earlier = 0, passes = 0
        for e in snapshot.events(ofPerson: person) where e.type == .pass || e.type == .fail {
            earlier += 1
            if e.type == .pass { passes += 1 }
        }
        var x = Self.features(course: snapshot.opportunities[Int(course)], rate: rates.rate(course), skills: skills, earlier: earlier, earlierPasses: passes, overall: rates.overall)
        x[2] = 1
        x[3] = 0
        return probability(x, education: snapshot.people[Int(person)].facets.values[Self.educationFacet]?.first)
    }
}
