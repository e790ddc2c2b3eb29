/// A change to a learner's skills whose effect is predicted.
public enum SkillChange: Sendable, Hashable {
    /// A skill raised to a level.
    case skill(String, level: Double)
    /// A course passed: the skills it teaches, at its levels.
    case course(OpportunityID)
    /// The whole learning path to the target (``SkillMarket/path(person:target:settings:skills:)``).
    case path
}

/// What a change to a learner's skills would do: the postings they become ready for, how their
/// match with the target's postings and its rank among all open postings move, and the change
/// in the probability of being hired, from a model of the marketplace's applications.
public struct SkillImpact: Sendable, Hashable, Codable {
    public var person: PersonID
    public var target: SkillGapAnalysis.TargetSummary
    /// The changes, in words ("course-12 passed", "programming raised to 4").
    public var changes: [String]
    public var skillsChanged: [LearningPath.Change]
    /// Warnings about the changes (a course taken without its prerequisites).
    public var warnings: [String]
    /// The postings the probabilities are averaged over: the target's open ones, or its postings
    /// of the last year when none is open.
    public var postingsConsidered: Int
    public var postingsBasis: String
    public var before: Side
    public var after: Side
    /// `after − before` of the mean probability of being hired per application.
    public var hireProbabilityChange: Double
    /// The target's postings, best first after the change, with both sides.
    public var postings: [PostingChange]
    public var model: ModelSummary
    public var summary: String
    /// "These are associations learned from …, not guarantees."
    public var notice: String
    public var at: String

    public struct Side: Sendable, Hashable, Codable {
        /// Open postings (any target) whose every ask is met, and of them the target's.
        public var readyFor: Int
        public var readyForTarget: Int
        /// Gaps against the target.
        public var gaps: Int
        /// Mean P(hired | applied) over the postings considered.
        public var hireProbability: Double
        /// Mean match score (0-100): the importance-weighted share of the asked levels held,
        /// `100 Σ importance × min(held, asked) / Σ importance × asked`.
        public var matchScore: Double
        /// Mean rank of the target's open postings among all open postings ranked by P(hired) (1 = best).
        public var meanRank: Double?
    }

    public struct PostingChange: Sendable, Hashable, Codable {
        public var posting: OpportunityID
        public var title: String?
        public var hireProbabilityBefore: Double
        public var hireProbabilityAfter: Double
        public var matchBefore: Double
        public var matchAfter: Double
        public var rankBefore: Int?
        public var rankAfter: Int?
        public var readyBefore: Bool
        public var readyAfter: Bool
    }

    public struct ModelSummary: Sendable, Hashable, Codable {
        public var applications: Int
        public var hireRate: Double
        public var features: [String]
    }
}

extension SkillMarket {
    /// The importance-weighted share of the asked levels held, 0-100.
    public static func matchScore(_ skills: LearnerSkills, asked: [SkillLevel]) -> Double {
        var held = 0.0, total = 0.0
        for s in asked {
            let importance = s.importance ?? defaultImportance
            held += importance * min(skills.level(s.skill), s.level)
            total += importance * s.level
        }
        return total > 0 ? 100 * held / total : 100
    }

    /// The marketplace's name for a skill given as `given`: itself when a posting asks for it, a
    /// course teaches or requires it or a learner holds it; else the one it spells with case,
    /// spaces and hyphens ignored ("Active listening" for `active_listening`).
    /// - Throws: when no skill of the marketplace is spelled so, naming the closest.
    public func skillKey(_ given: String) throws(MatchworkError) -> String {
        if knownSkillSet.contains(given) { return given }
        let key = Self.folded(given)
        if let match = skillsByFolding[key] { return match }
        let close = knownSkills.filter { Self.folded($0).contains(key) || key.contains(Self.folded($0)) }.prefix(3)
        let hint = close.isEmpty ? "names look like \(knownSkills.prefix(3).joined(separator: ", "))" : "did you mean \(close.joined(separator: ", "))?"
        throw .invalid("skills", "skills: no posting, course or learner of this marketplace has a skill named '\(given)'; \(hint)")
    }

