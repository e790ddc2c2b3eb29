import Foundation
@testable import MatchworkCore
@testable import MatchworkStore
import MatchworkSynth
import Testing

/// The learned ranker in the registry (issue 25): it round-trips, serves `ranked` and the
/// ensemble's final stage for the kinds of list it kept, and a broken artifact is refused like
/// any other, the previous version serving.
@Suite("Learned ranker in the registry")
struct RankerRegistryTests {
    static let trainedResult = Result { () throws -> (marketplace: Marketplace, model: RankerModel) in
        let m = try CleaningMarketplace(seed: 42, size: .small).generate()
        var configuration = RankerTraining.Configuration()
        configuration.windows = 6
        configuration.rounds = 60
        configuration.threads = 1
        configuration.neuralEvery = 3
        configuration.neuralLag = 0
        configuration.neural.windows = 4
        configuration.neural.trainer.epochs = 6
        let result = try RankerTraining.train(people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning, configuration: configuration)
        return (m, result.model)
    }

    static func metadata(_ version: String, _ sha: String, _ bytes: Int) -> ModelMetadata {
        ModelMetadata(
            version: version, kind: "ranker", createdAt: "2026-12-03T00:00:00Z", scenario: "cleaning", formatVersion: ModelRegistry.formatVersion, sha256: sha,
            bytes: bytes, data: [:], hyperParameters: [:], metrics: [:], alpha: [:], trainingSeconds: 0, idMaps: [:])
    }

    @Test("A saved ranker loads back booster for booster, serves ranked lists of a job's bidders, and a broken one is refused")
    func roundTripServeAndRefuse() throws {
        let (m, model) = try Self.trainedResult.get()
        let applicants = try #require(model.stages[.applicants], "the small marketplace's bidders train a stage")
        let directory = TemporaryDirectory()
        let registry = ModelRegistry(directory: directory.path)
        let first = try registry.save(.ranker(model), describe: Self.metadata)
        #expect(first.version == "ranker-000001")
        let loaded = try #require(try registry.load(first.version, scenario: .cleaning).0.ranker)
        #expect(loaded.version == first.version)
        #expect(loaded.encoder == model.encoder)
        #expect(Set(loaded.stages.keys) == Set(model.stages.keys))
        #expect(loaded.declined == model.declined)
        #expect(model.learnedColumns && loaded.learnedColumns, "the neural model's columns are read back with the boosters")
        #expect(try loaded.stages[.applicants]?.booster.serialized() == (try applicants.booster.serialized()))
        #expect(loaded.stages[.applicants]?.importance == applicants.importance)

        // It serves: the engine ranks a job's bidders with it and names the version.
        let snapshot = try MarketplaceSnapshot(people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning)
        let serving = registry.servingModels(for: snapshot)
        #expect(serving.versions["ranker"] == first.version)
        let engine = try RecommendationEngine(snapshot: snapshot).with(ranker: serving.ranker)
        let job = try #require(m.opportunities.first { o in o.status == .open && m.interactions.count { $0.opportunity == o.id && $0.type == .bid } >= 2 })
        let list = try engine.recommend(RecommendationRequest(.opportunity(job.id), count: 5, mode: .ranked, pool: .applicants))
        #expect(list.answeredBy == ["ranked"])
        #expect(!list.items.isEmpty)
        // The ensemble's final stage is the ranker too, for the lists it kept.
        let ensemble = try engine.recommend(RecommendationRequest(.opportunity(job.id), count: 5, mode: .ensemble, pool: .applicants))
        #expect(ensemble.answeredBy == ["ranked"])
        #expect(ensemble.items.map(\.id) == list.items.map(\.id))

        // A second version whose booster bytes are not a model, with every checksum rewritten
        // to agree: the loader refuses it, and the first serves.
        let second = try registry.save(.ranker(model), describe: Self.metadata)
        let path = directory.file("\(second.version).mwm")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        let tensors = 16 + headerLength
        for i in tensors..<(tensors + 16) { bytes[i] = UInt8(ascii: "x") }
        bytes.replaceSubrange((bytes.count - 32)..., with: ContentDigest.sha256(bytes[0..<(bytes.count - 32)]))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try rewriteMetadata(directory, second.version, bytes: Data(bytes))
        let refused = try #require(registry.entries(scenario: .cleaning).first { $0.version == second.version })
        #expect(refused.problem?.contains("booster cannot be loaded") == true, "\(refused.problem ?? "accepted")")
        let after = registry.servingModels(for: snapshot)
        #expect(after.versions["ranker"] == first.version)
        #expect(after.notes.contains { $0.hasPrefix("model \(second.version) was refused:") && $0.hasSuffix("\(first.version) serves instead.") }, "\(after.notes)")
    }

    private func rewriteMetadata(_ directory: TemporaryDirectory, _ version: String, bytes: Data) throws {
        let url = URL(fileURLWithPath: directory.file("\(version).json"))
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        json["bytes"] = bytes.count
        json["sha256"] = ContentDigest.sha256Hex(bytes)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }
}
