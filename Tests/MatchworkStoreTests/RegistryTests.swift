import Foundation
import MatchworkCore
@testable import MatchworkStore
import MatchworkSynth
import Testing

@Suite("Neural model: training on a marketplace, the registry and fallback")
struct RegistryTests {
    /// A small neural model trained on the small cleaning marketplace (shared by the tests). A
    /// failure to train fails the tests that use it, not the whole test process.
    static let trainedResult = Result { () throws -> (marketplace: Marketplace, result: NeuralTraining.Result) in
        let m = try CleaningMarketplace(seed: 11, size: .small).generate()
        var configuration = NeuralTraining.Configuration()
        configuration.model.embeddingWidth = 8
        configuration.model.collaborativeHidden = [16]
        configuration.model.contentHidden = [16]
        configuration.trainer.epochs = 8
        configuration.windows = 4
        configuration.compareParts = false
        let result = try NeuralTraining.train(people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning, configuration: configuration)
        return (m, result)
    }
    static var trained: (marketplace: Marketplace, result: NeuralTraining.Result) { get throws { try trainedResult.get() } }

    static func metadata(_ version: String, _ sha: String, _ bytes: Int) -> ModelMetadata {
        ModelMetadata(
            version: version, kind: "neural", createdAt: "2026-11-21T00:00:00Z", scenario: "cleaning", formatVersion: 1, sha256: sha, bytes: bytes, data: [:],
            hyperParameters: [:], metrics: [:], alpha: [:], trainingSeconds: 0, idMaps: [:])
    }

    @Test("Training yields a model per kind of list; the engine's neural mode and ensemble use it and explain its parts")
    func engineUsesTheModel() throws {
        let (m, result) = try Self.trained
        #expect(Set(result.ranking.keys) == [.opportunities, .people, .applicants])
        #expect(result.model.rating != nil)
        #expect(!result.model.encoder.personIDs.isEmpty)
        let snapshot = try MarketplaceSnapshot(people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning)
        var model = result.model
        model.version = "neural-000042"
        let engine = try RecommendationEngine(snapshot: snapshot, learnedModel: model)
        let job = try #require(snapshot.openOpportunities.first.map { snapshot.opportunities[Int($0)].id })

        let neural = try engine.recommend(RecommendationRequest(.opportunity(job), count: 5, mode: .neural, explain: true))
        #expect(neural.answeredBy == ["neural"])
        #expect(neural.fallbacks.isEmpty)
        #expect(neural.modelVersion == "neural-000042")
        #expect(!neural.items.isEmpty)
        #expect(neural.items.first?.score == 100)

        let ensemble = try engine.recommend(RecommendationRequest(.opportunity(job), count: 5, mode: .ensemble, explain: true))
        #expect(ensemble.answeredBy.last == "neural")
        for item in ensemble.items {
            let learned = try #require(item.breakdown.first { $0.component == "neural" })
            #expect(abs(learned.weight - 0.4) < 1e-9)
            #expect(learned.parts.map(\.component) == ["neural_collaborative", "neural_content"])
            #expect(abs(learned.parts.reduce(0) { $0 + $1.points } - learned.points) < 0.02)
            #expect(abs(item.breakdown.reduce(0) { $0 + $1.points } - item.score / item.adjustment) < 0.05)
        }

        // A learned share of 0 leaves the model out; the same store without a model falls back.
        var configuration = EngineConfiguration()
        var weights = ScenarioFeatures.forScenario(.cleaning).ensemble
        weights.learnedShare = 0
        configuration.ensemble = weights
        let without = try engine.reconfigured(configuration).recommend(RecommendationRequest(.opportunity(job), count: 5, mode: .ensemble))
        #expect(!without.answeredBy.contains("neural"))
        let untrained = try engine.with(learnedModel: nil).recommend(RecommendationRequest(.opportunity(job), count: 5, mode: .neural))
        #expect(untrained.answeredBy == ["rule_based"])
        #expect(untrained.fallbacks.first?.reason.contains("no trained model") == true)

        weights.learnedShare = 1.5
        configuration.ensemble = weights
        do {
            _ = try engine.reconfigured(configuration)
            Issue.record("a learned share of 1.5 was accepted")
        } catch {
            #expect(error.message == "learned share 1.5 must be between 0 and 1 (0 leaves the trained model out of the ensemble).")
        }
    }

