/// A learner's skill gaps against a target: per skill the level asked, the level held, the gap
/// and its weight, ranked, with what they already meet and the nearest other targets.
///
/// For skill `s` of the target's requirements (``SkillMarket/requirements(of:)``):
/// `gap = max(0, asked − held)` and `weight = gap × importance × demand`, where `demand` is the
/// skill's ``SkillMarket/SkillDemand/index`` (open postings asking for it against the average
/// skill, times one plus its forecast growth). Gaps are ranked by weight, then gap, then name.
public struct SkillGapAnalysis: Sendable, Hashable, Codable {
    public var person: PersonID
    public var target: TargetSummary
    /// Skills with a gap, heaviest first.
    public var gaps: [SkillGap]
    /// Required skills the learner meets, by name.
    public var met: [SkillMatch]
    public var readiness: Readiness
    /// Occupations whose requirements are closest to what the learner holds (a career move).
    public var nearestTargets: [CareerMove]
    /// One line: "Software Developers: 4 gaps, the largest Programming (2 of 4.5); ready for 37 open postings".
    public var summary: String
    /// The reference time.
    public var at: String

    public struct TargetSummary: Sendable, Hashable, Codable {
        /// `occupation` or `postings`.
        public var kind: String
        /// The occupation code, for an occupation.
        public var code: String?
        public var title: String
        /// How the target was chosen: "stated target occupation", "requested", "from the postings you applied to, saved or viewed".
        public var chosenBy: String
        /// Postings the requirements come from (the last year's), and those open now.
        public var postings: Int
        public var openPostings: Int
    }

    /// One skill gap, structured and in words.
    public struct SkillGap: Sendable, Hashable, Codable {
        public var skill: String
        public var label: String
        public var held: Double
        /// `stated`, `course` (with `fromCourse`), `supposed`, or `none`.
        public var heldFrom: String
        public var fromCourse: OpportunityID?
        public var asked: Double
        public var importance: Double
        /// Share of the target's postings asking for it.
        public var share: Double
        public var gap: Double
        /// Open postings (any target) asking for the skill.
        public var openPostings: Int
        public var growth: Double?
        public var demand: Double
        public var weight: Double
        /// "Programming: you have 2, postings for Software Developers ask 4.5 (importance 4.2 of 5); 312 open postings, demand up 14% over 12 months".
        public var reason: String
    }

    /// A requirement the learner meets.
    public struct SkillMatch: Sendable, Hashable, Codable {
        public var skill: String
        public var label: String
        public var held: Double
        public var asked: Double
        public var importance: Double
    }

    public struct Readiness: Sendable, Hashable, Codable {
        /// Open postings (any target) whose every ask the learner meets.
        public var readyFor: Int
        /// Of which the target's.
        public var readyForTarget: Int
        /// Open postings of the target.
        public var targetOpen: Int
        /// A few of the postings they are ready for, the target's first.
        public var examples: [OpportunityID]
        /// "ready for 37 open postings (5 of the 212 for Software Developers)".
        public var summary: String
    }

    /// Another occupation, how far the learner is from it, and its main gaps.
    public struct CareerMove: Sendable, Hashable, Codable {
        public var code: String
        public var title: String
        public var openPostings: Int
        /// Importance-weighted mean levels short (``SkillMarket/shortfall(_:of:)``).
        public var shortfall: Double
        public var readyFor: Int
        /// Its three heaviest gaps.
        public var gaps: [SkillGap]
        public var summary: String
    }
}

extension SkillMarket {
    /// Career moves listed by default.
    public static let nearestTargetCount = 5

