import MatchworkCore
import MatchworkSynth
import Testing

@Suite("The collaborative component in the engine")
struct CollaborativeEngineTests {
    static func marketplace() throws -> Marketplace { try MissionsMarketplace(seed: 42, size: .small).generate() }

    static func snapshot(_ m: Marketplace, extra: [Interaction] = []) throws -> MarketplaceSnapshot {
        try MarketplaceSnapshot(people: m.people, opportunities: m.opportunities, interactions: m.interactions + extra, scenario: m.scenario)
    }

    /// A clinician with a history, and the engine in collaborative mode.
    static func subject(_ snapshot: MarketplaceSnapshot, engine: RecommendationEngine) throws -> PersonID {
        for person in snapshot.people where person.role == .worker {
            let list = try engine.recommend(RecommendationRequest(.person(person.id), count: 10, mode: .collaborative))
            if list.answeredBy == ["collaborative"] && list.items.count == 10 { return person.id }
        }
        Issue.record("no clinician answered by the collaborative component")
        return "none"
    }

    @Test("A fresh event changes the person's next list at once, through fold-in, without refitting")
    func freshEventFoldsIn() throws {
        let m = try Self.marketplace()
        let before = try Self.snapshot(m)
        let cache = CollaborativeCache()
        let engine = try RecommendationEngine(snapshot: before, collaborativeCache: cache)
        let person = try Self.subject(before, engine: engine)
        let first = try engine.recommend(RecommendationRequest(.person(person), count: 10, mode: .collaborative))
        #expect(cache.fitCount == 1)
        // The person applies to the open mission ranked last in their list: a strong signal
        // toward that mission's takers.
        let target = try #require(first.items.last)
        let latest = m.interactions.map(\.timestamp).max()!
        let apply = try Interaction(person: person, opportunity: OpportunityID(target.id), type: .shortlist, timestamp: latest.adding(seconds: 60))
        let after = try Self.snapshot(m, extra: [apply])
        let next = try RecommendationEngine(snapshot: after, collaborativeCache: cache)
        let second = try next.recommend(RecommendationRequest(.person(person), count: 10, mode: .collaborative))
        #expect(cache.fitCount == 1, "the cached model was reused")
        #expect(second.items.map(\.id) != first.items.map(\.id) || second.items.map(\.score) != first.items.map(\.score))
        // A new clinician (not in the fitted model) is folded in from their events.
        let newcomer = try Person(id: "newcomer", role: .worker, facets: try Facets([.specialty: ["nurse"]]))
        let withNewcomer = try MarketplaceSnapshot(
            people: m.people + [newcomer], opportunities: m.opportunities,
            interactions: m.interactions + [try Interaction(person: "newcomer", opportunity: OpportunityID(target.id), type: .apply, timestamp: latest.adding(seconds: 90))],
            scenario: m.scenario)
        let index = try cache.index(for: withNewcomer, configuration: CollaborativeConfiguration())
        #expect(cache.fitCount == 1 && index.foldedIn == 1)
        let row = withNewcomer.people.count - 1
        let f = index.configuration.factors
        #expect(index.personFactors[(row * f)..<((row + 1) * f)].contains { $0 != 0 })
    }

    @Test("In ensemble mode the collaborative share shows in each breakdown, with its reason")
    func ensembleBreakdown() throws {
        let m = try Self.marketplace()
        let snapshot = try Self.snapshot(m)
        var configuration = EngineConfiguration()
        let weights = EnsembleWeights(ruleBased: 0.5, similarity: 0.1, neighbourhood: 0, popularity: 0, collaborative: 0.4)
        configuration.ensemble = EnsembleConfiguration(opportunities: weights, people: weights, applicants: weights)
        let engine = try RecommendationEngine(snapshot: snapshot, configuration: configuration)
        let person = try Self.subject(snapshot, engine: engine)
        let list = try engine.recommend(RecommendationRequest(.person(person), count: 10, explain: true))
        #expect(list.answeredBy == ["rule_based", "similarity", "collaborative"])
        for item in list.items {
            let part = try #require(item.breakdown.first { $0.component == "collaborative" })
            #expect(part.weight == 0.4)
            #expect((0...1).contains(part.value))
        }
        #expect(list.items.contains { $0.reasons.contains("Clinicians with your history took this") })
        // A clinician without history: the component says why it stayed out.
        let cold = try #require(snapshot.people.first { person in
            person.role == .worker && !m.interactions.contains { $0.person == person.id }
        })
        let coldList = try engine.recommend(RecommendationRequest(.person(cold.id), count: 5))
        #expect(!coldList.items.isEmpty && !coldList.answeredBy.contains("collaborative"))
        #expect(coldList.fallbacks.contains { $0.component == "collaborative" && $0.reason == "the person has no history to learn from yet" }, "\(coldList.fallbacks)")
    }

    @Test("Similar opportunities and people: shared interest first, features for the rest, never the subject")
    func similarQueries() throws {
        let m = try Self.marketplace()
        let snapshot = try Self.snapshot(m)
        let engine = try RecommendationEngine(snapshot: snapshot)
        // An open mission people showed interest in.
        let busy = try #require(snapshot.opportunities.first { o in o.status == .open && m.interactions.filter { $0.opportunity == o.id && $0.type == .apply }.count >= 3 })
        let similar = try engine.similar(to: .opportunity(busy.id), count: 20)
        #expect(similar.items.count == 20 && similar.notice == nil)
        #expect(!similar.items.contains { $0.id == busy.id.rawValue })
        let open = Set(snapshot.opportunities.filter { $0.status == .open }.map(\.id.rawValue))
        #expect(similar.items.allSatisfy { open.contains($0.id) })
        let first = try #require(similar.items.first)
        #expect(first.basis == .sharedInterest && first.shared > 0 && first.reason.hasSuffix("interested in both"))
        // Shared-interest results come before feature-only ones, each tier by similarity.
        let tiers = similar.items.map { $0.basis == .sharedInterest ? 1 : 0 }
        #expect(tiers == tiers.sorted(by: >))
        for (a, b) in zip(similar.items, similar.items.dropFirst()) where a.basis == b.basis { #expect(a.similarity >= b.similarity) }

        let worker = try #require(snapshot.people.first { p in p.role == .worker && m.interactions.filter { $0.person == p.id && $0.type == .apply }.count >= 3 })
        let people = try engine.similar(to: .person(worker.id), count: 5)
        #expect(people.items.count == 5 && !people.items.contains { $0.id == worker.id.rawValue })
        #expect(people.items.first?.basis == .sharedInterest)

        // A mission nobody has touched gets an answer from its features, and says so.
        let quiet = try #require(snapshot.opportunities.first { o in o.status == .open && !m.interactions.contains { $0.opportunity == o.id } })
        let cold = try engine.similar(to: .opportunity(quiet.id), count: 5)
        #expect(cold.items.count == 5 && cold.items.allSatisfy { $0.basis == .features })
        #expect(cold.notice?.contains("ranked by features only") == true)
        #expect(throws: MatchworkError.self) { try engine.similar(to: .opportunity(busy.id), count: 0) }
    }
}
