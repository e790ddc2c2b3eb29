public import MatchworkCore
import RealModule

/// Skill gaps, the hire model, predicted impacts and learning paths measured on a generated
/// learning marketplace against its hidden ground truth.
///
/// - Gaps: each learner's top 5 gaps against the top 5 of the true gaps
///   (`max(0, O*NET level − level held) × O*NET importance`, on the true requirements of their
///   target); precision and recall at 5, for the ranking by weight (with demand), by
///   gap × importance, and for a baseline that ignores the courses passed. Also the mean absolute
///   error of the levels asked against O*NET's.
/// - Hire model: fitted on the first 80% of the applications in time, scored on the last 20%
///   (AUC, log loss, Brier score, calibration); beside it, the generator's own model with the
///   learners' true ability (the ceiling) and the base rate.
/// - Impact: for learners with open target postings, the predicted change of the mean
///   P(hired | applied) over those postings after the first course of their path and after the
///   whole path, against the change the generator's model gives with their true ability.
/// - Paths: for learners who passed courses, the hours of the courses they passed against the
///   optimal path to the same levels from their stated skills (with prerequisites, without
///   them, and for the learners who kept to them); the greedy plan against the optimum; and the
///   share of planned paths whose every prerequisite holds.
public struct SkillEvaluation: Sendable, Hashable, Codable {
    public struct TopK: Sendable, Hashable, Codable {
        public var precision: Double
        public var recall: Double
    }

    public struct Gaps: Sendable, Hashable, Codable {
        public var learners: Int
        public var byWeight: TopK
        public var byGapTimesImportance: TopK
        /// Stated skills only (courses passed ignored), by gap × importance.
        public var ignoringCourses: TopK
        /// Mean |level asked − O*NET level| over the target's required skills.
        public var levelError: Double
    }

    public struct Hires: Sendable, Hashable, Codable {
        public var trainApplications: Int
        public var model: ClassifierQuality
        /// The generator's model with true ability: the best any model of these features can reach.
        public var truth: ClassifierQuality
        /// The base rate for everyone: Brier score and log loss.
        public var baseRateBrier: Double
        public var baseRateLogLoss: Double
    }

    public struct Impact: Sendable, Hashable, Codable {
        public var learners: Int
        public var change: String
        public var meanPredicted: Double
        public var meanTrue: Double
        public var meanAbsoluteError: Double
        public var correlation: Double
    }

    public struct Paths: Sendable, Hashable, Codable {
        /// Learners with courses passed, compared.
        public var learners: Int
        public var actualHours: Double
        public var plannedHours: Double
        /// Mean over learners of planned / actual hours.
        public var meanRatio: Double
        /// The optimum when prerequisites are ignored, as many learners did (mean hours, mean ratio).
        public var unconstrainedHours: Double
        public var unconstrainedRatio: Double
        /// Learners whose every passed course had its prerequisites met when taken: their hours
        /// against the optimum.
        public var prerequisiteKeepers: Int
        public var keepersActualHours: Double
        public var keepersPlannedHours: Double
        /// Target paths planned, proven optimal, and valid (every prerequisite holds, no course twice, levels reached).
        public var planned: Int
        public var proven: Int
        public var valid: Int
        /// Greedy against optimum on the proven ones: mean cost ratio, and the share where equal.
        public var greedyRatio: Double
        public var greedyOptimalShare: Double
    }

    public struct Passes: Sendable, Hashable, Codable {
        public var trainResults: Int
        public var model: ClassifierQuality
        /// The course's smoothed pass rate alone.
        public var courseRate: ClassifierQuality
        /// The generator's pass model with the true ability and course quality.
        public var truth: ClassifierQuality
    }

    public var gaps: Gaps
    public var hires: Hires
    public var passes: Passes
    public var impact: [Impact]
    public var paths: Paths