    /// The target a learner's gaps are measured against, when the request names none: their
    /// stated target occupation (its first value with postings), else the occupation of most of
    /// the postings they applied to (3), saved (2) or viewed (1), else those postings.
    ///
    /// - Throws: when the learner has neither, or a requested occupation has no postings.
    public func target(of person: DenseIndex, requested: SkillTarget?) throws(MatchworkError) -> (SkillTarget, String) {
        if let requested {
            switch requested {
            case .occupation(let code):
                guard postingsByOccupation[code] != nil else {
                    let known = occupations.prefix(5).joined(separator: ", ")
                    throw MatchworkError(
                        .unknownIdentifier,
                        "target occupation '\(code)' has no postings in the year before \(now.isoDate); give an O*NET-SOC code the postings require (for example \(known)).",
                        field: "target")
                }
            case .postings(let ids):
                guard !ids.isEmpty else { throw MatchworkError(.missingValue, "target postings are empty; name at least one posting id.", field: "target") }
                for id in ids {
                    let o = try snapshot.index(of: id)
                    guard !snapshot.opportunities[Int(o)].skills.isEmpty else {
                        throw MatchworkError(.invalidValue, "target posting '\(id)' asks for no skills, so there is no gap to measure; name postings that list their skills.", field: "target")
                    }
                }
            }
            return (requested, "requested")
        }
        let person = snapshot.people[Int(person)]
        if let code = person.facets[.occupation].first(where: { postingsByOccupation[$0] != nil }) {
            return (.occupation(code), "stated target occupation")
        }
        var weights: [DenseIndex: Double] = [:]
        for e in snapshot.events(ofPerson: snapshot.personIndex.index(of: person.id)!) where snapshot.opportunities[Int(e.other)].kind == .posting {
            let w: Double = switch e.type { case .apply, .hire: 3; case .shortlist: 2; case .view, .click: 1; default: 0 }
            if w > 0 { weights[e.other, default: 0] += w }
        }
        guard !weights.isEmpty else {
            let stated = person.facets[.occupation]
            throw MatchworkError(
                .invalidValue,
                stated.isEmpty
                    ? "learner '\(person.id)' states no target occupation and has not applied to, saved or viewed a posting; give a target (an O*NET-SOC code)."
                    : "learner '\(person.id)' aims at \(stated.joined(separator: ", ")), which no posting of the last year requires, and has not applied to, saved or viewed a posting; give another target.",
                field: "target")
        }
        var byOccupation: [String: Double] = [:]
        for (o, w) in weights { for code in snapshot.opportunities[Int(o)].required[.occupation] where postingsByOccupation[code] != nil { byOccupation[code, default: 0] += w } }
        if let best = byOccupation.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
            return (.occupation(best.key), "from the postings you applied to, saved or viewed")
        }
        return (.postings(weights.keys.sorted().map { snapshot.opportunities[Int($0)].id }), "the postings you applied to, saved or viewed")
    }

    /// The gap analysis of a learner.
    ///
    /// - Parameters:
    ///   - target: the target to measure against; `nil` chooses it (``target(of:requested:)``).
    ///   - skills: the learner's skills, when not the stored ones (a counterfactual).
    ///   - nearest: how many other occupations to list as career moves.
    public func analyze(person: PersonID, target: SkillTarget? = nil, skills: LearnerSkills? = nil, nearest: Int = nearestTargetCount) throws(MatchworkError) -> SkillGapAnalysis {
        let p = try snapshot.index(of: person)
        let (target, chosenBy) = try self.target(of: p, requested: target)
        let skills = skills ?? self.skills(of: p)
        let postings = postings(of: target)
        let requirements = requirements(of: target)
        let (title, open): (String, [DenseIndex]) = switch target {
        case .occupation(let code): (title(ofOccupation: code), openPostings(ofOccupation: code))
        case .postings: ("the postings named", postings.filter { Set(openPostings).contains($0) })
        }
        let gaps = rankedGaps(skills, requirements, title: title)
        let met = requirements.filter { skills.level($0.skill) >= $0.level }.map {
            SkillGapAnalysis.SkillMatch(skill: $0.skill, label: Self.label($0.skill), held: skills.level($0.skill), asked: $0.level, importance: $0.importance)
        }
        let ready = readyPostings(skills)
        let openSet = Set(open)
        let readyTarget = ready.filter { openSet.contains($0) }
        let examples = (readyTarget + ready.filter { !openSet.contains($0) }).prefix(5).map { snapshot.opportunities[Int($0)].id }
        var readiness = "ready for \(ready.count) open posting\(ready.count == 1 ? "" : "s")"
        if case .occupation = target { readiness += " (\(readyTarget.count) of the \(open.count) for \(title))" }
        let summary: String
        if let first = gaps.first {
            summary = "\(title): \(gaps.count) gap\(gaps.count == 1 ? "" : "s"), the heaviest \(first.label) (\(Self.number(first.held)) of \(Self.number(first.asked))); \(readiness)"
        } else {
            summary = "\(title): no gap, every requirement met; \(readiness)"
        }
        let code: String? = if case .occupation(let c) = target { c } else { nil }
        return SkillGapAnalysis(
            person: person,
            target: .init(kind: code == nil ? "postings" : "occupation", code: code, title: title, chosenBy: chosenBy, postings: postings.count, openPostings: open.count),
            gaps: gaps, met: met,
            readiness: .init(readyFor: ready.count, readyForTarget: readyTarget.count, targetOpen: open.count, examples: Array(examples), summary: readiness),
            nearestTargets: careerMoves(skills, excluding: code, count: nearest), summary: summary, at: now.iso8601)
    }

    /// Gaps against `requirements`, ranked by weight.
    public func rankedGaps(_ skills: LearnerSkills, _ requirements: [Requirement], title: String) -> [SkillGapAnalysis.SkillGap] {
        var gaps: [SkillGapAnalysis.SkillGap] = []
        for r in requirements {
            let held = skills.level(r.skill)
            let gap = r.level - held
            guard gap > 1e-9 else { continue }
            let d = demand[r.skill] ?? SkillDemand(skill: r.skill, openPostings: 0, recentPostings: 0, growth: nil, index: 1)
            let (from, course): (String, OpportunityID?) = switch skills.held[r.skill]?.source {
            case .stated: ("stated", nil)
            case .course(let id, _): ("course", id)
            case .supposed: ("supposed", nil)
            case nil: ("none", nil)
            }
            var reason = "\(Self.label(r.skill)): you have \(Self.number(held))"
            if let course { reason += " (from \(course))" }
            reason += ", postings for \(title) ask \(Self.number(r.level)) (importance \(Self.number(r.importance)) of 5"
            if r.share < 0.995 { reason += ", in \(Int((100 * r.share).rounded()))% of them" }
            reason += "); \(d.openPostings) open posting\(d.openPostings == 1 ? "" : "s") ask for it"
            if let g = d.growth {
                let pct = Int((100 * g).rounded())
                reason += pct == 0 ? ", demand flat over the next 12 months" : ", demand \(pct > 0 ? "up" : "down") \(abs(pct))% over the next 12 months"
            }
            gaps.append(SkillGapAnalysis.SkillGap(
                skill: r.skill, label: Self.label(r.skill), held: held, heldFrom: from, fromCourse: course, asked: r.level, importance: r.importance,
                share: r.share, gap: gap, openPostings: d.openPostings, growth: d.growth, demand: d.index, weight: gap * r.importance * d.index, reason: reason))
        }
        return gaps.sorted { ($0.weight, $0.gap, $1.skill) > ($1.weight, $1.gap, $0.skill) }
    }

    /// The occupations with open postings closest to what `skills` hold, by shortfall, then
    /// open postings.
    func careerMoves(_ skills: LearnerSkills, excluding: String?, count: Int) -> [SkillGapAnalysis.CareerMove] {
        guard count > 0 else { return [] }
        var moves: [SkillGapAnalysis.CareerMove] = []
        for code in openByOccupation.keys where code != excluding {
            let requirements = requirementsByOccupation[code] ?? []
            guard !requirements.isEmpty else { continue }
            let title = title(ofOccupation: code)
            let open = openPostings(ofOccupation: code)
            let gaps = rankedGaps(skills, requirements, title: title)
            let ready = readyPostings(skills, among: open).count
            let shortfall = Self.shortfall(skills, of: requirements)
            let top = gaps.prefix(3).map { "\($0.label) \(Self.number($0.held)) of \(Self.number($0.asked))" }
            let summary = "\(title) (\(code)): \(Self.number(shortfall)) levels short on average, \(gaps.count) gap\(gaps.count == 1 ? "" : "s")" + (top.isEmpty ? "" : " (\(top.joined(separator: ", ")))") + "; ready for \(ready) of \(open.count) open postings"
            moves.append(.init(code: code, title: title, openPostings: open.count, shortfall: shortfall, readyFor: ready, gaps: Array(gaps.prefix(3)), summary: summary))
        }
        return Array(moves.sorted { ($0.shortfall, -$0.openPostings, $0.code) < ($1.shortfall, -$1.openPostings, $1.code) }.prefix(count))
    }

    /// `active_listening` → `Active listening`.
    public static func label(_ skill: String) -> String {
        let words = skill.split(separator: "_").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// A level with at most two decimals, without trailing zeros: 4.5, 2, 3.75.
    static func number(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(format2: r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}

extension String {
    /// Two decimals without Foundation.
    init(format2 x: Double) {
        let cents = Int((abs(x) * 100).rounded())
        let frac = cents % 100
        self = (x < 0 ? "-" : "") + "\(cents / 100)." + (frac < 10 ? "0" : "") + "\(frac)"
    }
}
