public import MatchworkCore
import RealModule

/// The learning marketplace: learners with current skills and a target occupation enroll in
/// courses that teach skills up to a level, then complete, drop out, pass or fail; employers post
/// jobs per occupation over time with a trend and a yearly seasonality, each asking for its
/// occupation's skills at about their O*NET levels.
///
/// Occupations and their skill requirements are real O*NET data (keep its attribution with
/// anything exported). A learner's gap is the required level minus their current level, per
/// skill of the target occupation. Learners enroll in courses by how much of their gap a course
/// closes; passing depends on ability, prerequisites met and the course's level. After their
/// courses most learners look for work: they view postings open in the following weeks (mostly of
/// their target occupation), save some, apply to more of those whose asks they meet, and are hired
/// with the probability of ``HireModel`` given how far their skills then fall short of the
/// posting's asks (its parameters are kept in the ground truth). Postings ask for their
/// occupation's skills with O*NET's importance. Events after the end of the timeline are left
/// out: the marketplace is observed at its end, with some learners still on a course.
public struct LearningMarketplace: Sendable {
    public let seed: UInt64
    public let size: MarketplaceSize
    public let catalog: OccupationCatalog

    /// Months of job postings, January 2023 to December 2025.
    public static let postingMonths = 36

    public init(seed: UInt64, size: MarketplaceSize, catalog: OccupationCatalog) {
        self.seed = seed
        self.size = size
        self.catalog = catalog
    }

    private struct Course {
        let id: OpportunityID
        let teaches: [SkillLevel]
        let prerequisites: [SkillLevel]
        let difficulty: Double
        let quality: Double
    }

