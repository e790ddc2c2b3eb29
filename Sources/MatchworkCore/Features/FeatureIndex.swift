import Synchronization

/// Where a part of a person's preference profile came from.
public enum ProfileSource: String, Sendable, Hashable, Codable {
    /// The person stated it.
    case stated
    /// Learned from what the person applied to, took and rated.
    case history
    /// Stated, and refined by history.
    case statedAndHistory = "stated_and_history"
    /// Not stated and no history: the scenario's default.
    case scenarioDefault = "scenario_default"
    /// Not stated, no history, no scenario default: the population's distribution.
    case populationPrior = "population_prior"

    /// Whether the part relied on assumed rather than known values.
    public var isAssumed: Bool { self == .scenarioDefault || self == .populationPrior }
}

/// A person's preference profile, summarised for filters, scoring and explanations.
public struct PreferenceSummary: Sendable, Hashable {
    /// Per preference facet, where its values came from.
    public var sources: [FacetName: ProfileSource] = [:]
    /// Per preference facet, the values the person wants (stated, or their history's frequent
    /// ones, or the assumed ones).
    public var values: [FacetName: [String]] = [:]
    /// How many opportunities the person showed net positive interest in.
    public var historyCount = 0

    /// The facets filled with assumed values, sorted.
    public var assumedFacets: [FacetName] { sources.filter { $0.value.isAssumed }.keys.sorted() }
}

/// Precomputed vectors for similarity scoring: unit-length opportunity vectors, unit-length
/// person preference vectors (stated preferences merged with revealed ones), and each person's
/// preference summary.
///
/// A person's revealed vector is the interest-weighted mean of the vectors of the opportunities
/// they showed net positive interest in (weights from ``InteractionWeights``). Per facet block,
/// stated and revealed parts are blended as `(1 - r) × stated + r × revealed` with
/// `r = min(0.7, n / (n + 5))` for `n` such opportunities; a block with neither is filled with
/// the scenario default, then with the population prior (the share of each value among
/// opportunities), and the summary records which.
public struct FeatureIndex: Sendable {
    public let space: FeatureSpace
    public let features: ScenarioFeatures
    /// Row `o` is opportunity `o`'s unit vector.
    public let opportunityVectors: DenseMatrix
    /// Row `p` is person `p`'s unit preference vector (zero for clients).
    public let personVectors: DenseMatrix
    public let summaries: [PreferenceSummary]
    /// The snapshot version it was built from.
    public let version: Int
    /// Flat per-person and per-opportunity facts for filters and rule scoring.
    let tables: PairTables
    /// The bids this marketplace has seen, which bound suggested bids (`nil` under 10 bids).
    public let bidMarket: BidMarket?

