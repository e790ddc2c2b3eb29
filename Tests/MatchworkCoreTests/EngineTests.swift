import MatchworkCore
import Testing

@Suite("Recommendation engine")
struct EngineTests {
    @Test("Known reasons for a hand-built clinician and mission")
    func explanationsForPerson() throws {
        // Every component in the blend, so that each one's reasons show.
        var configuration = EngineConfiguration()
        configuration.ensemble = EnsembleConfiguration(EnsembleWeights())
        let engine = try RecommendationEngine(snapshot: try MissionsFixture().snapshot(), configuration: configuration)
        let result = try engine.recommend(RecommendationRequest(.person("alice"), count: 2, mode: .ensemble))
        let best = try #require(result.items.first { $0.id == "best" })
        #expect(best.reasons.contains("Matches your nurse specialty"))
        #expect(best.reasons.contains("Matches your intensive-care service"))
        #expect(best.reasons.contains("Night shifts, which you prefer"))
        #expect(best.reasons.contains("3.2 km from home"))
        #expect(best.reasons.contains("Clinicians like you took 3 missions here"))
        #expect(best.reasons.contains("Pays 40 per hour, 33% above your rate"))
        #expect(best.assumptions == ["No weekly availability stated: counted as neutral"])
        // The breakdown's points add up to the score.
        let points = best.breakdown.reduce(0) { $0 + $1.points }
        #expect(abs(points * best.adjustment - best.score) < 0.1)
        #expect(best.score > 0 && best.score <= 100)
        #expect(result.answeredBy == ["rule_based", "similarity", "neighbourhood", "popularity"])
    }

    @Test("Known reasons for clinicians ranked for a mission")
    func explanationsForOpportunity() throws {
        let engine = try RecommendationEngine(snapshot: try MissionsFixture().snapshot())
        let result = try engine.recommend(RecommendationRequest(.opportunity("best"), count: 5, mode: .ruleBased))
        let nurse = try #require(result.items.first { $0.id == "nurse-1" })
        #expect(nurse.reasons.contains("Rated 9.4 by 1 hospital"))
        #expect(nurse.reasons.contains("Completed 100% of 1 accepted mission"))
        #expect(nurse.reasons.contains("Nurse, as the mission requires"))
        let alice = try #require(result.items.first { $0.id == "alice" })
        #expect(alice.assumptions.contains("No reviews yet: quality taken as the marketplace average (9.4)"))
        #expect(alice.assumptions.contains("No accepted missions yet: reliability taken from marketplace averages"))
        let rule = try #require(alice.breakdown.first)
        #expect(rule.parts.map(\.component) == ["location", "pricing", "specialization", "availability", "quality", "reliability", "experience", "bidding", "activity"])
    }

    @Test("Bids close to the market average are explained")
    func biddingReason() throws {
        let fixture = try MissionsFixture()
        var events: [Interaction] = []
        var jobs: [Opportunity] = []
        let place = try GeoPoint(latitude: 45.76, longitude: 4.83)
        for j in 0..<3 {
            let job = try MissionsFixture.mission("bidjob-\(j)", client: "hospital-b", service: "emergency", rhythm: "day", pay: 30, window: try MissionsFixture.window(-10 + j, 7, hours: 8), location: place, status: .closed)
            jobs.append(job)
            events.append(try Interaction(person: "nurse-1", opportunity: job.id, type: .bid, timestamp: MissionsFixture.at(-12 + j, 8), value: 100))
            events.append(try Interaction(person: "nurse-2", opportunity: job.id, type: .bid, timestamp: MissionsFixture.at(-12 + j, 9), value: 110))
            events.append(try Interaction(person: "nurse-3", opportunity: job.id, type: .bid, timestamp: MissionsFixture.at(-12 + j, 9), value: 130))
        }
        let engine = try RecommendationEngine(snapshot: try fixture.snapshot(extraEvents: events, extraOpportunities: jobs))
        let result = try engine.recommend(RecommendationRequest(.opportunity("ok"), count: 5, mode: .ruleBased))
        let close = try #require(result.items.first { $0.id == "nurse-2" })
        #expect(close.reasons.contains("Bids close to the market average"))
        let dear = try #require(result.items.first { $0.id == "nurse-3" })
        #expect(dear.reasons.contains("Bids 15% above the market average"))
    }

