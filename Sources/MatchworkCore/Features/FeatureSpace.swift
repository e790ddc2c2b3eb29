/// One feature space for people and opportunities: multi-hot facet blocks (services,
/// specialties, rhythms, property types…), skills with levels, and standardised numeric
/// attributes of opportunities.
///
/// Each facet block is scaled so that its Euclidean norm equals the block weight whatever the
/// number of values listed (`weight / sqrt(k)` per value); preferred facets of an opportunity
/// count half. Skills enter as `level / 7`. Numeric attributes enter as z-scores clipped to
/// ±3, times 0.3. The dimension is padded to a multiple of 8 for the SIMD kernels.
public struct FeatureSpace: Sendable {
    /// A contiguous range of dimensions.
    public struct Block: Sendable, Hashable {
        public let name: String
        public let range: Range<Int>
        public let weight: Float
        /// The value each dimension stands for.
        public let values: [String]
    }

    public let blocks: [Block]
    public let dimension: Int
    let facetPositions: [FacetName: [String: Int]]
    let facetBlocks: [FacetName: Int]
    let skillPositions: [String: Int]
    let numeric: [(key: String, mean: Double, deviation: Double, position: Int)]
    public static let numericWeight: Float = 0.3
    public static let skillWeight: Float = 1

    /// Lays the space out from every facet value, skill and listed numeric attribute found in
    /// the records, plus the preset's closed vocabularies.
    public init(people: [Person], opportunities: [Opportunity], preset: ScenarioPreset?, features: ScenarioFeatures) {
        var valuesByFacet: [FacetName: Set<String>] = [:]
        if let preset {
            for (name, vocabulary) in preset.vocabularies {
                if case .closed(let values) = vocabulary { valuesByFacet[name, default: []].formUnion(values) }
            }
        }
        for o in opportunities {
            for name in o.required.names { valuesByFacet[name, default: []].formUnion(o.required[name]) }
            for name in o.preferred.names { valuesByFacet[name, default: []].formUnion(o.preferred[name]) }
        }
        for p in people where p.role != .client {
            for name in p.facets.names { valuesByFacet[name, default: []].formUnion(p.facets[name]) }
        }
        var skills = Set<String>()
        for o in opportunities { for s in o.teaches { skills.insert(s.skill) } }
        for p in people where p.role != .client { for s in p.skills { skills.insert(s.skill) } }

        var blocks: [Block] = []
        var facetPositions: [FacetName: [String: Int]] = [:]
        var facetBlocks: [FacetName: Int] = [:]
        var next = 0
        for name in valuesByFacet.keys.sorted() {
            let values = valuesByFacet[name]!.sorted()
            var positions: [String: Int] = [:]
            for (i, v) in values.enumerated() { positions[v] = next + i }
            facetPositions[name] = positions
            facetBlocks[name] = blocks.count
            blocks.append(Block(name: name.rawValue, range: next..<(next + values.count), weight: features.facetWeights[name] ?? 1, values: values))
            next += values.count
        }
        var skillPositions: [String: Int] = [:]
        let skillList = skills.sorted()
        if !skillList.isEmpty {
            for (i, s) in skillList.enumerated() { skillPositions[s] = next + i }
            blocks.append(Block(name: "skills", range: next..<(next + skillList.count), weight: Self.skillWeight, values: skillList))
            next += skillList.count
        }
        var numeric: [(key: String, mean: Double, deviation: Double, position: Int)] = []
        for key in features.numericAttributes {
            let values = opportunities.compactMap { $0.attributes[key] }
            guard values.count >= 2 else { continue }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
            guard variance > 0 else { continue }
            numeric.append((key, mean, variance.squareRoot(), next))
            next += 1
        }
        if !numeric.isEmpty {
            blocks.append(Block(name: "numeric", range: numeric[0].position..<next, weight: Self.numericWeight, values: numeric.map(\.key)))
        }
        self.blocks = blocks
        self.facetPositions = facetPositions
        self.facetBlocks = facetBlocks
        self.skillPositions = skillPositions
        self.numeric = numeric
        dimension = max(8, (next + 7) / 8 * 8)
    }

    /// The block of a facet, if the space has one.
    public func block(of facet: FacetName) -> Block? { facetBlocks[facet].map { blocks[$0] } }

    /// Writes `values` into a facet block, each at `weight × factor / sqrt(k)`.
    func add(_ values: [String], of facet: FacetName, factor: Float, into vector: inout [Float]) {
        guard let positions = facetPositions[facet], let b = facetBlocks[facet] else { return }
        let known = values.compactMap { positions[$0] }
        guard !known.isEmpty else { return }
        let each = blocks[b].weight * factor / Float(known.count).squareRoot()
        for i in known { vector[i] += each }
    }

    /// An opportunity's raw (not unit-length) vector.
    public func encode(_ opportunity: Opportunity) -> [Float] {
        var vector = [Float](repeating: 0, count: dimension)
        for name in opportunity.required.names { add(opportunity.required[name], of: name, factor: 1, into: &vector) }
        for name in opportunity.preferred.names { add(opportunity.preferred[name], of: name, factor: 0.5, into: &vector) }
        for s in opportunity.teaches {
            if let i = skillPositions[s.skill] { vector[i] += Self.skillWeight * Float(s.level / SkillLevel.maximumLevel) }
        }
        for n in numeric {
            guard let value = opportunity.attributes[n.key] else { continue }
            vector[n.position] = Self.numericWeight * Float(min(3, max(-3, (value - n.mean) / n.deviation)))
        }
        return vector
    }

    /// A person's stated preferences: their facets and skills, without numeric preferences.
    public func encodeStated(_ person: Person) -> [Float] {
        var vector = [Float](repeating: 0, count: dimension)
        for name in person.facets.names { add(person.facets[name], of: name, factor: 1, into: &vector) }
        for s in person.skills {
            if let i = skillPositions[s.skill] { vector[i] += Self.skillWeight * Float(s.level / SkillLevel.maximumLevel) }
        }
        return vector
    }
}