    public init(snapshot: MarketplaceSnapshot, features: ScenarioFeatures) {
        let space = FeatureSpace(people: snapshot.people, opportunities: snapshot.opportunities, preset: snapshot.preset, features: features)
        self.space = space
        self.features = features
        version = snapshot.version
        let d = space.dimension
        var raw = DenseMatrix(rows: snapshot.opportunities.count, columns: d)
        // Opportunities are read in place (`snapshot.opportunities[o]`), never copied out: a copy
        // retains every field, and this runs for each of 100,000 opportunities and each event.
        for o in snapshot.opportunities.indices { raw.setRow(o, space.encode(snapshot.opportunities[o])) }

        // Population priors per preference facet: the share of each value among opportunities.
        var priors: [FacetName: [Float]] = [:]
        for facet in features.preferenceFacets {
            guard let block = space.block(of: facet) else { continue }
            var counts = [Float](repeating: 0, count: d)
            for o in snapshot.opportunities.indices {
                for v in snapshot.opportunities[o].required[facet] {
                    if let i = block.values.firstIndex(of: v) { counts[block.range.lowerBound + i] += 1 }
                }
            }
            let norm = counts.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { priors[facet] = counts.map { $0 * block.weight / norm } }
        }

        var vectors = DenseMatrix(rows: snapshot.people.count, columns: d)
        var summaries = [PreferenceSummary](repeating: PreferenceSummary(), count: snapshot.people.count)
        var revealed = [Float](repeating: 0, count: d)
        for (p, person) in snapshot.people.enumerated() where person.role != .client {
            for i in revealed.indices { revealed[i] = 0 }
            var summary = PreferenceSummary()
            var totalWeight: Float = 0
            var revealedCounts: [FacetName: [String: Double]] = [:]
            for (o, w) in zip(snapshot.positiveOpportunities[p], snapshot.positiveWeights[p]) {
                summary.historyCount += 1
                let weight = Float(w)
                totalWeight += weight
                raw.withRow(Int(o)) { row in for i in 0..<d { revealed[i] += weight * row[i] } }
                for facet in features.preferenceFacets {
                    for v in snapshot.opportunities[Int(o)].required[facet] { revealedCounts[facet, default: [:]][v, default: 0] += w }
                }
            }
            var stated = space.encodeStated(person)
            let r = Float(min(0.7, Double(summary.historyCount) / Double(summary.historyCount + 5)))
            for block in space.blocks {
                let range = block.range
                let facet = FacetName(block.name)
                if block.name == "numeric" {
                    if totalWeight > 0 { for i in range { stated[i] = revealed[i] / totalWeight } }
                    continue
                }
                var statedNorm: Float = 0, revealedNorm: Float = 0
                for i in range {
                    statedNorm += stated[i] * stated[i]
                    revealedNorm += revealed[i] * revealed[i]
                }
                statedNorm = statedNorm.squareRoot()
                revealedNorm = revealedNorm.squareRoot()
                let isPreference = features.preferenceFacets.contains(facet)
                var source: ProfileSource?
                if statedNorm > 0 && revealedNorm > 0 {
                    for i in range { stated[i] = (1 - r) * stated[i] + r * revealed[i] * block.weight / revealedNorm }
                    source = .statedAndHistory
                } else if revealedNorm > 0 {
                    for i in range { stated[i] = revealed[i] * block.weight / revealedNorm }
                    source = .history
                } else if statedNorm > 0 {
                    source = .stated
                } else if let defaults = features.defaults[facet] {
                    space.add(defaults, of: facet, factor: 1, into: &stated)
                    source = .scenarioDefault
                } else if isPreference, let prior = priors[facet] {
                    for i in range { stated[i] = prior[i] }
                    source = .populationPrior
                }
                guard isPreference, let source else { continue }
                summary.sources[facet] = source
                switch source {
                case .stated: summary.values[facet] = person.facets[facet]
                case .statedAndHistory, .history:
                    let counts = revealedCounts[facet] ?? [:]
                    // Summed in key order: in hash order the total changed in its last bits from one
                    // process to the next, and so which values reach a quarter of it.
                    let total = counts.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value }
                    let frequent = counts.filter { $0.value >= 0.25 * total }.keys
                    summary.values[facet] = Array(Set(person.facets[facet]).union(frequent)).sorted()
                case .scenarioDefault: summary.values[facet] = features.defaults[facet] ?? []
                case .populationPrior:
                    let best = zip(block.values, range).max { stated[$0.1] < stated[$1.1] }
                    summary.values[facet] = best.map { [$0.0] } ?? []
                }
            }
            stated.withUnsafeMutableBufferPointer { VectorKernels.normalize($0) }
            vectors.setRow(p, stated)
            summaries[p] = summary
        }
        var unit = raw
        for o in 0..<unit.rows {
            var row = unit.row(o)
            row.withUnsafeMutableBufferPointer { VectorKernels.normalize($0) }
            unit.setRow(o, row)
        }
        opportunityVectors = unit
        personVectors = vectors
        self.summaries = summaries

        tables = PairTables(snapshot: snapshot, space: space, features: features, summaries: summaries)
        bidMarket = BidMarket(snapshot: snapshot, offerAttribute: features.pricing?.offer)
    }
}

/// Keeps the feature index of the latest snapshot and rebuilds it when the data version
/// changes. Safe to share between tasks.
public final class FeatureCache: Sendable {
    private let state = Mutex<FeatureIndex?>(nil)
    private let builds = Atomic<Int>(0)

    public init() {}

    /// The index for `snapshot`: the cached one when its version matches, else a new one.
    public func index(for snapshot: MarketplaceSnapshot, features: ScenarioFeatures) -> FeatureIndex {
        if let cached = state.withLock({ $0 }), cached.version == snapshot.version, cached.features == features { return cached }
        let built = FeatureIndex(snapshot: snapshot, features: features)
        builds.add(1, ordering: .relaxed)
        state.withLock { $0 = built }
        return built
    }

    /// How many times an index was built (for tests and metrics).
    public var buildCount: Int { builds.load(ordering: .relaxed) }
}