    @Test("Fallback order: neighbourhood → similarity → popularity → recency")
    func fallbackOrder() throws {
        // A generic marketplace without facets or history: nothing but recency can rank.
        let people = [try Person(id: "p", role: .worker)]
        let window = try MissionsFixture.window(3, 8, hours: 2)
        let opportunities = [
            try Opportunity(id: "a", kind: .job, window: window),
            try Opportunity(id: "b", kind: .job, window: try MissionsFixture.window(4, 8, hours: 2)),
        ]
        let snapshot = try MarketplaceSnapshot(people: people, opportunities: opportunities, interactions: [], now: MissionsFixture.at(0, 0))
        let engine = try RecommendationEngine(snapshot: snapshot)
        let result = try engine.recommend(RecommendationRequest(.person("p"), mode: .neighbourhood))
        #expect(result.fallbacks.map(\.component) == ["neighbourhood", "similarity", "popularity"])
        #expect(result.answeredBy == ["recency"])
        #expect(result.items.map(\.id) == ["b", "a"])

        // With events on one opportunity, popularity answers.
        let busy = try MarketplaceSnapshot(
            people: people + [try Person(id: "q", role: .worker)], opportunities: opportunities,
            interactions: [try Interaction(person: "q", opportunity: "a", type: .apply, timestamp: MissionsFixture.at(0, 0))], now: MissionsFixture.at(0, 1))
        let popular = try RecommendationEngine(snapshot: busy).recommend(RecommendationRequest(.person("p"), mode: .similarity))
        #expect(popular.fallbacks.map(\.component) == ["similarity"])
        #expect(popular.answeredBy == ["popularity"])
        #expect(popular.items.first?.id == "a")

        // Ensemble keeps the components that answer; without a trained model, the learned
        // share is left out and the result says so.
        let blended = try RecommendationEngine(snapshot: busy).recommend(RecommendationRequest(.person("p"), mode: .ensemble))
        #expect(blended.answeredBy == ["rule_based", "popularity"])
        #expect(blended.fallbacks.map(\.component) == ["similarity", "neighbourhood", "neural"])
        #expect(blended.fallbacks.last?.reason.contains("matchwork train --model neural") == true)
        #expect(!blended.items.isEmpty)

        // Neural mode without a trained model: the rule-based scorer answers, and says why.
        let neural = try RecommendationEngine(snapshot: busy).recommend(RecommendationRequest(.person("p"), mode: .neural))
        #expect(neural.answeredBy == ["rule_based"])
        #expect(neural.fallbacks.map(\.component) == ["neural"])
    }

    @Test("Cold start: a clinician without history gets missions from stated preferences and says what it assumed")
    func coldStartPerson() throws {
        let fixture = try MissionsFixture()
        let home = try GeoPoint(latitude: MissionsFixture.centre.lat, longitude: MissionsFixture.centre.lon)
        // States a specialty only: services come from the population prior, rhythm from the default.
        let newcomer = try MissionsFixture.clinician("newcomer", facets: [.specialty: ["nurse"]], location: home)
        let engine = try RecommendationEngine(snapshot: try fixture.snapshot(extraPeople: [newcomer]))
        let summary = engine.index.summaries[Int(try engine.snapshot.index(of: PersonID("newcomer")))]
        #expect(summary.sources[.rhythm] == .scenarioDefault)
        #expect(summary.sources[.service] == .populationPrior)
        #expect(summary.sources[.specialty] == .stated)
        for mode in RecommendationMode.allCases {
            let result = try engine.recommend(RecommendationRequest(.person("newcomer"), count: 5, mode: mode))
            #expect(Set(result.items.map(\.id)) == ["best", "ok"], "mode \(mode.rawValue)")
        }
        let result = try engine.recommend(RecommendationRequest(.person("newcomer"), count: 5))
        let assumptions = result.items.flatMap(\.assumptions)
        #expect(assumptions.contains("No rhythm in your profile: assumed day (the marketplace default)"))
        #expect(assumptions.contains("No service in your profile: assumed intensive care (the most common service here)"))
    }

