import Foundation
public import MatchworkCore

/// A model the registry holds: the neural hybrid (with its bid head), a collaborative model,
/// or the learned ranker.
public enum RegistryModel: Sendable {
    case neural(LearnedModel)
    case collaborative(TrainedCollaborative)
    case ranker(RankerModel)

    /// `neural`, `als`, `bpr`, `item-knn`, `mf` or `ranker`: the versions' prefix.
    public var kind: String {
        switch self {
        case .neural: "neural"
        case .collaborative(let m): m.kind.rawValue
        case .ranker: "ranker"
        }
    }

    public var scenario: ScenarioName? {
        switch self {
        case .neural(let m): m.encoder.scenario
        case .collaborative(let m): m.scenario
        case .ranker(let m): m.encoder.scenario
        }
    }

    public var ranker: RankerModel? {
        if case .ranker(let m) = self { return m }
        return nil
    }

    public var learned: LearnedModel? {
        if case .neural(let m) = self { return m }
        return nil
    }

    public var trainedCollaborative: TrainedCollaborative? {
        if case .collaborative(let m) = self { return m }
        return nil
    }

    mutating func setVersion(_ version: String) {
        switch self {
        case .neural(var m):
            m.version = version
            self = .neural(m)
        case .collaborative(var m):
            m.version = version
            self = .collaborative(m)
        case .ranker(var m):
            m.version = version
            self = .ranker(m)
        }
    }

    /// Every kind the registry holds.
    public static let kinds = ["neural"] + CollaborativeKind.allCases.map(\.rawValue) + ["ranker"]
    /// The kinds the engine serves: the neural model, ALS as its collaborative component, and
    /// the learned ranker.
    public static let servedKinds: Set<String> = ["neural", CollaborativeKind.als.rawValue, "ranker"]
}

/// The bytes of a trained model on disk.
///
/// Layout (little-endian):
///
///     "MWMODEL1"                       8 bytes, magic
///     format version                   UInt32
///     header length H                  UInt32
///     header                           H bytes of JSON (ArtifactHeader)
///     tensors                          Float32 or Int32 values, in the header's order and counts
///     SHA-256 of everything above      32 bytes
///
/// Reading checks each part (magic, version, lengths, the digest, that the header's shapes
/// match the model it describes), so a truncated, corrupted or foreign file is refused with a
/// message, never half-loaded.
enum ModelArtifact {
    static let magic = Array("MWMODEL1".utf8)
    /// 2: any kind of model (neural, als, bpr, item-knn, mf), integer tensors, the bid head.
    static let formatVersion: UInt32 = 2

    /// What one hybrid needs besides its tensors.
    struct HybridHeader: Codable {
        var name: String
        var configuration: NeuralHybridModel.Configuration
        var schema: NeuralHybridModel.Schema
        var alphaLogit: Float
        var outputShift: Float
        var outputScale: Float
    }

    /// What the bid head needs besides its MLP parameters (tensor `bid.mlp`).
    struct BidHeader: Codable {
        var sizes: [Int]
        var quantiles: BidHead.Quantiles
        var amountMean: Float
        var amountScale: Float
        /// The conformal margin; absent in artifacts saved before calibration (none then).
        var margin: Float?
    }

    struct NeuralHeader: Codable {
        var encoder: PairFeatureEncoder
        var models: [HybridHeader]
        var bid: BidHeader?
    }

    struct CollaborativeHeader: Codable {
        var scenario: ScenarioName?
        var personIDs: [String]
        var opportunityIDs: [String]
        var collaborative: CollaborativeConfiguration?
        var settings: [String: String]
        var scalars: [String: Float]
    }

    /// One kind of list's booster (tensor `ranker.TARGET`: XGBoost's JSON model, `bytes` long,
    /// packed four bytes to an `i32` word and zero-padded).
    struct RankerStageHeader: Codable {
        var target: RankingTarget
        var bytes: Int
        var parameters: BoostingParameters
        var validation: [String: Double]
        var importance: [RankerModel.Importance]
        /// The calibrated choice scale (absent in artifacts from before it was fitted).
        var choiceScale: Double?
        /// The components it reads (absent: all).
        var components: [String]?
    }

    struct RankerHeader: Codable {
        var encoder: PairFeatureEncoder
        var stages: [RankerStageHeader]
        var declined: [String: String]
        /// Whether the boosters read the neural model's columns; absent in rankers saved before them.
        var learned: Bool?
    }

    struct Tensor: Codable {
        var name: String
        var count: Int
        /// `f32` (the default) or `i32`.
        var type: String?
    }

    struct ArtifactHeader: Codable {
        var kind: String
        var tensors: [Tensor]
        var neural: NeuralHeader?
        var collaborative: CollaborativeHeader?
        var ranker: RankerHeader?
    }

