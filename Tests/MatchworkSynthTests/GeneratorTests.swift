import Foundation
import MatchworkCore
import MatchworkSynth
import Testing

let onetDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("shared/data/onet").path
}()

func generate(_ scenario: ScenarioName, seed: UInt64, size: MarketplaceSize) throws -> Marketplace {
    try MarketplaceGenerator.generate(scenario, seed: seed, size: size, onetDirectory: onetDirectory)
}

@Suite("Synthetic marketplaces")
struct GeneratorTests {
    @Test(arguments: ScenarioName.allCases)
    func theSameSeedGivesTheSameMarketplace(_ scenario: ScenarioName) throws {
        let a = try generate(scenario, seed: 11, size: .tiny)
        let b = try generate(scenario, seed: 11, size: .tiny)
        #expect(a.people == b.people)
        #expect(a.opportunities == b.opportunities)
        #expect(a.interactions == b.interactions)
        #expect(a.groundTruth == b.groundTruth)
        let c = try generate(scenario, seed: 12, size: .tiny)
        #expect(a.interactions != c.interactions)
    }

    @Test(arguments: ScenarioName.allCases)
    func everyEventRefersToGeneratedRecordsAndIsValid(_ scenario: ScenarioName) throws {
        let m = try generate(scenario, seed: 3, size: .tiny)
        let preset = ScenarioPreset.named(scenario)
        let people = Set(m.people.map(\.id)), opportunities = Set(m.opportunities.map(\.id))
        #expect(people.count == m.people.count)
        #expect(opportunities.count == m.opportunities.count)
        for p in m.people { try preset.validate(p) }
        for o in m.opportunities {
            try preset.validate(o)
            if let client = o.client { #expect(people.contains(client)) }
        }
        for i in m.interactions {
            #expect(people.contains(i.person) && opportunities.contains(i.opportunity))
            try preset.validate(i)
        }
        #expect(zip(m.interactions, m.interactions.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(Set(m.interactions.compactMap(\.eventID)).count == m.interactions.count)
    }

    @Test func cleaningMarketplaceMatchesItsDesign() throws {
        let m = try generate(.cleaning, seed: 42, size: .small)
        let stats = MarketplaceStatistics(scenario: .cleaning, people: m.people, opportunities: m.opportunities, interactions: m.interactions, segments: m.groundTruth.segments)
        // Tier shares, ratings and rates follow the design.
        #expect(stats.figure("cleaners premium share") == 0.15)
        #expect(stats.figure("cleaners experienced share") == 0.30)
        #expect(stats.figure("cleaners average share") == 0.40)
        #expect(stats.figure("cleaners budget share") == 0.15)
        #expect(try #require(stats.figure("cleaners premium mean rating")) >= 9)
        #expect((7.0...9.0).contains(try #require(stats.figure("cleaners experienced mean rating"))))
        #expect((6.0...8.0).contains(try #require(stats.figure("cleaners average mean rating"))))
        #expect((5.0...7.0).contains(try #require(stats.figure("cleaners budget mean rating"))))
        #expect((25.0...35.0).contains(try #require(stats.figure("cleaners premium mean hourly rate"))))
        #expect((8.0...12.0).contains(try #require(stats.figure("cleaners budget mean hourly rate"))))
        // Budget clients pick the cheapest bid more often than high-budget clients.
        let low = try #require(stats.figure("clients low-budget picked the cheapest bid"))
        let medium = try #require(stats.figure("clients medium-budget picked the cheapest bid"))
        let high = try #require(stats.figure("clients high-budget picked the cheapest bid"))
        #expect(low > medium && medium > high)
        // About 10% of accepted jobs are cancelled or fail.
        #expect((0.07...0.13).contains(try #require(stats.figure("accepted jobs cancelled or failed"))))
        // 3 to 8 bids per job, each priced within the tier's band.
        #expect((3.0...8.0).contains(try #require(stats.figure("bids per job"))))
        let jobs = Dictionary(uniqueKeysWithValues: m.opportunities.map { ($0.id, $0) })
        let cleaners = Dictionary(uniqueKeysWithValues: m.people.map { ($0.id, $0) })
        for bid in m.interactions where bid.type == .bid {
            let hours = try #require(jobs[bid.opportunity]?.attributes["duration_hours"])
            let rate = try #require(cleaners[bid.person]?.attributes["hourly_rate"])
            let amount = try #require(bid.value)
            let base = rate * hours
            #expect(amount >= base * 0.899)
            #expect(amount <= base * 1.151)
        }
        // Accepted jobs go accepted → confirmed → completed, cancelled or failed, in time order.
        #expect(m.opportunities.filter { $0.attributes["accepted_at"] != nil }.count >= 10, "the checks below must have jobs to check")
        for job in m.opportunities {
            guard let accepted = job.attributes["accepted_at"] else { continue }
            let confirmed = try #require(job.attributes["confirmed_at"])
            let ended = try #require(job.attributes["completed_at"] ?? job.attributes["cancelled_at"] ?? job.attributes["failed_at"])
            #expect(accepted <= confirmed)
            #expect(accepted <= ended)
            #expect(job.status == .closed)
        }
        // Sub-scores stay within one point of the overall rating.
        #expect(m.interactions.filter { $0.type == .rate }.count >= 10)
        for rating in m.interactions where rating.type == .rate {
            #expect(rating.subScores.count == 4)
            let overall = try #require(rating.value)
            #expect(rating.subScores.allSatisfy { abs($0.value - overall) <= 1.0001 })
        }
        // Properties sit within ±0.15° of the centre; payments carry the platform fee.
        #expect(m.opportunities.filter { $0.attributes["paid_amount"] != nil && $0.attributes["platform_fee"] != nil }.count >= 10)
        for job in m.opportunities {
            let loc = try #require(job.location)
            let dLat = abs(loc.latitude - CleaningMarketplace.centre.latitude)
            let dLon = abs(loc.longitude - CleaningMarketplace.centre.longitude)
            #expect(dLat <= 0.15)
            #expect(dLon <= 0.15)
            if let paid = job.attributes["paid_amount"], let fee = job.attributes["platform_fee"] {
                #expect(abs(fee - paid * 0.15) < 0.01)
            }
        }
    }

    @Test func missionsMarketplaceMatchesItsDesign() throws {
        let m = try generate(.missions, seed: 42, size: .small)
        let stats = MarketplaceStatistics(scenario: .missions, people: m.people, opportunities: m.opportunities, interactions: m.interactions)
        // Stated preferences are often incomplete.
        #expect((0.03...0.2).contains(try #require(stats.figure("clinicians without a stated specialty"))))
        #expect((0.1...0.3).contains(try #require(stats.figure("clinicians without stated services"))))
        #expect((0.2...0.4).contains(try #require(stats.figure("clinicians without stated rhythms"))))
        // Hires respect slots, specialty and certifications valid on the start day.
        let people = Dictionary(uniqueKeysWithValues: m.people.map { ($0.id, $0) })
        var hires: [OpportunityID: Int] = [:]
        for hire in m.interactions where hire.type == .hire {
            let mission = try #require(m.opportunities.first { $0.id == hire.opportunity })
            hires[mission.id, default: 0] += 1
            let clinician = try #require(people[hire.person])
            let valid = clinician.validCertifications(at: mission.window!.start)
            #expect(mission.requiredCertifications.allSatisfy(valid.contains))
            #expect(m.groundTruth.personSegments[hire.person.rawValue] == mission.required[.specialty].first)
        }
        for (id, count) in hires { #expect(count <= m.opportunities.first { $0.id == id }!.slots) }
        #expect(hires.count > 50)
        // Clinicians apply more to services they like: latent affinity of applied vs. seen missions.
        let missions = Dictionary(uniqueKeysWithValues: m.opportunities.map { ($0.id, $0) })
        func affinity(_ i: Interaction) -> Double {
            m.groundTruth.personLatent[i.person.rawValue]!["service.\(missions[i.opportunity]!.required[.service][0])"]!
        }
        let applied: [Double] = m.interactions.filter { $0.type == .apply }.map(affinity)
        let viewed: [Double] = m.interactions.filter { $0.type == .view }.map(affinity)
        let appliedMean = applied.reduce(0, +) / Double(applied.count)
        let viewedMean = viewed.reduce(0, +) / Double(viewed.count)
        #expect(appliedMean > viewedMean + 0.2)
    }

    @Test func learningMarketplaceUsesONETAndFollowsItsLifecycle() throws {
        let catalog = try OccupationCatalog.load(directory: onetDirectory)
        #expect(catalog.skills.count == 35)
        #expect(catalog.occupations.count > 800)
        #expect(catalog.attribution.contains("CC BY 4.0"))
        let m = try LearningMarketplace(seed: 5, size: .small, catalog: catalog).generate()
        let codes = Set(catalog.occupations.map(\.code))
        for learner in m.people { #expect(codes.contains(try #require(learner.facets[.occupation].first))) }
        #expect(m.attribution == catalog.attribution)
        // pass and fail only follow a completion; completion only follows an enrollment.
        var state: [String: [InteractionType]] = [:]
        for i in m.interactions { state[i.person.rawValue + "|" + i.opportunity.rawValue, default: []].append(i.type) }
        var graded = 0, completed = 0
        for events in state.values {
            if let p = events.firstIndex(where: { $0 == .pass || $0 == .fail }) {
                graded += 1
                #expect(events[..<p].contains(.complete))
            }
            if let c = events.firstIndex(of: .complete) {
                completed += 1
                #expect(events[..<c].contains(.enroll))
            }
        }
        #expect(graded >= 10 && completed >= graded, "\(graded) graded, \(completed) completed")
        // Courses teach skills with levels and prerequisites below them.
        #expect(m.opportunities.filter { $0.kind == .course && !$0.prerequisites.isEmpty }.count >= 5)
        for course in m.opportunities where course.kind == .course {
            #expect(!course.teaches.isEmpty)
            for p in course.prerequisites { #expect(p.level < course.teaches.first { $0.skill == p.skill }!.level) }
        }
        #expect(m.opportunities.contains { $0.kind == .posting })
        // Postings ask for their occupation's O*NET skills, most of them, near the O*NET level.
        let required = Dictionary(uniqueKeysWithValues: catalog.occupations.map { ($0.code, Dictionary(uniqueKeysWithValues: $0.skills.map { ($0.skill, $0.level) })) })
        var asked = 0, possible = 0
        for posting in m.opportunities where posting.kind == .posting {
            let levels = try #require(posting.required.values[.occupation]?.first.flatMap { required[$0] })
            possible += levels.count
            asked += posting.skills.count
            for s in posting.skills { #expect(abs(s.level - levels[s.skill]!) < 2.5, "\(posting.id) \(s)") }
        }
        #expect(abs(Double(asked) / Double(possible) - 0.85) < 0.03, "\(asked) of \(possible)")
    }

    @Test("Learners look for work after their courses and are hired more often the closer their skills are to the posting's asks")
    func learningJobSearchHiresBySkillFit() throws {
        let catalog = try OccupationCatalog.load(directory: onetDirectory)
        let m = try LearningMarketplace(seed: 11, size: .small, catalog: catalog).generate()
        let model = try #require(HireModel(truth: m.groundTruth))
        #expect(model == .standard)
        let byID = Dictionary(uniqueKeysWithValues: m.opportunities.map { ($0.id, $0) })
        // Postings carry O*NET's importance; the truth keeps the true requirements.
        for posting in m.opportunities where posting.kind == .posting {
            for s in posting.skills { #expect(s.importance != nil && SkillLevel.importanceRange.contains(s.importance!)) }
        }
        let code = try #require(m.people.first?.facets[.occupation].first)
        #expect(m.groundTruth.opportunityLatent["requirements:\(code)"]?.isEmpty == false)
        // Nothing after the end of the timeline; hires only follow an application, at most one per posting.
        let end = try #require(m.interactions.map(\.timestamp).max())
        #expect(m.interactions.allSatisfy { $0.timestamp <= end })
        var applied = Set<String>(), hiredOn: [OpportunityID: Int] = [:]
        // Skill levels at each application: stated, raised by the passes before it.
        var levels = Dictionary(uniqueKeysWithValues: m.people.map { p in (p.id, Dictionary(uniqueKeysWithValues: p.skills.map { ($0.skill, $0.level) })) })
        var shortfalls: [(Double, Bool)] = [], pending: [String: Double] = [:]
        for e in m.interactions {
            let o = try #require(byID[e.opportunity])
            switch e.type {
            case .pass: for t in o.teaches { levels[e.person]![t.skill] = max(levels[e.person]![t.skill] ?? 0, t.level) }
            case .apply:
                #expect(o.kind == .posting)
                applied.insert(e.person.rawValue + "|" + e.opportunity.rawValue)
                let held = levels[e.person]!
                pending[e.person.rawValue + "|" + e.opportunity.rawValue] = HireModel.shortfall(asked: o.skills) { held[$0] ?? 0 }
            case .hire:
                #expect(applied.contains(e.person.rawValue + "|" + e.opportunity.rawValue))
                hiredOn[e.opportunity, default: 0] += 1
            default: break
            }
        }
        #expect(hiredOn.values.allSatisfy { $0 == 1 })
        let hired = Set(m.interactions.filter { $0.type == .hire }.map { $0.person.rawValue + "|" + $0.opportunity.rawValue })
        for (pair, shortfall) in pending { shortfalls.append((shortfall, hired.contains(pair))) }
        #expect(shortfalls.count >= 300, "\(shortfalls.count) applications")
        let sorted = shortfalls.sorted { $0.0 < $1.0 }
        let third = sorted.count / 3
        func rate(_ part: ArraySlice<(Double, Bool)>) -> Double { Double(part.filter(\.1).count) / Double(part.count) }
        let close = rate(sorted.prefix(third)), far = rate(sorted.suffix(third))
        #expect(close > far + 0.15, "hire rate \(close) for the closest third, \(far) for the farthest")
    }

    @Test func sizesScaleAndAreValidated() throws {
        #expect(try MarketplaceSize.parse("large").scale == 20)
        #expect(try MarketplaceSize.parse("2.5").scale == 2.5)
        #expect(throws: MatchworkError.self) { try MarketplaceSize.parse("huge") }
        #expect(throws: MatchworkError.self) { try MarketplaceSize.parse("-1") }
        let tiny = try generate(.cleaning, seed: 1, size: .tiny)
        let small = try generate(.cleaning, seed: 1, size: .small)
        #expect(small.interactions.count > 5 * tiny.interactions.count)
    }

    @Test func seededGeneratorIsStableAcrossRuns() {
        var rng = SeededGenerator(seed: 42)
        // Golden values: the stream must never change, or every generated marketplace would.
        #expect([rng.next(), rng.next(), rng.next()] == Self.golden)
    }

    /// xoshiro256** seeded by SplitMix64(42), computed independently of this code.
    static let golden: [UInt64] = [1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009]
}