    @Test("Cold start: a new mission without events gets clinicians through content similarity")
    func coldStartOpportunity() throws {
        let fixture = try MissionsFixture()
        let place = try GeoPoint(latitude: MissionsFixture.centre.lat, longitude: MissionsFixture.centre.lon)
        let fresh = try MissionsFixture.mission("fresh", client: "hospital-b", service: "intensive_care", rhythm: "night", pay: 39, window: try MissionsFixture.window(8, 20, hours: 10), location: place)
        let engine = try RecommendationEngine(snapshot: try fixture.snapshot(extraOpportunities: [fresh]))
        let result = try engine.recommend(RecommendationRequest(.opportunity("fresh"), count: 3, mode: .neighbourhood))
        #expect(result.answeredBy == ["neighbourhood"])
        #expect(result.fallbacks.isEmpty)
        let top = try #require(result.items.first)
        #expect(top.id.hasPrefix("nurse-"))
        #expect(top.reasons.contains("Took 1 similar mission"))
    }

    @Test("Weights are validated with messages that say what to fix")
    func weightValidation() throws {
        var config = EngineConfiguration()
        config.rules.quality = 0.4
        #expect(throws: MatchworkError.self) { try config.validate() }
        do {
            try config.validate()
        } catch {
            #expect(error.message == "person quality weights quality 0.4 + reliability 0.25 + experience 0.2 + bidding 0.15 + activity 0.1 sum to 1.1; they must sum to 1. Adjust them by -0.1 in total.")
            #expect(error.field == "rules")
        }
        config = EngineConfiguration()
        config.rules.location = -0.1
        do {
            try config.validate()
            Issue.record("a negative weight was accepted")
        } catch {
            #expect(error.message == "rule weight location is -0.1; weights must be non-negative numbers.")
        }
        do {
            _ = try EnsembleWeights.parse("rule_based=0.5,similarity=0.4")
            Issue.record("weights summing to 0.9 were accepted")
        } catch {
            #expect(error.message == "ensemble weights rule_based 0.5 + similarity 0.4 + neighbourhood 0.0 + collaborative 0.0 + popularity 0.0 sum to 0.9; they must sum to 1.")
        }
        do {
            _ = try EnsembleWeights.parse("rules=1")
            Issue.record("an unknown component was accepted")
        } catch {
            #expect(error.message == "ensemble_weights 'rules' is not a recommendation mode; use one of rule_based, similarity, neighbourhood, collaborative, popularity, neural, ensemble, ranked.")
        }
        let parsed = try EnsembleWeights.parse("rule_based=0.6, similarity=0.4")
        #expect(parsed.ruleBased == 0.6 && parsed.similarity == 0.4 && parsed.neighbourhood == 0)
        // Per kind of list: a prefix changes one list's weights, none changes all three.
        let base = ScenarioFeatures.forScenario(.missions).ensemble
        let lists = try EnsembleConfiguration.parse(["popularity=1", "people:neighbourhood=1"], over: base)
        #expect(lists.opportunities.popularity == 1 && lists.applicants.popularity == 1)
        #expect(lists.people.neighbourhood == 1 && lists.people.popularity == 0)
        #expect(try EnsembleConfiguration.parse(lists.settings, over: base) == lists)
        do {
            _ = try EnsembleConfiguration.parse(["workers:rule_based=1"], over: base, field: "--ensemble-weights")
            Issue.record("an unknown list was accepted")
        } catch {
            #expect(error.message == "--ensemble-weights: 'workers' is not a list to weigh; use opportunities, people or applicants before the colon, or leave it out for all three.")
        }
        // The engine refuses an invalid configuration.
        var bad = EngineConfiguration()
        bad.diversity.lambda = 1.5
        #expect(throws: MatchworkError.self) { _ = try RecommendationEngine(snapshot: try MissionsFixture().snapshot(), configuration: bad) }
    }