    /// The skills after `changes`, with what changed and any warnings.
    public func applying(_ changes: [SkillChange], to skills: LearnerSkills, person: PersonID, target: SkillTarget?) throws(MatchworkError) -> (LearnerSkills, [String], [String]) {
        var after = skills, words: [String] = [], warnings: [String] = []
        for change in changes {
            switch change {
            case .skill(let given, let level):
                try Token.validate(given, field: "skills")
                guard level.isFinite, (0...SkillLevel.maximumLevel).contains(level) else {
                    throw .invalid("skills", "skills: level \(level) of skill '\(given)' is outside 0...7; use O*NET's level scale (0 none, 7 expert).")
                }
                let name = try skillKey(given)
                if level <= after.level(name) { warnings.append("\(Self.label(name)) is already at \(Self.number(after.level(name))), at least \(Self.number(level)): no change") }
                after.suppose(name, level: level)
                words.append("\(Self.label(name)) raised to \(Self.number(level))")
            case .course(let id):
                let c = try snapshot.index(of: id)
                let course = snapshot.opportunities[Int(c)]
                guard course.kind == .course else {
                    throw MatchworkError(.invalidValue, "'\(id)' is a \(course.kind.rawValue), not a course; name a course to suppose passed.", field: "courses")
                }
                for pre in course.prerequisites where after.level(pre.skill) < pre.level {
                    warnings.append("\(id) needs \(Self.label(pre.skill)) \(Self.number(pre.level)) and the learner has \(Self.number(after.level(pre.skill))) before it: counted as passed anyway")
                }
                after.pass(id, teaching: course.teaches, at: nil)
                words.append("\(id) passed")
            case .path:
                let path = try self.path(person: person, target: target, skills: after)
                for step in path.steps {
                    let course = snapshot.opportunities[Int(try snapshot.index(of: step.course))]
                    after.pass(step.course, teaching: course.teaches, at: nil)
                }
                words.append(path.steps.isEmpty ? "the learning path (no course)" : "the learning path: " + path.steps.map(\.course.rawValue).joined(separator: ", "))
            }
        }
        return (after, words, warnings)
    }