    public func generate() throws(MatchworkError) -> Marketplace {
        var rng = SeededGenerator(seed: seed)
        var catalogRNG = rng.fork(), peopleRNG = rng.fork(), eventRNG = rng.fork(), postingRNG = rng.fork()
        // Its own stream, so that adding posting requirements left every other draw as it was.
        var askRNG = rng.fork()
        // And the job search's, added after the rest.
        var searchRNG = rng.fork()
        var truth = GroundTruth(scenario: .learning, seed: seed, scale: size.scale)

        // Occupations in play, with demand parameters.
        let occupationCount = min(catalog.occupations.count, size.scaled(80, minimum: 10))
        let occupations = Array(catalogRNG.shuffled(catalog.occupations).prefix(occupationCount)).sorted { $0.code < $1.code }
        let demand = occupations.map { _ in (base: catalogRNG.uniform(1, 8), trend: catalogRNG.normal(mean: 0.01, sd: 0.02), seasonAmplitude: catalogRNG.uniform(0, 0.35), phase: catalogRNG.uniform(0, 2 * Double.pi)) }

        // Courses teaching skills the chosen occupations need.
        var skillDemand: [String: Double] = [:]
        for o in occupations { for s in o.skills { skillDemand[s.skill, default: 0] += s.level } }
        let skills = skillDemand.keys.sorted()
        let skillWeights = skills.map { skillDemand[$0]! }
        var courses: [Course] = []
        var opportunities: [Opportunity] = []
        let courseCount = size.scaled(400, minimum: 20)
        for c in 0..<courseCount {
            let id = OpportunityID("course-\(c + 1)")
            let taught = catalogRNG.sampleWithoutReplacement(skillWeights, count: catalogRNG.int(1...3)).map { skills[$0] }
            let level = catalogRNG.uniform(1.5, 6.5).rounded(places: 1)
            let teaches = try taught.map { (s) throws(MatchworkError) in try SkillLevel(skill: s, level: level) }
            let prerequisites = level >= 4 ? try taught.prefix(1).map { (s) throws(MatchworkError) in try SkillLevel(skill: s, level: (level - 2).rounded(places: 1)) } : []
            let course = Course(id: id, teaches: teaches, prerequisites: prerequisites, difficulty: level, quality: catalogRNG.uniform(0.5, 1))
            courses.append(course)
            let hours = (catalogRNG.uniform(8, 30) * (1 + level / 3)).rounded()
            opportunities.append(try Opportunity(
                id: id, kind: .course, title: taught.map { $0.replacingUnderscores }.joined(separator: " & ") + " (level \(level))",
                required: try Facets(["delivery": [catalogRNG.pick(["online", "online", "blended", "in_person"])]]),
                attributes: try Attributes(["hours": hours, "price": (hours * catalogRNG.uniform(8, 25)).rounded()]),
                slots: catalogRNG.int(20...200), status: .open, teaches: teaches, prerequisites: prerequisites))
            truth.opportunityLatent[id.rawValue] = ["quality": course.quality.rounded(places: 3)]
        }

        var coursesBySkill: [String: [Int]] = [:]
        for (c, course) in courses.enumerated() { for t in course.teaches { coursesBySkill[t.skill, default: []].append(c) } }

        // Learners aiming at an occupation, with partial skills.
        var people: [Person] = []
        var log = EventLog(prefix: "le")
        let learnerCount = size.scaled(4000, minimum: 40)
        let growth = demand.map { max(0.2, 1 + $0.trend * 20) * $0.base }
        var seekers: [Seeker] = []
        seekers.reserveCapacity(learnerCount)
        for l in 0..<learnerCount {
            let id = PersonID("learner-\(l + 1)")
            let targetIndex = peopleRNG.weightedIndex(growth)
            let target = occupations[targetIndex]
            var current: [String: Double] = [:]
            for s in target.skills where peopleRNG.chance(0.8) {
                current[s.skill] = (s.level * peopleRNG.uniform(0.2, 1.05)).clamped(0, SkillLevel.maximumLevel).rounded(places: 1)
            }
            let ability = peopleRNG.normal(mean: 0, sd: 1)
            let motivation = peopleRNG.uniform(0.3, 1)
            people.append(try Person(
                id: id, role: .learner, name: "Learner \(l + 1)",
                facets: try Facets([.occupation: [target.code], .language: ["en"], "delivery": peopleRNG.chance(0.6) ? ["online"] : []]),
                skills: try current.keys.sorted().map { (k) throws(MatchworkError) in try SkillLevel(skill: k, level: current[k]!) },
                attributes: try Attributes(["weekly_hours": Double(peopleRNG.int(2...15))])))
            truth.personSegments[id.rawValue] = target.code
            truth.personLatent[id.rawValue] = ["ability": ability.rounded(places: 3), "motivation": motivation.rounded(places: 3)]

            // Enrollment: courses ranked by the gap they close, with noise.
            let gap = Dictionary(uniqueKeysWithValues: target.skills.map { ($0.skill, max(0, $0.level - (current[$0.skill] ?? 0))) })
            // The courses a learner considers: some teaching each of their three largest gaps,
            // and a few found by browsing.
            var considered = Set<Int>()
            for skill in gap.keys.sorted(by: { (gap[$0]!, $1) > (gap[$1]!, $0) }).prefix(3) {
                let teaching = coursesBySkill[skill] ?? []
                for c in teaching.count <= 25 ? teaching : Array(eventRNG.shuffled(teaching).prefix(25)) { considered.insert(c) }
            }
            for _ in 0..<15 { considered.insert(eventRNG.int(0...(courses.count - 1))) }
            let candidates = considered.sorted()
            let scored = candidates.map { c -> Double in
                let closes = courses[c].teaches.reduce(0) { $0 + min(gap[$1.skill] ?? 0, max(0, $1.level - (current[$1.skill] ?? 0))) }
                return closes * 1.5 + courses[c].quality + eventRNG.normal(sd: 0.6)
            }
            let ranked = candidates.indices.sorted { (scored[$0], -$0) > (scored[$1], -$1) }.map { candidates[$0] }
            var time = Timeline.start + Int64(eventRNG.unit() * Double(Timeline.end - Timeline.start - 60 * Timeline.day))
            var seeker = Seeker(id: id, target: targetIndex, stated: current, ability: ability, motivation: motivation, passes: [], lastActive: time)
            let enrollments = max(1, Int((motivation * 5).rounded()))
            // Browsing: a few views of courses that were not chosen.
            for _ in 0..<eventRNG.int(0...4) {
                log.add(id, courses[eventRNG.int(0...(courses.count - 1))].id, .view, at: time)
                time += Int64(eventRNG.exponential(mean: 1800)) + 30
            }
            for c in ranked.prefix(enrollments + 3) {
                let course = courses[c]
                log.add(id, course.id, .view, at: time)
                time += Int64(eventRNG.exponential(mean: 3600 * 6)) + 60
                guard eventRNG.chance(0.7) else { continue }
                log.add(id, course.id, .enroll, at: time)
                let prerequisitesMet = course.prerequisites.allSatisfy { (current[$0.skill] ?? 0) >= $0.level - 0.5 }
                let completes = eventRNG.chance(0.45 + 0.5 * motivation - (prerequisitesMet ? 0 : 0.25))
                let duration = Int64(eventRNG.int(7...60)) * Timeline.day
                guard completes else {
                    log.add(id, course.id, .cancel, at: time + duration / 2)
                    time += duration / 3
                    continue
                }
                log.add(id, course.id, .complete, at: time + duration)
                let passLogit = 1.2 * ability + 1.5 * course.quality - 0.35 * (course.difficulty - 3.5) + (prerequisitesMet ? 0.8 : -1.2)
                let passed = eventRNG.chance(1 / (1 + Double.exp(-passLogit)))
                log.add(id, course.id, passed ? .pass : .fail, at: time + duration + 3600)
                if passed {
                    for t in course.teaches { current[t.skill] = max(current[t.skill] ?? 0, t.level) }
                    seeker.passes.append((time + duration + 3600, course.teaches))
                }
                if eventRNG.chance(0.5) {
                    let overall = (4 + 5 * course.quality + eventRNG.normal(sd: 0.7) + (passed ? 0.5 : -0.8)).clamped(0, 10).rounded(places: 1)
                    let scores = ["content", "difficulty", "instructor"].map { Interaction.SubScore(name: $0, value: (overall + eventRNG.uniform(-1.2, 1.2)).clamped(0, 10).rounded(places: 1)) }
                    log.add(id, course.id, .rate, at: time + duration + 7200, value: overall, subScores: scores)
                }
                time += duration / 2
            }
            seeker.lastActive = time
            seekers.append(seeker)
        }

        // Job postings per occupation and month: base × trend × seasonality, Poisson counts. A
        // posting asks for each of its occupation's O*NET skills with probability 0.85, at the
        // O*NET level give or take an employer's own (normal, sd 0.4).
        var postingCount = 0
        var postingsByOccupation = [[(index: Int, start: Int64, asked: [SkillLevel])]](repeating: [], count: occupations.count)
        for (o, occupation) in occupations.enumerated() {
            let d = demand[o]
            // The true requirements, which postings ask with noise: what skill gaps are checked against.
            truth.opportunityLatent["requirements:\(occupation.code)"] = Dictionary(uniqueKeysWithValues: occupation.skills.map { ($0.skill, $0.level) })
            truth.opportunityLatent["importance:\(occupation.code)"] = Dictionary(uniqueKeysWithValues: occupation.skills.map { ($0.skill, $0.importance ?? 3) })
            truth.opportunityLatent["occupation:\(occupation.code)"] = ["base": d.base.rounded(places: 4), "trend": d.trend.rounded(places: 5), "season_amplitude": d.seasonAmplitude.rounded(places: 4), "phase": d.phase.rounded(places: 4)]
            for month in 0..<Self.postingMonths {
                let season = 1 + d.seasonAmplitude * Double.sin(2 * Double.pi * Double(month) / 12 + d.phase)
                // Postings grow with the square root of the size, spread over the occupations in play.
                let mean = max(0, d.base * size.scale.squareRoot() * 80 / Double(max(80, occupationCount)) * Double.exp(d.trend * Double(month)) * season)
                let (y, m) = (2023 + month / 12, month % 12 + 1)
                let monthStart = Timestamp(year: y, month: m, day: 1).secondsSinceEpoch
                for _ in 0..<postingRNG.poisson(mean: mean) {
                    postingCount += 1
                    var asked: [SkillLevel] = []
                    for s in occupation.skills where askRNG.chance(0.85) {
                        asked.append(try SkillLevel(skill: s.skill, level: (s.level + askRNG.normal(sd: 0.4)).clamped(0, SkillLevel.maximumLevel).rounded(places: 1), importance: s.importance))
                    }
                    let posted = monthStart + Int64(postingRNG.int(0...27)) * Timeline.day + Int64(postingRNG.int(8...18)) * Timeline.hour
                    postingsByOccupation[o].append((opportunities.count, posted, asked))
                    opportunities.append(try Opportunity(
                        id: OpportunityID("posting-\(postingCount)"), kind: .posting, title: occupation.title,
                        required: try Facets([.occupation: [occupation.code]]),
                        window: try TimeWindow(start: Timestamp(secondsSinceEpoch: posted), end: Timestamp(secondsSinceEpoch: posted + 30 * Timeline.day)),
                        slots: 1, status: posted + 30 * Timeline.day < Timeline.end ? .closed : .open, skills: asked))
                }
            }
        }

        try searchJobs(seekers, occupations: occupations, postings: postingsByOccupation, opportunities: opportunities, log: &log, truth: &truth, rng: &searchRNG)
        // The marketplace is observed at the end of the timeline: later completions, results and
        // hires have not happened yet (those learners are still on their courses).
        log.removeAll(after: Timeline.end)
        return Marketplace(scenario: .learning, people: people, opportunities: opportunities, interactions: try log.interactions(), groundTruth: truth, attribution: catalog.attribution)
    }