    @Test("Each kind of list uses its own ensemble weights; the scenario's tuned ones by default")
    func ensemblePerList() throws {
        let snapshot = try MissionsFixture().snapshot()
        let engine = try RecommendationEngine(snapshot: snapshot)
        #expect(engine.ensemble == ScenarioFeatures.forScenario(.missions).ensemble)
        let tuned = engine.ensemble
        func components(_ weights: EnsembleWeights) -> [String] { EnsembleWeights.components.filter { weights.weight(of: $0) > 0 }.map(\.rawValue) }
        let forPerson = try engine.recommend(RecommendationRequest(.person("alice"), count: 2))
        #expect(forPerson.answeredBy == components(tuned.opportunities))
        let forMission = try engine.recommend(RecommendationRequest(.opportunity("best"), count: 2))
        #expect(forMission.answeredBy == components(tuned.people))
        #expect(tuned.opportunities != tuned.people)

        var configuration = EngineConfiguration()
        configuration.ensemble = EnsembleConfiguration(
            opportunities: EnsembleWeights(ruleBased: 0, similarity: 1, neighbourhood: 0, popularity: 0),
            people: EnsembleWeights(ruleBased: 0, similarity: 0, neighbourhood: 0, popularity: 1),
            applicants: EnsembleWeights(ruleBased: 1, similarity: 0, neighbourhood: 0, popularity: 0))
        // An applicant to rank for the applicants list.
        let applied = try Interaction(person: "nurse-1", opportunity: "best", type: .apply, timestamp: MissionsFixture.at(-1, 9))
        let custom = try RecommendationEngine(snapshot: try MissionsFixture().snapshot(extraEvents: [applied]), configuration: configuration)
        #expect(try custom.recommend(RecommendationRequest(.person("alice"), count: 2)).answeredBy == ["similarity"])
        #expect(try custom.recommend(RecommendationRequest(.opportunity("best"), count: 2)).answeredBy == ["popularity"])
        #expect(try custom.recommend(RecommendationRequest(.opportunity("best"), count: 2, pool: .applicants)).answeredBy == ["rule_based"])
    }

    @Test("Requests are validated: count, distance, unknown ids, a client asking for work")
    func requestValidation() throws {
        let engine = try RecommendationEngine(snapshot: try MissionsFixture().snapshot())
        let cases: [(RecommendationRequest, String)] = [
            (RecommendationRequest(.person("alice"), count: 0), "count 0 must be between 1 and 1000."),
            (RecommendationRequest(.person("alice"), filters: RecommendationFilters(maxDistanceKm: -3)), "max distance -3.0 km must be a positive number of kilometres, at most 20040."),
            (RecommendationRequest(.person("zed")), "person 'zed' is not in the marketplace; check the id, or import the person first."),
            (RecommendationRequest(.opportunity("nowhere")), "opportunity 'nowhere' is not in the marketplace; check the id, or import it first."),
            (RecommendationRequest(.person("hospital-a")), "person 'hospital-a' is a hospital: recommend people for one of their opportunities instead (--opportunity ID)."),
            // A category filter outside the scenario's vocabulary would silently remove everything.
            (RecommendationRequest(.person("alice"), filters: RecommendationFilters(facets: [.service: ["intensive_care", "icu"]])),
             "filter service 'icu' is not in this scenario's vocabulary; use one of \(MissionVocabulary.services.joined(separator: ", "))."),
            (RecommendationRequest(.opportunity("best"), filters: RecommendationFilters(facets: ["colour": ["blue"]])),
             "filter facet 'colour' is not a facet of the missions scenario; use one of language, rhythm, service, specialty."),
        ]
        for (request, message) in cases {
            do {
                _ = try engine.recommend(request)
                Issue.record("accepted: \(message)")
            } catch {
                #expect(error.message == message)
            }
        }
    }

    /// Eight open missions at hospital A that suit Alice, two at hospital B.
    static func crowdedFixture() throws -> (MissionsFixture, [Opportunity]) {
        let fixture = try MissionsFixture()
        let a = try GeoPoint(latitude: MissionsFixture.centre.lat, longitude: MissionsFixture.centre.lon)
        var extra: [Opportunity] = []
        for k in 0..<8 {
            extra.append(try MissionsFixture.mission("a-\(k)", client: "hospital-a", service: "intensive_care", rhythm: "night", pay: 40, window: try MissionsFixture.window(9 + k, 20, hours: 10), location: a))
        }
        for k in 0..<2 {
            extra.append(try MissionsFixture.mission("b-\(k)", client: "hospital-b", service: "emergency", rhythm: "day", pay: 30, window: try MissionsFixture.window(9 + k, 7, hours: 10), location: a))
        }
        return (fixture, extra)
    }

    @Test("Diversity: at most N per client, and the list is completed rather than cut short")
    func diversityCap() throws {
        let (fixture, extra) = try Self.crowdedFixture()
        let snapshot = try fixture.snapshot(extraOpportunities: extra)
        var config = EngineConfiguration()
        config.diversity.maxPerClient = 3
        config.diversity.lambda = 1
        let engine = try RecommendationEngine(snapshot: snapshot, configuration: config)
        let five = try engine.recommend(RecommendationRequest(.person("alice"), count: 5, mode: .ruleBased))
        let clients = five.items.map { $0.id.hasPrefix("a-") || $0.id == "best" ? "a" : "b" }
        #expect(clients.filter { $0 == "a" }.count == 3)
        #expect(five.items.count == 5)
        // Asking for more than the other clients can offer completes the list with hospital A.
        let all = try engine.recommend(RecommendationRequest(.person("alice"), count: 12, mode: .ruleBased))
        #expect(all.items.count == 12)

        config.diversity.maxPerClient = nil
        let uncapped = try RecommendationEngine(snapshot: snapshot, configuration: config).recommend(RecommendationRequest(.person("alice"), count: 5, mode: .ruleBased))
        #expect(uncapped.items.filter { $0.id.hasPrefix("a-") || $0.id == "best" }.count == 5)
    }