    /// Runs every measurement.
    ///
    /// - Parameter learners: the most learners sampled for the impact and path measurements
    ///   (every `n/learners`-th one).
    public static func run(_ market: SkillMarket, truth: GroundTruth, learners limit: Int = 400) throws(MatchworkError) -> SkillEvaluation {
        guard let hireModel = HireModel(truth: truth) else {
            throw MatchworkError(.invalidValue, "the store's ground truth has no hire model; generate the learning marketplace again with this release (matchwork generate learning).", field: "store")
        }
        let snapshot = market.snapshot
        let learnerIndices = snapshot.people.indices.filter { snapshot.people[$0].role == .learner }
        let stride = max(1, learnerIndices.count / max(1, limit))
        let sample = learnerIndices.enumerated().filter { $0.offset % stride == 0 }.map { DenseIndex($0.element) }.prefix(limit)

        // Gaps.
        var hits = (weight: 0, gapImportance: 0, stated: 0), ours = (weight: 0, gapImportance: 0, stated: 0), trueCount = 0
        var levelError = 0.0, levelCount = 0, gapLearners = 0
        for p in learnerIndices.map({ DenseIndex($0) }) {
            let person = snapshot.people[Int(p)]
            guard let code = truth.personSegments[person.id.rawValue], let required = truth.opportunityLatent["requirements:\(code)"],
                let importance = truth.opportunityLatent["importance:\(code)"],
                let analysis = try? market.analyze(person: person.id, target: .occupation(code), nearest: 0)
            else { continue }
            let skills = market.skills(of: p)
            let trueTop = Set(required.keys.map { s in (s, max(0, required[s]! - skills.level(s)) * (importance[s] ?? 3)) }.filter { $0.1 > 0 }
                .sorted { ($0.1, $1.0) > ($1.1, $0.0) }.prefix(5).map(\.0))
            guard !trueTop.isEmpty else { continue }
            gapLearners += 1
            trueCount += trueTop.count
            let byWeight = analysis.gaps.prefix(5).map(\.skill)
            let byGapImportance = analysis.gaps.sorted { ($0.gap * $0.importance, $1.skill) > ($1.gap * $1.importance, $0.skill) }.prefix(5).map(\.skill)
            let stated = market.rankedGaps(LearnerSkills(stated: person.skills), market.requirements(of: .occupation(code)), title: "")
                .sorted { ($0.gap * $0.importance, $1.skill) > ($1.gap * $1.importance, $0.skill) }.prefix(5).map(\.skill)
            hits.weight += byWeight.filter(trueTop.contains).count
            hits.gapImportance += byGapImportance.filter(trueTop.contains).count
            hits.stated += stated.filter(trueTop.contains).count
            ours.weight += byWeight.count
            ours.gapImportance += byGapImportance.count
            ours.stated += stated.count
            for r in market.requirements(of: .occupation(code)) {
                if let level = required[r.skill] { levelError += abs(r.level - level); levelCount += 1 }
            }
        }
        func topK(_ hit: Int, _ returned: Int) -> TopK { TopK(precision: returned > 0 ? Double(hit) / Double(returned) : 0, recall: trueCount > 0 ? Double(hit) / Double(trueCount) : 0) }
        let gaps = Gaps(
            learners: gapLearners, byWeight: topK(hits.weight, ours.weight), byGapTimesImportance: topK(hits.gapImportance, ours.gapImportance),
            ignoringCourses: topK(hits.stated, ours.stated), levelError: levelCount > 0 ? levelError / Double(levelCount) : 0)

        // Hires.
        let examples = HireProbabilityModel.examples(market)
        let cut = Int(Double(examples.count) * 0.8)
        let model = try HireProbabilityModel.fit(Array(examples[..<cut]))
        let test = Array(examples[cut...])
        let outcomes = test.map(\.hired)
        let ability = { (p: DenseIndex) in truth.personLatent[snapshot.people[Int(p)].id.rawValue]?["ability"] ?? 0 }
        let truthProbabilities = test.map { e in hireModel.probability(shortfall: HireModelFeatures.shortfall(e.features), ability: ability(e.person)) }
        let rate = Double(examples[..<cut].filter(\.hired).count) / Double(cut)
        let baseLoss = outcomes.reduce(0.0) { $0 - ($1 ? Double.log(rate) : Double.log(1 - rate)) } / Double(max(1, test.count))
        let baseBrier = outcomes.reduce(0.0) { $0 + (($1 ? 1 : 0) - rate) * (($1 ? 1 : 0) - rate) } / Double(max(1, test.count))
        let hires = Hires(
            trainApplications: cut, model: ClassifierQuality(probabilities: test.map { model.probability($0.features) }, outcomes: outcomes),
            truth: ClassifierQuality(probabilities: truthProbabilities, outcomes: outcomes), baseRateBrier: baseBrier, baseRateLogLoss: baseLoss)

        // Passes: fitted on the first 80% of the results in time, with course rates from those alone.
        let all = PassProbabilityModel.examples(snapshot)
        let passCut = all.count > 0 ? all[Int(Double(all.count) * 0.8)].time : 0
        let trainResults = all.filter { $0.time < passCut }
        let trainRates = PassProbabilityModel.rates(snapshot, from: trainResults)
        let passTrain = PassProbabilityModel.examples(snapshot, rates: trainRates).filter { $0.time < passCut }
        let passTest = PassProbabilityModel.examples(snapshot, rates: trainRates, leavingOut: false).filter { $0.time >= passCut }
        guard let passModel = PassProbabilityModel.fit(passTrain), !passTest.isEmpty else {
            throw MatchworkError(.invalidValue, "the store has too few pass and fail results to measure the pass model; generate a larger learning marketplace.", field: "store")
        }
        let passOutcomes = passTest.map(\.passed)
        func truthPass(_ e: PassProbabilityModel.Example) -> Double {
            // The generator: 1.2 ability + 1.5 quality − 0.35 (difficulty − 3.5) + (prerequisites met within 0.5 ? 0.8 : −1.2).
            let course = snapshot.opportunities[Int(e.course)]
            let quality = truth.opportunityLatent[course.id.rawValue]?["quality"] ?? 0.75
            let logit = 1.2 * ability(e.person) + 1.5 * quality - 0.35 * (e.features[1] - 3.5) + (Self.prerequisitesWithinHalf(course, e) ? 0.8 : -1.2)
            return 1 / (1 + Double.exp(-logit))
        }
        let passes = Passes(
            trainResults: passTrain.count, model: ClassifierQuality(probabilities: passTest.map { passModel.probability($0.features) }, outcomes: passOutcomes),
            courseRate: ClassifierQuality(probabilities: passTest.map { $0.features[0] }, outcomes: passOutcomes),
            truth: ClassifierQuality(probabilities: passTest.map(truthPass), outcomes: passOutcomes))

        // Impact and paths, on the sample; the full model serves the impact, as in the product.
        let full = try HireProbabilityModel.fit(examples)
        var impactRows: [String: [(Double, Double)]] = ["first course of the path": [], "whole path": []]
        var planned = 0, proven = 0, valid = 0, greedyRatios: [Double] = [], greedyEqual = 0
        for p in sample {
            let person = snapshot.people[Int(p)]
            guard let code = truth.personSegments[person.id.rawValue], !market.openPostings(ofOccupation: code).isEmpty,
                let path = try? market.path(person: person.id, target: .occupation(code))
            else { continue }
            planned += 1
            if path.optimality.status == "optimal" {
                proven += 1
                if let greedy = path.optimality.greedyCost, path.optimality.cost > 0 {
                    greedyRatios.append(greedy / path.optimality.cost)
                    if abs(greedy - path.optimality.cost) < 1e-9 { greedyEqual += 1 }
                }
            }
            if Self.isValid(path, person: p, market: market) { valid += 1 }
            guard let first = path.steps.first else { continue }
            let open = market.openPostings(ofOccupation: code)
            let before = market.skills(of: p)
            let a = ability(p)
            func trueMean(_ skills: LearnerSkills) -> Double {
                open.reduce(0) { $0 + hireModel.probability(shortfall: HireModel.shortfall(asked: snapshot.opportunities[Int($1)].skills) { skills.level($0) }, ability: a) } / Double(open.count)
            }
            for (label, changes) in [("first course of the path", [SkillChange.course(first.course)]), ("whole path", [SkillChange.path])] {
                guard let impact = try? market.impact(person: person.id, target: .occupation(code), changes: changes, model: full),
                    let (after, _, _) = try? market.applying(changes, to: before, person: person.id, target: .occupation(code))
                else { continue }
                impactRows[label]!.append((impact.hireProbabilityChange, trueMean(after) - trueMean(before)))
            }
        }
        let impact = ["first course of the path", "whole path"].map { label -> Impact in
            let rows = impactRows[label]!
            let n = Double(max(1, rows.count))
            let mp = rows.reduce(0) { $0 + $1.0 } / n, mt = rows.reduce(0) { $0 + $1.1 } / n
            var sxy = 0.0, sxx = 0.0, syy = 0.0
            for (x, y) in rows { sxy += (x - mp) * (y - mt); sxx += (x - mp) * (x - mp); syy += (y - mt) * (y - mt) }
            return Impact(
                learners: rows.count, change: label, meanPredicted: mp, meanTrue: mt, meanAbsoluteError: rows.reduce(0) { $0 + abs($1.0 - $1.1) } / n,
                correlation: sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0)
        }

        // The courses learners passed against the optimum to the same levels.
        var actualHours = 0.0, plannedHours = 0.0, ratios: [Double] = [], compared = 0
        var unconstrained = 0.0, unconstrainedRatios: [Double] = [], keepers = 0, keepersActual = 0.0, keepersPlanned = 0.0
        let allCourses = snapshot.opportunities.indices.filter { snapshot.opportunities[$0].kind == .course }.map { DenseIndex($0) }
        for p in sample {
            let person = snapshot.people[Int(p)]
            let passed = snapshot.events(ofPerson: p).filter { $0.type == .pass }.map(\.other)
            guard !passed.isEmpty else { continue }
            let stated = LearnerSkills(stated: person.skills), reached = market.skills(of: p)
            let raised = reached.skillNames.filter { reached.level($0) > stated.level($0) }
            guard !raised.isEmpty else { continue }
            let candidates = market.candidateCourses(raising: raised, held: stated, among: allCourses)
            var index: [String: Int] = [:]
            for s in raised { index[s] = index.count }
            for c in candidates { for s in snapshot.opportunities[Int(c)].prerequisites where index[s.skill] == nil { index[s.skill] = index.count } }
            var start = [Double](repeating: 0, count: index.count), goal = start
            for (s, i) in index { start[i] = stated.level(s) }
            for s in raised { goal[index[s]!] = reached.level(s) }
            let courses = candidates.map { c in
                let o = snapshot.opportunities[Int(c)]
                return PathPlanner.Course(
                    teaches: o.teaches.compactMap { t in index[t.skill].map { ($0, t.level) } }, prerequisites: o.prerequisites.map { (index[$0.skill]!, $0.level) },
                    cost: max(1e-3, o.attributes["hours"] ?? 0))
            }
            let solution = PathPlanner.solve(PathPlanner.Problem(start: start, goal: goal, courses: courses))
            let free = PathPlanner.solve(PathPlanner.Problem(start: start, goal: goal, courses: courses.map { PathPlanner.Course(teaches: $0.teaches, prerequisites: [], cost: $0.cost) }))
            guard solution.cost.isFinite, free.cost.isFinite else { continue }
            let actual = Set(passed).reduce(0.0) { $0 + (snapshot.opportunities[Int($1)].attributes["hours"] ?? 0) }
            guard actual > 0 else { continue }
            compared += 1
            actualHours += actual
            plannedHours += solution.cost
            ratios.append(solution.cost / actual)
            unconstrained += free.cost
            unconstrainedRatios.append(free.cost / actual)
            // Did the learner meet each passed course's prerequisites when enrolling?
            var levels = LearnerSkills(stated: person.skills), kept = true
            for e in snapshot.events(ofPerson: p) {
                let o = snapshot.opportunities[Int(e.other)]
                if e.type == .enroll, o.kind == .course, passed.contains(e.other), !o.prerequisites.allSatisfy({ levels.level($0.skill) >= $0.level }) { kept = false }
                if e.type == .pass { levels.pass(o.id, teaching: o.teaches, at: nil) }
            }
            if kept {
                keepers += 1
                keepersActual += actual
                keepersPlanned += solution.cost
            }
        }
        let paths = Paths(
            learners: compared, actualHours: actualHours / Double(max(1, compared)), plannedHours: plannedHours / Double(max(1, compared)),
            meanRatio: ratios.reduce(0, +) / Double(max(1, ratios.count)),
            unconstrainedHours: unconstrained / Double(max(1, compared)), unconstrainedRatio: unconstrainedRatios.reduce(0, +) / Double(max(1, unconstrainedRatios.count)),
            prerequisiteKeepers: keepers, keepersActualHours: keepersActual / Double(max(1, keepers)), keepersPlannedHours: keepersPlanned / Double(max(1, keepers)),
            planned: planned, proven: proven, valid: valid,
            greedyRatio: greedyRatios.reduce(0, +) / Double(max(1, greedyRatios.count)), greedyOptimalShare: Double(greedyEqual) / Double(max(1, greedyRatios.count)))
        return SkillEvaluation(gaps: gaps, hires: hires, passes: passes, impact: impact, paths: paths)
    }

