/// What a learning path minimises.
public enum PathObjective: String, Sendable, Hashable, Codable, CaseIterable {
    /// Total course hours.
    case hours
    /// Total price.
    case price
    /// Expected hours including retakes: `hours / P(pass)` per course (a course is retaken
    /// until passed, so the attempts are geometric).
    case expectedTime = "expected_time"

    public static func parse(_ text: String, field: String = "objective") throws(MatchworkError) -> PathObjective {
        guard let objective = PathObjective(rawValue: text) else {
            throw MatchworkError(.unknownVocabulary, "\(field) '\(text)' is not an objective; use hours, price or expected_time.", field: field)
        }
        return objective
    }
}

/// The settings of a learning path.
public struct PathSettings: Sendable, Hashable {
    public var objective: PathObjective
    /// The most hours the path may take; goals are left for later, lightest first, until it fits.
    public var maxHours: Double?
    /// Search nodes before the planner returns its best path with a bound instead of a proof.
    public var nodeBudget: Int

    public static let nodeBudgets = 1...10_000_000

    public init(objective: PathObjective = .hours, maxHours: Double? = nil, nodeBudget: Int = 200_000) {
        self.objective = objective
        self.maxHours = maxHours
        self.nodeBudget = nodeBudget
    }
}

/// An ordered list of courses that takes a learner from their skills to a target's levels.
public struct LearningPath: Sendable, Hashable, Codable {
    public var person: PersonID
    public var target: SkillGapAnalysis.TargetSummary
    public var objective: PathObjective
    public var steps: [Step]
    public var totalHours: Double
    public var totalPrice: Double
    /// `Σ hours / P(pass)`.
    public var expectedHours: Double
    /// Gaps the path leaves: no course reaches the level, or left out to fit `--max-hours`.
    public var unclosed: [Unclosed]
    public var optimality: Optimality
    /// Open postings the learner is ready for now and after the last step.
    public var readyBefore: Int
    public var readyAfter: Int
    public var summary: String
    public var at: String

    public struct Step: Sendable, Hashable, Codable {
        public var position: Int
        public var course: OpportunityID
        public var title: String?
        public var hours: Double
        public var price: Double?
        public var passProbability: Double
        /// Gaps it closes: the skill, the level before and after, and the target's level.
        public var closes: [Change]
        /// Skills it raises toward a later step's prerequisite, or part of the way.
        public var raises: [Change]
        public var prerequisites: [Prerequisite]
        /// Open postings the learner becomes ready for after this step, and a few of them.
        public var newlyReady: Int
        public var newlyReadyExamples: [OpportunityID]
        public var reason: String
    }

    public struct Change: Sendable, Hashable, Codable {
        public var skill: String
        public var label: String
        public var from: Double
        public var to: Double
        /// The level the target asks, when the skill is one of its gaps.
        public var asked: Double?
    }

    public struct Prerequisite: Sendable, Hashable, Codable {
        public var skill: String
        public var level: Double
        /// `your level 3 (stated)`, `your level 4 (from course-5)`, `after course-12 (step 1)`.
        public var metBy: String
        /// The step that provides it, when one does.
        public var step: Int?
    }

    public struct Unclosed: Sendable, Hashable, Codable {
        public var skill: String
        public var label: String
        public var held: Double
        public var asked: Double
        /// The highest level open courses can bring it to from here.
        public var reachable: Double
        public var reason: String
    }

    public struct Optimality: Sendable, Hashable, Codable {
        /// `optimal` (the search finished), or `best_found` (budget spent; within `gap` of the optimum).
        public var status: String
        public var cost: Double
        public var lowerBound: Double
        /// `cost / lowerBound − 1`: how far above the optimum the path can be (0 when optimal).
        public var gap: Double
        public var nodes: Int
        /// The greedy plan's cost on the same problem.
        public var greedyCost: Double?
    }
}

extension SkillMarket {
    /// The courses of `among` that can help raise `skills`: those teaching one of them above the
    /// level held, then, repeatedly, those teaching a skill a chosen course needs; sorted.
    public func candidateCourses(raising skills: [String], held: LearnerSkills, among: [DenseIndex]) -> [DenseIndex] {
        var candidates: [DenseIndex] = [], taken = Set<DenseIndex>(), known = Set(skills)
        var frontier = Set(skills)
        while !frontier.isEmpty {
            var next = Set<String>()
            for c in among where !taken.contains(c) {
                let course = snapshot.opportunities[Int(c)]
                guard course.teaches.contains(where: { frontier.contains($0.skill) && $0.level > held.level($0.skill) }) else { continue }
                taken.insert(c)
                candidates.append(c)
                for pre in course.prerequisites where known.insert(pre.skill).inserted { next.insert(pre.skill) }
            }
            frontier = next
        }
        return candidates.sorted()
    }