    @Test("Saved models load back identically; corrupted, truncated or foreign files are refused and the previous version serves")
    func registryFailures() throws {
        let directory = TemporaryDirectory()
        let registry = ModelRegistry(directory: directory.path)
        let model = try Self.trained.result.model
        #expect(registry.serving(scenario: .cleaning) == nil)
        let first = try registry.save(model, describe: Self.metadata)
        let second = try registry.save(model, describe: Self.metadata)
        #expect(first.version == "neural-000001")
        #expect(second.version == "neural-000002")
        // The metadata's digest and size are the file's (as `sha256sum` prints them).
        let file = try Data(contentsOf: URL(fileURLWithPath: directory.file("neural-000001.mwm")))
        #expect(first.sha256 == ContentDigest.sha256Hex(Array(file)))
        #expect(first.bytes == file.count)

        let loaded = try #require(try registry.load("neural-000002", scenario: .cleaning).0.learned)
        #expect(loaded.encoder == model.encoder)
        #expect(loaded.ranking == model.ranking)
        #expect(loaded.rating == model.rating)
        #expect(model.bid != nil, "the cleaning marketplace's bids train a bid head")
        #expect(loaded.bid == model.bid)
        #expect(registry.serving(scenario: .cleaning)?.metadata.version == "neural-000002")

        // A flipped byte in the newest artifact: refused by its checksum; the previous serves.
        let newest = directory.file("neural-000002.mwm")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: newest))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: newest))
        let serving = try #require(registry.serving(scenario: .cleaning))
        #expect(serving.metadata.version == "neural-000001")
        #expect(serving.refused.map(\.version) == ["neural-000002"])
        #expect(serving.refused.first?.reason == "model neural-000002: the artifact's SHA-256 differs from its metadata's (corrupted or replaced); train again.")

        // Truncated, with metadata that agrees (as if the writer's checksum were of the cut file):
        // the artifact's own digest and lengths refuse it.
        let third = try registry.save(model, describe: Self.metadata)
        let path = directory.file("\(third.version).mwm")
        let cut = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(1000)
        try cut.write(to: URL(fileURLWithPath: path))
        try rewriteMetadata(directory, third.version, bytes: cut)
        let refused = try #require(registry.entries(scenario: .cleaning).first { $0.version == third.version })
        #expect(refused.problem?.hasPrefix("model \(third.version): the file is corrupted") == true || refused.problem?.hasPrefix("model \(third.version): the file is truncated") == true)
        #expect(registry.serving(scenario: .cleaning)?.metadata.version == "neural-000001")

        // Not a model at all, and metadata missing.
        let fourth = try registry.save(model, describe: Self.metadata)
        let text = Data("user,item,rating\n".utf8)
        try text.write(to: URL(fileURLWithPath: directory.file("\(fourth.version).mwm")))
        try rewriteMetadata(directory, fourth.version, bytes: text)
        #expect(registry.entries(scenario: .cleaning).first { $0.version == fourth.version }?.problem == "model \(fourth.version): the file is truncated: it has 17 bytes, fewer than any model; train again.")
        let fifth = try registry.save(model, describe: Self.metadata)
        try FileManager.default.removeItem(atPath: directory.file("\(fifth.version).json"))
        #expect(registry.entries(scenario: .cleaning).first { $0.version == fifth.version }?.problem?.contains("metadata \(fifth.version).json is missing") == true)

        // Another scenario's store refuses every version, by name.
        #expect(registry.serving(scenario: .missions) == nil)
        #expect(registry.entries(scenario: .missions).first { $0.version == "neural-000001" }?.problem == "model neural-000001 was trained on a cleaning marketplace, not this missions store; train one on this store.")

        // Pinning: a refused version cannot be pinned; a good one serves until unpinned.
        #expect(throws: StoreError.self) { try registry.pin("neural-000002", scenario: .cleaning) }
        #expect(throws: StoreError.self) { try registry.pin("neural-000099", scenario: .cleaning) }
        let sixth = try registry.save(model, describe: Self.metadata)
        #expect(registry.serving(scenario: .cleaning)?.metadata.version == sixth.version)
        try registry.pin("neural-000001", scenario: .cleaning)
        #expect(registry.serving(scenario: .cleaning)?.metadata.version == "neural-000001")
        try registry.unpin()
        #expect(registry.serving(scenario: .cleaning)?.metadata.version == sixth.version)
    }

    @Test("ALS, BPR, item-kNN and MF train on a marketplace, round-trip through the registry with their own serving version and pin, and ALS serves the engine")
    func collaborativeKinds() throws {
        let m = try Self.trained.marketplace
        let snapshot = try MarketplaceSnapshot(people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning)
        let directory = TemporaryDirectory()
        let registry = ModelRegistry(directory: directory.path)
        var saved: [CollaborativeKind: TrainedCollaborative] = [:]
        for kind in CollaborativeKind.allCases {
            var parameters = try Parameters(kind == .itemKNN ? ["neighbours=20"] : ["factors=8", "iterations=5"])
            let result = try CollaborativeTraining.train(kind, snapshot: snapshot, parameters: &parameters, base: CollaborativeConfiguration())
            #expect(result.model.shapeProblem() == nil)
            if kind == .mf {
                let r2 = try #require(result.validation.r2)
                #expect(r2 > 0, "mf explains held-out ratings better than their mean")
            } else {
                let ndcg = try #require(result.validation.ndcgAt10)
                #expect(ndcg > 0 && result.validation.hitRateAt3 != nil && (result.validation.lists ?? 0) > 0)
            }
            let metadata = try registry.save(.collaborative(result.model)) { version, sha, bytes in
                var metadata = Self.metadata(version, sha, bytes)
                metadata.kind = kind.rawValue
                return metadata
            }
            #expect(metadata.version.hasPrefix(kind.rawValue + "-"))
            let loaded = try #require(try registry.load(metadata.version, scenario: .cleaning).0.trainedCollaborative)
            var expected = result.model
            expected.version = metadata.version
            #expect(loaded == expected)
            saved[kind] = loaded
        }
        // Each kind serves its own newest version; pins are per kind.
        let neural = try registry.save(try Self.trained.result.model, describe: Self.metadata)
        let entries = registry.entries(scenario: .cleaning)
        #expect(registry.servingVersions(among: entries) == ["als": "als-000001", "bpr": "bpr-000002", "item-knn": "item-knn-000003", "mf": "mf-000004", "neural": neural.version])
        var again = try Parameters(["factors=8", "iterations=2"])
        let newer = try CollaborativeTraining.train(.als, snapshot: snapshot, parameters: &again, base: CollaborativeConfiguration())
        let als2 = try registry.save(.collaborative(newer.model)) { version, sha, bytes in
            var metadata = Self.metadata(version, sha, bytes)
            metadata.kind = "als"
            return metadata
        }
        #expect(registry.serving("als", scenario: .cleaning)?.metadata.version == als2.version)
        try registry.pin("als-000001", scenario: .cleaning)
        #expect(registry.serving("als", scenario: .cleaning)?.metadata.version == "als-000001")
        #expect(registry.serving(scenario: .cleaning)?.metadata.version == neural.version)
        try registry.unpin(kind: "neural")
        #expect(registry.pinnedVersion(kind: "als") == "als-000001")
        try registry.unpin(kind: "als")
        #expect(registry.serving("als", scenario: .cleaning)?.metadata.version == als2.version)

        // A file renamed to another kind is refused.
        try FileManager.default.copyItem(atPath: directory.file("bpr-000002.mwm"), toPath: directory.file("als-000099.mwm"))
        try FileManager.default.copyItem(atPath: directory.file("bpr-000002.json"), toPath: directory.file("als-000099.json"))
        #expect(registry.serving("als", scenario: .cleaning)?.refused.first?.reason == "model als-000099 holds a bpr model, not what its name says; train again.")

        // The registry's ALS serves the collaborative component: the engine adopts its factors
        // instead of fitting, and scores as the saved model does.
        let als = try #require(saved[.als])
        let index = try als.collaborativeIndex(for: snapshot)
        #expect(index.foldedIn == 0)
        #expect(index.personFactors == als.floats["people"])
        var configuration = EngineConfiguration()
        configuration.collaborative = try #require(als.collaborative)
        let cache = CollaborativeCache(holding: index)
        let engine = try RecommendationEngine(snapshot: snapshot, configuration: configuration, collaborativeCache: cache)
        // The first cleaner with an eligible job.
        var answer: Recommendations?
        for p in snapshot.takers.prefix(50) where answer == nil {
            let list = try engine.recommend(RecommendationRequest(.person(snapshot.people[Int(p)].id), count: 5, mode: .collaborative))
            if !list.items.isEmpty { answer = list }
        }
        #expect(try #require(answer).answeredBy == ["collaborative"])
        #expect(cache.fitCount == 0)
    }

    private func rewriteMetadata(_ directory: TemporaryDirectory, _ version: String, bytes: Data) throws {
        let url = URL(fileURLWithPath: directory.file("\(version).json"))
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        json["bytes"] = bytes.count
        json["sha256"] = try sha256sum(bytes)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }

    /// The digest as the system's `sha256sum` prints it, so the registry's own is checked too.
    private func sha256sum(_ data: Data) throws -> String {
        let directory = TemporaryDirectory()
        let file = directory.file("blob")
        try data.write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return String(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64))
    }

    @Test("A model with valid checksums but NaN or overflowing weights is refused, and the previous version serves", arguments: [Float.nan, 3e38, -Float.infinity])
    func nonFiniteWeights(value: Float) throws {
        let directory = TemporaryDirectory()
        let registry = ModelRegistry(directory: directory.path)
        let model = try Self.trained.result.model
        let good = try registry.save(model, describe: Self.metadata)
        var bad = model
        for target in Array(bad.ranking.keys) {
            bad.ranking[target]!.content.parameters = [Float](repeating: value, count: bad.ranking[target]!.content.parameters.count)
        }
        let saved = try registry.save(bad, describe: Self.metadata)
        #expect(saved.version == "neural-000002")
        let entries = registry.entries(scenario: .cleaning)
        let problem = try #require(entries.first { $0.version == saved.version }?.problem)
        if value.isFinite {
            #expect(problem.contains("it scores") && problem.contains("on a probe pair; its weights overflow"), "\(problem)")
        } else {
            #expect(problem.contains("content") && problem.contains("not a finite number"), "\(problem)")
        }
        #expect(registry.serving(scenario: .cleaning)?.metadata.version == good.version)
        #expect(throws: StoreError.self) { try registry.pin(saved.version, scenario: .cleaning) }
    }

    @Test("Every suggested bid stays within what the market's bids show, for every open job and its top cleaners")
    func suggestedBidsAreBoundedByTheMarket() throws {
        let (m, result) = try Self.trained
        let snapshot = try MarketplaceSnapshot(people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning)
        let engine = try RecommendationEngine(snapshot: snapshot, learnedModel: result.model)
        let market = try #require(engine.index.bidMarket)
        #expect(market.lowest > 0 && market.lowest < market.highest)
        let ratios = try #require(market.offerRatios)
        #expect(ratios.lowerBound > 0.1 && ratios.lowerBound < 1, "\(ratios)")
        #expect(ratios.upperBound > 1 && ratios.upperBound < 5, "\(ratios)")
        var checked = 0
        for o in snapshot.openOpportunities.prefix(15) {
            let job = snapshot.opportunities[Int(o)]
            let list = try engine.recommend(RecommendationRequest(.opportunity(job.id), count: 5, mode: .ensemble, explain: false))
            for item in list.items {
                let bid = try #require(item.suggestedBid)
                let bounds = market.bounds(offer: job.attributes["budget"])
                #expect(bid.minimum >= bounds.lowerBound - 0.005 && bid.maximum <= bounds.upperBound + 0.005, "\(job.id) \(item.id): \(bid) outside \(bounds)")
                #expect(bid.minimum <= bid.optimal && bid.optimal <= bid.maximum)
                #expect(bid.minimum >= market.lowest - 0.005, "no bid in the data is below \(market.lowest)")
                checked += 1
            }
        }
        #expect(checked >= 30)
    }

    @Test("A range the model extrapolates to 0 is clamped to the market's", arguments: [
        (BidSuggestion(minimum: 0, optimal: 15.58, maximum: 32.88), 45.0, BidSuggestion(minimum: 27, optimal: 27, maximum: 32.88)),
        (BidSuggestion(minimum: 40, optimal: 50, maximum: 60), 45.0, BidSuggestion(minimum: 40, optimal: 50, maximum: 60)),
        (BidSuggestion(minimum: 80, optimal: 90, maximum: 200), 45.0, BidSuggestion(minimum: 72, optimal: 72, maximum: 72)),
        (BidSuggestion(minimum: -5, optimal: 3, maximum: 400), nil, BidSuggestion(minimum: 10.97, optimal: 10.97, maximum: 250)),
    ])
    func clamp(raw: BidSuggestion, budget: Double?, expected: BidSuggestion) {
        let market = BidMarket(lowest: 10.97, highest: 250, offerRatios: 0.6...1.6, bids: 500)
        let clamped = market.clamp(raw, offer: budget)
        #expect(abs(clamped.minimum - expected.minimum) < 1e-9 && abs(clamped.optimal - expected.optimal) < 1e-9 && abs(clamped.maximum - expected.maximum) < 1e-9, "\(clamped)")
    }
}