    @Test("Diversity: maximal marginal relevance pulls a different kind of mission up")
    func maximalMarginalRelevance() throws {
        let (fixture, extra) = try Self.crowdedFixture()
        let snapshot = try fixture.snapshot(extraOpportunities: extra)
        var config = EngineConfiguration()
        config.diversity.maxPerClient = nil
        config.diversity.lambda = 1
        let plain = try RecommendationEngine(snapshot: snapshot, configuration: config).recommend(RecommendationRequest(.person("alice"), count: 3, mode: .similarity))
        #expect(plain.items.allSatisfy { $0.id.hasPrefix("a-") || $0.id == "best" })
        config.diversity.lambda = 0.3
        let diverse = try RecommendationEngine(snapshot: snapshot, configuration: config).recommend(RecommendationRequest(.person("alice"), count: 3, mode: .similarity))
        #expect(diverse.items.contains { $0.id.hasPrefix("b-") || $0.id == "ok" })
    }

    @Test("Anti-congestion spreads a scarce mission across people")
    func antiCongestion() throws {
        let (fixture, extra) = try Self.crowdedFixture()
        let snapshot = try fixture.snapshot(extraOpportunities: extra)
        var config = EngineConfiguration()
        config.diversity.maxPerClient = nil
        config.diversity.lambda = 1
        config.antiCongestion.strength = 0
        let off = try RecommendationEngine(snapshot: snapshot, configuration: config)
        let ledgerOff = ExposureLedger()
        var topsOff = Set<String>()
        for _ in 0..<12 { topsOff.insert(try off.recommend(RecommendationRequest(.person("alice"), count: 1, mode: .ruleBased), ledger: ledgerOff).items[0].id) }
        #expect(topsOff.count == 1, "without anti-congestion everyone is sent to the same mission")

        config.antiCongestion.strength = 2
        config.antiCongestion.threshold = 1
        let on = try RecommendationEngine(snapshot: snapshot, configuration: config)
        let ledger = ExposureLedger()
        var tops: [String] = []
        for _ in 0..<12 { tops.append(try on.recommend(RecommendationRequest(.person("alice"), count: 1, mode: .ruleBased), ledger: ledger).items[0].id) }
        #expect(Set(tops).count >= 3, "recommendations spread: \(tops)")
        let adjusted = try on.recommend(RecommendationRequest(.person("alice"), count: 10, mode: .ruleBased), ledger: ledger)
        #expect(adjusted.items.contains { $0.adjustment < 1 })
    }

    @Test("A batch gives the same lists as one call per subject")
    func batch() async throws {
        let engine = try RecommendationEngine(snapshot: try MissionsFixture().snapshot())
        let requests = ["alice", "nurse-1", "nurse-2", "nurse-3", "zed"].map { RecommendationRequest(.person(PersonID($0)), count: 2) }
        let results = await engine.recommend(batch: requests)
        for (request, result) in zip(requests.prefix(4), results) {
            #expect(try result.get() == (try engine.recommend(request)))
        }
        #expect(throws: MatchworkError.self) { try results[4].get() }
    }

    @Test("The feature cache is reused for the same data and rebuilt when it changes")
    func featureCache() throws {
        let cache = FeatureCache()
        let fixture = try MissionsFixture()
        _ = try RecommendationEngine(snapshot: try fixture.snapshot(), cache: cache)
        _ = try RecommendationEngine(snapshot: try fixture.snapshot(), cache: cache)
        #expect(cache.buildCount == 1)
        let event = try Interaction(person: "alice", opportunity: "ok", type: .view, timestamp: MissionsFixture.at(0, 23))
        let changed = try RecommendationEngine(snapshot: try fixture.snapshot(extraEvents: [event]), cache: cache)
        #expect(cache.buildCount == 2)
        #expect(changed.index.version == changed.snapshot.version)
    }
}