    /// Plans the courses that close a learner's gaps against a target, from their current skills
    /// (courses they passed count, and are not offered again; courses they are enrolled in are).
    ///
    /// - Throws: when the person or target is unknown, or settings are out of range.
    public func path(person: PersonID, target: SkillTarget? = nil, settings: PathSettings = PathSettings(), skills: LearnerSkills? = nil) throws(MatchworkError) -> LearningPath {
        if let maxHours = settings.maxHours, !(maxHours.isFinite && maxHours > 0) {
            throw MatchworkError(.invalidValue, "max hours \(maxHours) must be a positive number of hours; leave it out for no limit.", field: "max_hours")
        }
        guard PathSettings.nodeBudgets.contains(settings.nodeBudget) else {
            throw MatchworkError(.invalidValue, "node budget \(settings.nodeBudget) is out of range; give 1 to 10000000.", field: "node_budget")
        }
        let p = try snapshot.index(of: person)
        let analysis = try analyze(person: person, target: target, skills: skills, nearest: 0)
        let held = skills ?? self.skills(of: p)
        let passed = courseHistory(of: p).passed

        // The problem: skills of the gaps and of the prerequisites of courses that might help.
        var skillIndex: [String: Int] = [:], skillNames: [String] = []
        func index(_ skill: String) -> Int {
            if let i = skillIndex[skill] { return i }
            skillIndex[skill] = skillNames.count
            skillNames.append(skill)
            return skillNames.count - 1
        }
        for gap in analysis.gaps { _ = index(gap.skill) }
        let candidates = candidateCourses(raising: skillNames, held: held, among: courses.filter { !passed.contains($0) })
        for c in candidates { for pre in snapshot.opportunities[Int(c)].prerequisites { _ = index(pre.skill) } }
        let passProbabilities = Dictionary(uniqueKeysWithValues: candidates.map { ($0, passProbability($0, person: p, skills: held)) })
        func cost(_ c: DenseIndex) -> Double {
            let o = snapshot.opportunities[Int(c)]
            let hours = o.attributes["hours"] ?? 0
            switch settings.objective {
            case .hours: return max(hours, 1e-3)
            case .price: return max(o.attributes["price"] ?? 0, 1e-3)
            case .expectedTime: return max(hours, 1e-3) / max(0.05, passProbabilities[c]!)
            }
        }
        let courseModels = candidates.map { c in
            let o = snapshot.opportunities[Int(c)]
            return PathPlanner.Course(
                teaches: o.teaches.compactMap { t in skillIndex[t.skill].map { ($0, t.level) } },
                prerequisites: o.prerequisites.map { (index($0.skill), $0.level) }, cost: cost(c))
        }
        let start = skillNames.map { held.level($0) }
        var goals = [Double](repeating: 0, count: skillNames.count)
        for gap in analysis.gaps { goals[skillIndex[gap.skill]!] = gap.asked }
        var problem = PathPlanner.Problem(start: start, goal: goals, courses: courseModels)

        // Solve; under a limit of hours, leave the lightest goals for later until it fits.
        var solution = PathPlanner.solve(problem, nodeBudget: settings.nodeBudget)
        var greedy = PathPlanner.greedy(problem)
        var leftOut: [String] = []
        if let limit = settings.maxHours {
            var byWeight = analysis.gaps.sorted { ($0.weight, $1.skill) < ($1.weight, $0.skill) }
            func hours(_ s: PathPlanner.Solution) -> Double { s.order.reduce(0) { $0 + (snapshot.opportunities[Int(candidates[$1])].attributes["hours"] ?? 0) } }
            while hours(solution) > limit, let lightest = byWeight.first {
                byWeight.removeFirst()
                leftOut.append(lightest.skill)
                problem.goal[skillIndex[lightest.skill]!] = 0
                solution = PathPlanner.solve(problem, nodeBudget: settings.nodeBudget)
                greedy = PathPlanner.greedy(problem)
            }
        }

        // Steps, in order, with what each closes and unlocks.
        var levels = held
        var ready = Set(readyPostings(levels))
        let readyBefore = ready.count
        let askedBy = Dictionary(uniqueKeysWithValues: analysis.gaps.map { ($0.skill, $0.asked) })
        var providedBy: [String: [(level: Double, step: Int, course: OpportunityID)]] = [:]
        var steps: [LearningPath.Step] = []
        let complete = solution.cost.isFinite
        for (n, c) in (complete ? solution.order : []).enumerated() {
            let dense = candidates[c]
            let o = snapshot.opportunities[Int(dense)]
            let prerequisites = o.prerequisites.map { pre -> LearningPath.Prerequisite in
                if let provider = providedBy[pre.skill]?.first(where: { $0.level >= pre.level }) {
                    return .init(skill: pre.skill, level: pre.level, metBy: "after \(provider.course) (step \(provider.step))", step: provider.step)
                }
                let from: String = switch levels.held[pre.skill]?.source {
                case .course(let id, _): "from \(id)"
                case .supposed: "supposed"
                default: "stated"
                }
                return .init(skill: pre.skill, level: pre.level, metBy: "your level \(Self.number(levels.level(pre.skill))) (\(from))", step: nil)
            }
            var closes: [LearningPath.Change] = [], raises: [LearningPath.Change] = []
            for t in o.teaches where t.level > levels.level(t.skill) {
                let change = LearningPath.Change(skill: t.skill, label: Self.label(t.skill), from: levels.level(t.skill), to: t.level, asked: askedBy[t.skill])
                if let asked = askedBy[t.skill], t.level >= asked, levels.level(t.skill) < asked { closes.append(change) } else { raises.append(change) }
                providedBy[t.skill, default: []].append((t.level, n + 1, o.id))
            }
            levels.pass(o.id, teaching: o.teaches, at: nil)
            let nowReady = readyPostings(levels)
            let newly = nowReady.filter { !ready.contains($0) }
            ready.formUnion(newly)
            let pass = passProbabilities[dense]!
            var reason = closes.isEmpty
                ? "raises " + raises.map { "\($0.label) \(Self.number($0.from)) → \(Self.number($0.to))" }.joined(separator: ", ")
                : "closes " + closes.map { "\($0.label) (\(Self.number($0.from)) → \(Self.number($0.to)), asked \(Self.number($0.asked ?? $0.to)))" }.joined(separator: ", ")
            if !closes.isEmpty, !raises.isEmpty { reason += "; raises " + raises.map { "\($0.label) \(Self.number($0.from)) → \(Self.number($0.to))" }.joined(separator: ", ") }
            if !prerequisites.isEmpty { reason += "; needs " + prerequisites.map { "\(Self.label($0.skill)) \(Self.number($0.level)): \($0.metBy)" }.joined(separator: ", ") }
            reason += "; \(Self.number(o.attributes["hours"] ?? 0)) h, \(Int((100 * pass).rounded()))% chance to pass"
            reason += newly.isEmpty ? "" : "; then ready for \(newly.count) more open posting\(newly.count == 1 ? "" : "s")"
            steps.append(.init(
                position: n + 1, course: o.id, title: o.title, hours: o.attributes["hours"] ?? 0, price: o.attributes["price"], passProbability: pass,
                closes: closes, raises: raises, prerequisites: prerequisites, newlyReady: newly.count,
                newlyReadyExamples: newly.prefix(3).map { snapshot.opportunities[Int($0)].id }, reason: reason))
        }

        // What stays open.
        let reach = PathPlanner.reachable(PathPlanner.Problem(start: start, goal: goals, courses: courseModels))
        var unclosed: [LearningPath.Unclosed] = []
        for gap in analysis.gaps where levels.level(gap.skill) < gap.asked {
            let best = reach[skillIndex[gap.skill]!]
            let reason: String
            if leftOut.contains(gap.skill), best >= gap.asked {
                reason = "\(gap.label): left for later to keep within \(Self.number(settings.maxHours ?? 0)) hours (the lightest gaps go first)"
            } else if best <= gap.held {
                reason = "\(gap.label): no open course teaches it beyond your \(Self.number(gap.held)); \(Self.number(gap.asked)) is asked"
            } else {
                reason = "\(gap.label): open courses reach \(Self.number(best)) at most; \(Self.number(gap.asked)) is asked"
            }
            unclosed.append(.init(skill: gap.skill, label: gap.label, held: levels.level(gap.skill), asked: gap.asked, reachable: best, reason: reason))
        }
        let totalHours = steps.reduce(0) { $0 + $1.hours }
        let totalPrice = steps.reduce(0) { $0 + ($1.price ?? 0) }
        let expected = steps.reduce(0) { $0 + $1.hours / max(0.05, $1.passProbability) }
        let optimality = LearningPath.Optimality(
            status: solution.proven ? "optimal" : "best_found", cost: complete ? solution.cost : 0, lowerBound: complete ? solution.lowerBound : 0,
            gap: complete && solution.lowerBound > 0 ? solution.cost / solution.lowerBound - 1 : 0, nodes: solution.nodes,
            greedyCost: greedy.cost.isFinite ? greedy.cost : nil)
        var summary: String
        if analysis.gaps.isEmpty {
            summary = "\(analysis.target.title): no gap to close"
        } else if steps.isEmpty {
            summary = "\(analysis.target.title): no open course closes any of the \(analysis.gaps.count) gaps"
        } else {
            summary = "\(analysis.target.title): \(steps.count) course\(steps.count == 1 ? "" : "s"), \(Self.number(totalHours)) h"
            if totalPrice > 0 { summary += ", \(Self.number(totalPrice)) in fees" }
            summary += ", closing \(analysis.gaps.count - unclosed.count) of \(analysis.gaps.count) gaps"
            summary += solution.proven ? " (optimal for \(settings.objective.rawValue))" : " (best found; at most \(Int((100 * optimality.gap).rounded()))% above the optimum)"
            summary += "; ready for \(readyBefore) open posting\(readyBefore == 1 ? "" : "s") now, \(ready.count) after"
        }
        return LearningPath(
            person: person, target: analysis.target, objective: settings.objective, steps: steps, totalHours: totalHours, totalPrice: totalPrice,
            expectedHours: expected, unclosed: unclosed, optimality: optimality, readyBefore: readyBefore, readyAfter: ready.count, summary: summary, at: now.iso8601)
    }
}