    /// Predicts the effect of `changes` on a learner against a target.
    ///
    /// - Parameter model: the hire model (``HireProbabilityModel/fit(_:regularization:iterations:)``
    ///   on ``HireProbabilityModel/examples(_:)``).
    public func impact(person: PersonID, target: SkillTarget? = nil, changes: [SkillChange], model: HireProbabilityModel) throws(MatchworkError) -> SkillImpact {
        guard !changes.isEmpty else {
            throw MatchworkError(.missingValue, "no change to predict; give skills raised to levels (programming=4), courses to suppose passed, or the path.", field: "changes")
        }
        let p = try snapshot.index(of: person)
        let beforeSkills = skills(of: p)
        let (afterSkills, words, warnings) = try applying(changes, to: beforeSkills, person: person, target: target)
        let beforeAnalysis = try analyze(person: person, target: target, skills: beforeSkills, nearest: 0)
        let chosen: SkillTarget = if let code = beforeAnalysis.target.code { .occupation(code) } else { target ?? .postings([]) }
        let afterAnalysis = try analyze(person: person, target: chosen, skills: afterSkills, nearest: 0)

        let targetOpen: [DenseIndex] = if case .occupation(let code) = chosen { openPostings(ofOccupation: code) } else { postings(of: chosen).filter { Set(openPostings).contains($0) } }
        let considered = targetOpen.isEmpty ? postings(of: chosen) : targetOpen
        let asked = { (o: DenseIndex) in self.snapshot.opportunities[Int(o)].skills }
        func ranks(_ skills: LearnerSkills) -> [DenseIndex: Int] {
            let scored = openPostings.map { ($0, model.probability(skills, asked: asked($0))) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
            return Dictionary(uniqueKeysWithValues: scored.enumerated().map { ($1.0, $0 + 1) })
        }
        let (rankBefore, rankAfter) = (ranks(beforeSkills), ranks(afterSkills))
        func side(_ skills: LearnerSkills, _ analysis: SkillGapAnalysis, _ rank: [DenseIndex: Int]) -> SkillImpact.Side {
            let n = Double(max(1, considered.count))
            let targetRanks = targetOpen.compactMap { rank[$0] }
            return SkillImpact.Side(
                readyFor: analysis.readiness.readyFor, readyForTarget: analysis.readiness.readyForTarget, gaps: analysis.gaps.count,
                hireProbability: considered.reduce(0) { $0 + model.probability(skills, asked: asked($1)) } / n,
                matchScore: considered.reduce(0) { $0 + Self.matchScore(skills, asked: asked($1)) } / n,
                meanRank: targetRanks.isEmpty ? nil : Double(targetRanks.reduce(0, +)) / Double(targetRanks.count))
        }
        let before = side(beforeSkills, beforeAnalysis, rankBefore), after = side(afterSkills, afterAnalysis, rankAfter)
        let rows = considered.map { o -> SkillImpact.PostingChange in
            let a = asked(o)
            return SkillImpact.PostingChange(
                posting: snapshot.opportunities[Int(o)].id, title: snapshot.opportunities[Int(o)].title,
                hireProbabilityBefore: model.probability(beforeSkills, asked: a), hireProbabilityAfter: model.probability(afterSkills, asked: a),
                matchBefore: Self.matchScore(beforeSkills, asked: a), matchAfter: Self.matchScore(afterSkills, asked: a),
                rankBefore: rankBefore[o], rankAfter: rankAfter[o],
                readyBefore: a.allSatisfy { beforeSkills.level($0.skill) >= $0.level }, readyAfter: a.allSatisfy { afterSkills.level($0.skill) >= $0.level })
        }.sorted { ($0.hireProbabilityAfter, $1.posting) > ($1.hireProbabilityAfter, $0.posting) }
        var changed: [LearningPath.Change] = []
        for name in afterSkills.skillNames where afterSkills.level(name) > beforeSkills.level(name) {
            changed.append(.init(skill: name, label: Self.label(name), from: beforeSkills.level(name), to: afterSkills.level(name), asked: beforeAnalysis.gaps.first { $0.skill == name }?.asked))
        }
        let delta = after.hireProbability - before.hireProbability
        func pct(_ x: Double) -> String { "\(Int((100 * x).rounded()))%" }
        var summary = "\(words.joined(separator: "; ")): ready for \(before.readyFor) → \(after.readyFor) open postings"
        summary += " (\(before.readyForTarget) → \(after.readyForTarget) for \(beforeAnalysis.target.title)); gaps \(before.gaps) → \(after.gaps)"
        summary += "; P(hired | applied) for its postings \(pct(before.hireProbability)) → \(pct(after.hireProbability))"
        summary += "; match \(Int(before.matchScore.rounded())) → \(Int(after.matchScore.rounded()))"
        if let rb = before.meanRank, let ra = after.meanRank { summary += "; their mean rank among \(openPostings.count) open postings \(Int(rb.rounded())) → \(Int(ra.rounded()))" }
        let notice = "These are associations learned from \(grouped(model.applications)) applications on this marketplace (\(pct(model.hireRate)) hired), not guarantees: employers decide on more than skills, and learners who take courses may differ in other ways from those who do not."
        return SkillImpact(
            person: person, target: beforeAnalysis.target, changes: words, skillsChanged: changed, warnings: warnings,
            postingsConsidered: considered.count, postingsBasis: targetOpen.isEmpty ? "recent" : "open", before: before, after: after,
            hireProbabilityChange: delta, postings: Array(rows.prefix(10)),
            model: .init(applications: model.applications, hireRate: model.hireRate, features: HireProbabilityModel.featureNames),
            summary: summary, notice: notice, at: now.iso8601)
    }
}