    /// Encodes a model of any kind.
    static func encode(_ model: RegistryModel) throws -> Data {
        var tensors: [Tensor] = []
        var values: [UInt32] = []
        func add(_ name: String, _ buffer: [Float]) {
            tensors.append(Tensor(name: name, count: buffer.count, type: nil))
            values += buffer.map(\.bitPattern)
        }
        func add(_ name: String, _ buffer: [Int32]) {
            tensors.append(Tensor(name: name, count: buffer.count, type: "i32"))
            values += buffer.map { UInt32(bitPattern: $0) }
        }
        var header = ArtifactHeader(kind: model.kind, tensors: [])
        switch model {
        case .neural(let learned):
            var hybrids: [(String, NeuralHybridModel)] = RankingTarget.allCases.compactMap { t in learned.ranking[t].map { ("ranking.\(t.rawValue)", $0) } }
            if let rating = learned.rating { hybrids.append(("rating", rating)) }
            var headers: [HybridHeader] = []
            for (name, hybrid) in hybrids {
                headers.append(HybridHeader(
                    name: name, configuration: hybrid.configuration, schema: hybrid.schema, alphaLogit: hybrid.alphaLogit, outputShift: hybrid.outputShift,
                    outputScale: hybrid.outputScale))
                for (part, buffer) in parts(of: hybrid) { add("\(name).\(part)", buffer) }
            }
            var bid: BidHeader?
            if let b = learned.bid {
                bid = BidHeader(sizes: b.head.mlp.sizes, quantiles: b.head.quantiles, amountMean: b.amountMean, amountScale: b.amountScale, margin: b.margin)
                add("bid.mlp", b.head.mlp.parameters)
            }
            header.neural = NeuralHeader(encoder: learned.encoder, models: headers, bid: bid)
        case .collaborative(let trained):
            header.collaborative = CollaborativeHeader(
                scenario: trained.scenario, personIDs: trained.personIDs, opportunityIDs: trained.opportunityIDs, collaborative: trained.collaborative,
                settings: trained.settings, scalars: trained.scalars)
            for (name, buffer) in trained.floats.sorted(by: { $0.key < $1.key }) { add(name, buffer) }
            for (name, buffer) in trained.integers.sorted(by: { $0.key < $1.key }) { add(name, buffer) }
        case .ranker(let ranker):
            var stages: [RankerStageHeader] = []
            for (target, stage) in ranker.stages.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let bytes = try stage.booster.serialized()
                stages.append(RankerStageHeader(target: target, bytes: bytes.count, parameters: stage.parameters, validation: stage.validation, importance: stage.importance, choiceScale: stage.choiceScale, components: stage.components?.map(\.rawValue)))
                add("ranker.\(target.rawValue)", packed(bytes))
            }
            header.ranker = RankerHeader(encoder: ranker.encoder, stages: stages, declined: Dictionary(uniqueKeysWithValues: ranker.declined.map { ($0.key.rawValue, $0.value) }), learned: ranker.learnedColumns ? true : nil)
        }
        header.tensors = tensors
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var bytes = Data(magic)
        append(formatVersion, to: &bytes)
        append(UInt32(json.count), to: &bytes)
        bytes.append(json)
        bytes.reserveCapacity(bytes.count + values.count * 4 + 32)
        values.withUnsafeBufferPointer { buffer in
            for v in buffer { append(v, to: &bytes) }
        }
        bytes.append(contentsOf: ContentDigest.sha256(bytes))
        return bytes
    }

    /// The tensors of a hybrid, in file order.
    static func parts(of hybrid: NeuralHybridModel) -> [(String, [Float])] {
        [("people", hybrid.people.values), ("opportunities", hybrid.opportunities.values), ("collaborative", hybrid.collaborative.parameters), ("content", hybrid.content.parameters)]
            + hybrid.categories.enumerated().map { ("category\($0.offset)", $0.element.values) }
    }

    /// Decodes a model, or says what is wrong with the bytes.
    static func decode(_ bytes: Data) throws(ArtifactError) -> RegistryModel {
        let all = [UInt8](bytes)
        guard all.count >= magic.count + 8 + 32 else { throw .truncated("it has \(all.count) bytes, fewer than any model") }
        guard Array(all[0..<magic.count]) == magic else { throw .notAModel }
        let digest = Array(all[(all.count - 32)...])
        guard ContentDigest.sha256(all[0..<(all.count - 32)]) == digest else {
            throw .corrupted("its SHA-256 does not match the digest written with it")
        }
        var cursor = magic.count
        let version = readUInt32(all, &cursor)
        guard version == formatVersion else {
            throw .incompatible("it has format version \(version); this matchwork reads version \(formatVersion)")
        }
        let headerLength = Int(readUInt32(all, &cursor))
        guard cursor + headerLength <= all.count - 32 else { throw .truncated("its header is cut short") }
        let header: ArtifactHeader
        do {
            header = try JSONDecoder().decode(ArtifactHeader.self, from: Data(all[cursor..<(cursor + headerLength)]))
        } catch {
            throw .incompatible("its header does not describe a model this matchwork knows (\(error))")
        }
        cursor += headerLength
        let words = header.tensors.reduce(0) { $0 + $1.count }
        guard header.tensors.allSatisfy({ $0.count >= 0 && ($0.type ?? "f32" == "f32" || $0.type == "i32") }) else {
            throw .incompatible("its header lists a tensor of a type this matchwork does not read")
        }
        guard all.count - 32 - cursor == words * 4 else {
            throw .truncated("it holds \(all.count - 32 - cursor) bytes of parameters where its header lists \(words * 4)")
        }
        var floats: [String: [Float]] = [:], integers: [String: [Int32]] = [:]
        for tensor in header.tensors {
            if tensor.type == "i32" {
                var values = [Int32](repeating: 0, count: tensor.count)
                for i in 0..<tensor.count { values[i] = Int32(bitPattern: readUInt32(all, &cursor)) }
                integers[tensor.name] = values
            } else {
                var values = [Float](repeating: 0, count: tensor.count)
                for i in 0..<tensor.count { values[i] = Float(bitPattern: readUInt32(all, &cursor)) }
                if let i = values.firstIndex(where: { !$0.isFinite }) {
                    throw .incompatible("its \(tensor.name) parameters hold \(values[i]) at position \(i), not a finite number")
                }
                floats[tensor.name] = values
            }
        }
        if header.kind == "neural", let neural = header.neural {
            return .neural(try decodeNeural(neural, tensors: floats))
        }
        if header.kind == "ranker", let ranker = header.ranker {
            return .ranker(try decodeRanker(ranker, tensors: integers))
        }
        guard let kind = CollaborativeKind(rawValue: header.kind), let c = header.collaborative else {
            throw .incompatible("it holds a model of kind '\(header.kind)', which this matchwork does not know")
        }
        let trained = TrainedCollaborative(
            kind: kind, scenario: c.scenario, personIDs: c.personIDs, opportunityIDs: c.opportunityIDs, collaborative: c.collaborative, settings: c.settings,
            scalars: c.scalars, floats: floats, integers: integers)
        if let problem = trained.shapeProblem() { throw .incompatible("the \(kind.rawValue) model is inconsistent: \(problem)") }
        return .collaborative(trained)
    }

    private static func decodeNeural(_ header: NeuralHeader, tensors: [String: [Float]]) throws(ArtifactError) -> LearnedModel {
        var ranking: [RankingTarget: NeuralHybridModel] = [:]
        var rating: NeuralHybridModel?
        for h in header.models {
            var hybrid: NeuralHybridModel
            do { hybrid = try NeuralHybridModel(schema: h.schema, configuration: h.configuration) } catch { throw .incompatible("model \(h.name): \(error.message)") }
            guard h.schema == header.encoder.schema else { throw .incompatible("model \(h.name) does not match the feature encoder's inputs") }
            func take(_ part: String, count: Int) throws(ArtifactError) -> [Float] {
                guard let values = tensors["\(h.name).\(part)"], values.count == count else {
                    throw .incompatible("model \(h.name) lacks its \(part) parameters, or their size differs")
                }
                return values
            }
            hybrid.people.values = try take("people", count: hybrid.people.values.count)
            hybrid.opportunities.values = try take("opportunities", count: hybrid.opportunities.values.count)
            hybrid.collaborative.parameters = try take("collaborative", count: hybrid.collaborative.parameters.count)
            hybrid.content.parameters = try take("content", count: hybrid.content.parameters.count)
            for f in hybrid.categories.indices { hybrid.categories[f].values = try take("category\(f)", count: hybrid.categories[f].values.count) }
            hybrid.alphaLogit = h.alphaLogit
            hybrid.outputShift = h.outputShift
            hybrid.outputScale = h.outputScale
            if h.name == "rating" {
                rating = hybrid
            } else if h.name.hasPrefix("ranking."), let target = RankingTarget(rawValue: String(h.name.dropFirst("ranking.".count))) {
                ranking[target] = hybrid
            } else {
                throw .incompatible("it holds a model named '\(h.name)', which this matchwork does not know")
            }
        }
        guard !ranking.isEmpty else { throw .incompatible("it holds no ranking model") }
        var bid: BidModel?
        if let b = header.bid {
            guard b.sizes.count >= 2, b.sizes.allSatisfy({ $0 > 0 }), b.sizes.first == BidModel.inputs(continuous: header.encoder.continuousCount), b.sizes.last == 3
            else { throw .incompatible("its bid head's layers do not fit the feature encoder") }
            var head = BidHead(inputs: b.sizes[0], hidden: Array(b.sizes.dropFirst().dropLast()))
            guard let parameters = tensors["bid.mlp"], parameters.count == head.mlp.parameters.count else {
                throw .incompatible("its bid head lacks its parameters, or their size differs")
            }
            head.mlp.parameters = parameters
            head.quantiles = b.quantiles
            bid = BidModel(head: head, amountMean: b.amountMean, amountScale: b.amountScale, margin: b.margin ?? 0)
        }
        return LearnedModel(encoder: header.encoder, ranking: ranking, rating: rating, bid: bid)
    }

    /// Bytes four to a little-endian word, the last zero-padded.
    static func packed(_ bytes: [UInt8]) -> [Int32] {
        var words = [Int32](repeating: 0, count: (bytes.count + 3) / 4)
        for (i, b) in bytes.enumerated() { words[i / 4] |= Int32(bitPattern: UInt32(b) << (8 * UInt32(i % 4))) }
        return words
    }

    static func unpacked(_ words: [Int32], count: Int) -> [UInt8] {
        (0..<count).map { i in UInt8(truncatingIfNeeded: UInt32(bitPattern: words[i / 4]) >> (8 * UInt32(i % 4))) }
    }

    private static func decodeRanker(_ header: RankerHeader, tensors: [String: [Int32]]) throws(ArtifactError) -> RankerModel {
        let learned = header.learned ?? false
        let columns = RankerFeatures.names(header.encoder, learned: learned).count
        var stages: [RankingTarget: RankerModel.Stage] = [:]
        for stage in header.stages {
            guard let words = tensors["ranker.\(stage.target.rawValue)"], stage.bytes >= 0, words.count == (stage.bytes + 3) / 4 else {
                throw .incompatible("its \(stage.target.rawValue) booster lacks its bytes, or their size differs")
            }
            let booster: Booster
            do {
                booster = try Booster(serialized: unpacked(words, count: stage.bytes), columns: columns, threads: 1)
            } catch {
                throw .incompatible("its \(stage.target.rawValue) booster cannot be loaded: \(error.message)")
            }
            if let scale = stage.choiceScale, !(scale.isFinite && scale >= 0) {
                throw .incompatible("its \(stage.target.rawValue) choice scale \(scale) is not a finite number of 0 or more")
            }
            var components: [RecommendationMode]?
            if let names = stage.components {
                components = try names.map { (name) throws(ArtifactError) -> RecommendationMode in
                    guard let mode = RankerFeatures.components(learned: learned).first(where: { $0.rawValue == name }) else {
                        throw .incompatible("its \(stage.target.rawValue) booster reads a component named '\(name)', which this matchwork does not score")
                    }
                    return mode
                }
            }
            stages[stage.target] = RankerModel.Stage(
                booster: booster, parameters: stage.parameters, validation: stage.validation, importance: stage.importance, choiceScale: stage.choiceScale,
                components: components)
        }
        var declined: [RankingTarget: String] = [:]
        for (name, reason) in header.declined {
            guard let target = RankingTarget(rawValue: name) else { throw .incompatible("it declines a kind of list named '\(name)', which this matchwork does not know") }
            declined[target] = reason
        }
        let model = RankerModel(encoder: header.encoder, stages: stages, declined: declined, learnedColumns: learned)
        if let problem = model.servingProblem() { throw .incompatible("the ranker is inconsistent: \(problem)") }
        return model
    }

    private static func append(_ value: UInt32, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func readUInt32(_ bytes: [UInt8], _ cursor: inout Int) -> UInt32 {
        let v = UInt32(bytes[cursor]) | UInt32(bytes[cursor + 1]) << 8 | UInt32(bytes[cursor + 2]) << 16 | UInt32(bytes[cursor + 3]) << 24
        cursor += 4
        return v
    }
}

/// Why an artifact was refused.
enum ArtifactError: Error, CustomStringConvertible {
    case truncated(String)
    case corrupted(String)
    case notAModel
    case incompatible(String)

    var description: String {
        switch self {
        case .truncated(let why): "the file is truncated: \(why)"
        case .corrupted(let why): "the file is corrupted: \(why)"
        case .notAModel: "the file is not a matchwork model (its first bytes are not MWMODEL1)"
        case .incompatible(let why): "the model is incompatible: \(why)"
        }
    }
}
