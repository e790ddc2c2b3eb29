@testable import MatchworkCore
import MatchworkSynth
import Testing

@Suite("Neural scoring from per-side tables, and queries scored together")
struct NeuralScoringTests {
    static func engine(_ model: LearnedModel) throws -> RecommendationEngine {
        let m = try RegistryTests.trained.marketplace
        let snapshot = try MarketplaceSnapshot(people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning)
        return try RecommendationEngine(snapshot: snapshot, learnedModel: model)
    }

    /// Queries for the first cleaners and open jobs, in both directions and both pools.
    static func queries(_ engine: RecommendationEngine) throws -> [QueryState] {
        let s = engine.snapshot
        var requests = s.takers.prefix(30).map { RecommendationRequest(.person(s.people[Int($0)].id), count: 5) }
        for o in s.openOpportunities {
            requests.append(RecommendationRequest(.opportunity(s.opportunities[Int(o)].id), count: 5, pool: .applicants))
            if requests.count < 40 { requests.append(RecommendationRequest(.opportunity(s.opportunities[Int(o)].id), count: 5)) }
        }
        return try requests.compactMap { request in
            guard case .ranked(let subject, let forPerson, let candidates, _) = try engine.eligible(for: request) else { return nil }
            return QueryState(engine: engine, subject: subject, forPerson: forPerson, candidates: candidates, pool: request.pool)
        }
    }

    /// The reference: every pair's full input through ``NeuralHybridModel/forward(_:workspace:)``.
    static func reference(_ query: QueryState, _ learned: LearnedModel) -> (probabilities: [Double], known: [Bool]) {
        let model = learned.ranker(for: query.target)!
        let batch = query.pairFeatures(learned.encoder, positions: Array(query.candidates.indices)).batch(learned.encoder)
        var workspace = NeuralWorkspace()
        let scores = model.forward(batch, workspace: &workspace)
        return (scores.final.map { Loss.sigmoid(Double($0)) }, scores.collaborative.map { $0 != nil })
    }

    static func check(_ learned: LearnedModel) throws {
        let engine = try engine(learned)
        let queries = try queries(engine)
        #expect(queries.count >= 10)
        #expect(queries.contains { !$0.forPerson && $0.target == .applicants })
        // All the queries scored together, as a batch does.
        let together = engine.neuralScores(queries)
        var pairs = 0, cold = 0
        for (query, result) in zip(queries, together) {
            let scores = try result.get()
            let (expected, known) = reference(query, learned)
            #expect(scores.probabilities.count == expected.count)
            for (got, want) in zip(scores.probabilities, expected) {
                #expect(abs(got - want) <= 2e-6, "query about \(query.subject): \(got) vs \(want)")
            }
            for (share, k) in zip(scores.collaborativeShare, known) where !k { #expect(share == 0) }
            pairs += expected.count
            cold += known.count { !$0 }
            // One query alone gives the same scores as within the batch.
            let alone = try engine.neuralScores([query])[0].get()
            for (a, b) in zip(alone.probabilities, scores.probabilities) { #expect(abs(a - b) <= 1e-6) }
        }
        // (Open jobs whose start has passed are filtered, so the small marketplace's queries
        // hold about 90 pairs.)
        #expect(pairs > 60)
        #expect(cold > 0, "some pairs should have an unknown side (scored from content alone)")
    }

    @Test("Per-side tables give the full forward pass's scores, for every kind of list and for cold pairs")
    func tablesMatchTheForwardPass() throws {
        try Self.check(RegistryTests.trained.result.model)
    }

    @Test("The same holds for models without hidden layers and for each part alone")
    func otherShapes() throws {
        let trained = try RegistryTests.trained.result.model
        for parts in NeuralHybridModel.Parts.allCases {
            var configuration = NeuralHybridModel.Configuration()
            configuration.embeddingWidth = 8
            configuration.collaborativeHidden = []
            configuration.contentHidden = parts == .content ? [] : [12, 6]
            configuration.parts = parts
            configuration.seed = 7
            var model = try NeuralHybridModel(schema: trained.encoder.schema, configuration: configuration)
            model.outputShift = 0.3
            model.outputScale = 1.7
            try Self.check(LearnedModel(encoder: trained.encoder, ranking: [.people: model], rating: nil))
        }
    }

    @Test("Requests answered together give each the list it gets alone, errors and empty answers in place")
    func togetherEqualsAlone() throws {
        let engine = try Self.engine(RegistryTests.trained.result.model)
        let s = engine.snapshot
        var requests: [RecommendationRequest] = []
        let modes: [RecommendationMode] = [.ensemble, .neural, .collaborative, .ensemble, .ruleBased]
        for (k, p) in s.takers.prefix(20).enumerated() {
            requests.append(RecommendationRequest(.person(s.people[Int(p)].id), count: 5, mode: modes[k % modes.count], explain: k % 2 == 0))
        }
        for (k, o) in s.openOpportunities.prefix(8).enumerated() {
            requests.append(RecommendationRequest(.opportunity(s.opportunities[Int(o)].id), count: 4, mode: modes[k % modes.count], pool: k % 3 == 0 ? .applicants : .everyone))
        }
        requests.insert(RecommendationRequest(.person(PersonID("nobody-at-all")), count: 3), at: 5)
        let together = engine.recommend(together: requests)
        #expect(together.count == requests.count)
        var compared = 0
        for (request, result) in zip(requests, together) {
            let alone = Result { () throws(MatchworkError) in try engine.recommend(request) }
            switch (result, alone) {
            case (.failure(let a), .failure(let b)): #expect(a.message == b.message)
            case (.success(let a), .success(let b)):
                #expect(a.answeredBy == b.answeredBy)
                #expect(a.items.map(\.id) == b.items.map(\.id), "\(request.subject) in \(request.mode)")
                for (x, y) in zip(a.items, b.items) { #expect(abs(x.score - y.score) <= 0.011) }
                compared += a.items.count
            default: Issue.record("\(request.subject): together \(result), alone \(alone)")
            }
        }
        #expect(compared > 20)
        #expect(together.contains { (try? $0.get())?.answeredBy.contains("neural") == true })
        #expect(together.contains { (try? $0.get())?.answeredBy.contains("collaborative") == true })
    }
}