    /// Whether the learner held each prerequisite within half a level when taking the course (the
    /// generator's rule), from the features' shortfall: a shortfall under 0.5 on a single
    /// prerequisite.
    static func prerequisitesWithinHalf(_ course: Opportunity, _ e: PassProbabilityModel.Example) -> Bool {
        course.prerequisites.isEmpty || e.features[3] <= 0.5 * Double(course.prerequisites.count)
    }

    /// Whether a path's steps are each allowed when taken (prerequisites met by the skills
    /// before), no course is taken twice, and every gap it claims closed is closed.
    public static func isValid(_ path: LearningPath, person: DenseIndex, market: SkillMarket) -> Bool {
        var skills = market.skills(of: person)
        var seen = Set<OpportunityID>()
        for step in path.steps {
            guard seen.insert(step.course).inserted, let c = market.snapshot.opportunityIndex.index(of: step.course) else { return false }
            let course = market.snapshot.opportunities[Int(c)]
            guard course.prerequisites.allSatisfy({ skills.level($0.skill) >= $0.level }) else { return false }
            skills.pass(course.id, teaching: course.teaches, at: nil)
        }
        let unclosed = Set(path.unclosed.map(\.skill))
        guard let code = path.target.code, let analysis = try? market.analyze(person: path.person, target: .occupation(code), nearest: 0) else { return false }
        return analysis.gaps.allSatisfy { unclosed.contains($0.skill) || skills.level($0.skill) >= $0.asked }
    }
}

/// Reading the generator's features back from the model's.
enum HireModelFeatures {
    /// The importance-weighted mean shortfall: the first of ``HireProbabilityModel/featureNames``.
    static func shortfall(_ features: [Double]) -> Double { features[0] }
}
