import Foundation
public import MatchworkCore

/// The bytes of a trained model on disk.
///
/// Layout (little-endian):
///
///     "MWMODEL1"                       8 bytes, magic
///     format version                   UInt32
///     header length H                  UInt32
///     header                           H bytes of JSON (ArtifactHeader)
///     tensors                          Float32 values, in the header's order and counts
///     SHA-256 of everything above      32 bytes
///
/// Reading checks each part (magic, version, lengths, the digest, that the header's shapes
/// match the model it describes), so a truncated, corrupted or foreign file is refused with a
/// message, never half-loaded.
enum ModelArtifact {
    static let magic = Array("MWMODEL1".utf8)
    static let formatVersion: UInt32 = 1

    /// What one hybrid needs besides its tensors.
    struct HybridHeader: Codable {
        var name: String
        var configuration: NeuralHybridModel.Configuration
        var schema: NeuralHybridModel.Schema
        var alphaLogit: Float
        var outputShift: Float
        var outputScale: Float
    }

    struct Tensor: Codable {
        var name: String
        var count: Int
    }

    struct ArtifactHeader: Codable {
        var kind: String
        var encoder: PairFeatureEncoder
        var models: [HybridHeader]
        var tensors: [Tensor]
    }

    /// Encodes a learned model.
    static func encode(_ model: LearnedModel) throws -> Data {
        var hybrids: [(String, NeuralHybridModel)] = RankingTarget.allCases.compactMap { t in model.ranking[t].map { ("ranking.\(t.rawValue)", $0) } }
        if let rating = model.rating { hybrids.append(("rating", rating)) }
        var headers: [HybridHeader] = []
        var tensors: [Tensor] = []
        var values: [Float] = []
        for (name, hybrid) in hybrids {
            headers.append(HybridHeader(
                name: name, configuration: hybrid.configuration, schema: hybrid.schema, alphaLogit: hybrid.alphaLogit, outputShift: hybrid.outputShift,
                outputScale: hybrid.outputScale))
            for (part, buffer) in parts(of: hybrid) {
                tensors.append(Tensor(name: "\(name).\(part)", count: buffer.count))
                values += buffer
            }
        }
        let header = ArtifactHeader(kind: "neural", encoder: model.encoder, models: headers, tensors: tensors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var bytes = Data(magic)
        append(formatVersion, to: &bytes)
        append(UInt32(json.count), to: &bytes)
        bytes.append(json)
        values.withUnsafeBufferPointer { buffer in
            for v in buffer { append(v.bitPattern, to: &bytes) }
        }
        bytes.append(contentsOf: SHA256.digest(bytes))
        return bytes
    }

    /// The tensors of a hybrid, in file order.
    static func parts(of hybrid: NeuralHybridModel) -> [(String, [Float])] {
        [("people", hybrid.people.values), ("opportunities", hybrid.opportunities.values), ("collaborative", hybrid.collaborative.parameters), ("content", hybrid.content.parameters)]
            + hybrid.categories.enumerated().map { ("category\($0.offset)", $0.element.values) }
    }

    /// Decodes a learned model, or says what is wrong with the bytes.
    static func decode(_ bytes: Data) throws(ArtifactError) -> LearnedModel {
        let all = [UInt8](bytes)
        guard all.count >= magic.count + 8 + 32 else { throw .truncated("it has \(all.count) bytes, fewer than any model") }
        guard Array(all[0..<magic.count]) == magic else { throw .notAModel }
        let digest = Array(all[(all.count - 32)...])
        guard SHA256.digest(all[0..<(all.count - 32)]) == digest else {
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
        let floats = header.tensors.reduce(0) { $0 + $1.count }
        guard all.count - 32 - cursor == floats * 4 else {
            throw .truncated("it holds \(all.count - 32 - cursor) bytes of parameters where its header lists \(floats * 4)")
        }
        var tensors: [String: [Float]] = [:]
        for tensor in header.tensors {
            var values = [Float](repeating: 0, count: tensor.count)
            for i in 0..<tensor.count { values[i] = Float(bitPattern: readUInt32(all, &cursor)) }
            tensors[tensor.name] = values
        }
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
        return LearnedModel(encoder: header.encoder, ranking: ranking, rating: rating)
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