    /// A learner as the job search sees them: their stated skills, the courses they passed and when.
    private struct Seeker {
        let id: PersonID
        let target: Int
        let stated: [String: Double]
        let ability: Double
        let motivation: Double
        var passes: [(time: Int64, teaches: [SkillLevel])]
        var lastActive: Int64

        /// Levels held at `time`: stated, raised by the courses passed by then.
        func levels(at time: Int64) -> [String: Double] {
            var levels = stated
            for pass in passes where pass.time <= time {
                for t in pass.teaches { levels[t.skill] = max(levels[t.skill] ?? 0, t.level) }
            }
            return levels
        }
    }

    /// Job search: after their courses, most learners look through the postings open in the
    /// following weeks, mostly of their target occupation and some of others; they save some and
    /// apply to more of those whose asks they meet; the employer hires an applicant with the
    /// probability of ``HireModel/standard`` (its parameters are kept in the ground truth), while
    /// the posting is unfilled.
    private func searchJobs(
        _ seekers: [Seeker], occupations: [OccupationCatalog.Occupation], postings: [[(index: Int, start: Int64, asked: [SkillLevel])]],
        opportunities: [Opportunity], log: inout EventLog, truth: inout GroundTruth, rng: inout SeededGenerator
    ) throws(MatchworkError) {
        let model = HireModel.standard
        truth.opportunityLatent[HireModel.truthKey] = model.latent
        let open = 30 * Timeline.day
        var filled = Set<Int>()
        for seeker in seekers where rng.chance(0.3 + 0.6 * seeker.motivation) {
            let searchStart = min(seeker.lastActive + Int64(rng.exponential(mean: 14 * Double(Timeline.day))), Timeline.end - 3 * Timeline.day)
            let searchEnd = searchStart + 45 * Timeline.day
            func openings(_ o: Int) -> [(index: Int, start: Int64, asked: [SkillLevel])] {
                postings[o].filter { $0.start + open > searchStart && $0.start < searchEnd }
            }
            var candidates = openings(seeker.target)
            for _ in 0..<rng.int(1...2) {
                let other = rng.int(0...(occupations.count - 1))
                if other != seeker.target { candidates += rng.shuffled(openings(other)).prefix(3) }
            }
            for posting in rng.shuffled(candidates).prefix(rng.int(3...10)) {
                let id = opportunities[posting.index].id
                var time = max(posting.start, searchStart) + Int64(rng.uniform(0, 5) * Double(Timeline.day))
                time = min(time, posting.start + open - Timeline.hour)
                log.add(seeker.id, id, .view, at: time)
                let levels = seeker.levels(at: time)
                let met = posting.asked.isEmpty ? 1 : Double(posting.asked.filter { (levels[$0.skill] ?? 0) >= $0.level }.count) / Double(posting.asked.count)
                if rng.chance(0.25) { log.add(seeker.id, id, .shortlist, at: time + 600) }
                guard rng.chance(0.2 + 0.5 * met) else { continue }
                log.add(seeker.id, id, .apply, at: time + Timeline.hour)
                let shortfall = HireModel.shortfall(asked: posting.asked) { levels[$0] ?? 0 }
                if rng.chance(model.probability(shortfall: shortfall, ability: seeker.ability)), !filled.contains(posting.index) {
                    filled.insert(posting.index)
                    log.add(seeker.id, id, .hire, at: time + Timeline.hour + Int64(rng.uniform(2, 14) * Double(Timeline.day)))
                }
            }
        }
    }
}

