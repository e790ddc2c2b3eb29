import Synchronization

/// How the engine's collaborative component learns: implicit ALS (``ALSModel``) on the net
/// interest of each person in each opportunity (``InteractionWeights``; only positive net
/// interest counts).
public struct CollaborativeConfiguration: Sendable, Hashable, Codable {
    public var factors = 32
    public var iterations = 15
    public var regularization: Float = 0.1
    /// Confidence per unit of net interest.
    public var alpha: Float = 2
    public var seed: UInt64 = 42
    /// A cached model is reused for a newer snapshot, with the new people and opportunities
    /// folded in, while they are at most this share of the rows; beyond it the model is refitted.
    public var refitShare = 0.2

    public init() {}

    public func validate() throws(MatchworkError) {
        try als.validate()
        guard refitShare.isFinite, (0...1).contains(refitShare) else {
            throw MatchworkError(.invalidConfiguration, "refit share \(refitShare) must be between 0 and 1.", field: "collaborative.refit_share")
        }
    }

    var als: ALSModel.Configuration {
        var c = ALSModel.Configuration()
        c.factors = factors
        c.iterations = iterations
        c.regularization = regularization
        c.alpha = alpha
        c.seed = seed
        return c
    }
}

/// Latent factors of a snapshot's people and opportunities, in the snapshot's dense indices,
/// learned from who showed interest in what, plus the Gram matrices that fold in a fresh
/// history at query time (``ALSModel/foldIn(_:against:gram:factors:regularization:alpha:)``).
///
/// Built by fitting ALS on the snapshot, or from an earlier index of the same marketplace:
/// rows whose id the earlier model knew keep their factors, the others are folded in from
/// their interactions, without retraining.
public struct CollaborativeIndex: Sendable {
    public let configuration: CollaborativeConfiguration
    /// Row-major `people × factors` and `opportunities × factors`; zero rows for people or
    /// opportunities with no positive interest.
    public let personFactors: [Float]
    public let opportunityFactors: [Float]
    /// `XᵀX` over people and `YᵀY` over opportunities.
    let personGram: [Float]
    let opportunityGram: [Float]
    /// The snapshot version the factors are laid out for.
    public let version: Int
    /// The ids behind the rows, to carry the factors over to a newer snapshot.
    let personIDs: [PersonID]
    let opportunityIDs: [OpportunityID]
    /// How many rows were folded in rather than fitted (0 after a fit).
    public let foldedIn: Int
    /// The registry version the factors came from (`nil` when fitted here).
    public var modelVersion: String?

    var factors: Int { configuration.factors }

    /// Fits ALS on `snapshot`'s net positive interest.
    public init(fitting snapshot: MarketplaceSnapshot, configuration: CollaborativeConfiguration) throws(MatchworkError) {
        try configuration.validate()
        let matrix = Self.interest(snapshot)
        var als = configuration.als
        als.threads = 2
        let model = try ALSModel(matrix, configuration: als)
        self.init(
            configuration: configuration, people: model.userFactors, opportunities: model.itemFactors, snapshot: snapshot, foldedIn: 0)
    }

    /// Carries `earlier`'s factors over to `snapshot` by id, folding in the people and
    /// opportunities it did not know from their current interest.
    public init(updating earlier: CollaborativeIndex, to snapshot: MarketplaceSnapshot) {
        let f = earlier.factors, c = earlier.configuration
        var personRow: [PersonID: Int] = [:]
        for (i, id) in earlier.personIDs.enumerated() { personRow[id] = i }
        var opportunityRow: [OpportunityID: Int] = [:]
        for (i, id) in earlier.opportunityIDs.enumerated() { opportunityRow[id] = i }
        var opportunities = [Float](repeating: 0, count: snapshot.opportunities.count * f)
        var newOpportunities: [Int] = []
        for (o, opportunity) in snapshot.opportunities.enumerated() {
            if let row = opportunityRow[opportunity.id] {
                opportunities.replaceSubrange((o * f)..<((o + 1) * f), with: earlier.opportunityFactors[(row * f)..<((row + 1) * f)])
            } else {
                newOpportunities.append(o)
            }
        }
        var people = [Float](repeating: 0, count: snapshot.people.count * f)
        var newPeople: [Int] = []
        for (p, person) in snapshot.people.enumerated() {
            if let row = personRow[person.id] {
                people.replaceSubrange((p * f)..<((p + 1) * f), with: earlier.personFactors[(row * f)..<((row + 1) * f)])
            } else {
                newPeople.append(p)
            }
        }
        // New people against the carried opportunity factors, then new opportunities against
        // every person's.
        let opportunityGram = ALSModel.gram(of: opportunities, factors: f)
        for p in newPeople {
            let x = ALSModel.foldIn(Self.history(ofPerson: p, in: snapshot), against: opportunities, gram: opportunityGram, factors: f, regularization: c.regularization, alpha: c.alpha)
            people.replaceSubrange((p * f)..<((p + 1) * f), with: x)
        }
        let personGram = ALSModel.gram(of: people, factors: f)
        for o in newOpportunities {
            let y = ALSModel.foldIn(Self.history(ofOpportunity: o, in: snapshot), against: people, gram: personGram, factors: f, regularization: c.regularization, alpha: c.alpha)
            opportunities.replaceSubrange((o * f)..<((o + 1) * f), with: y)
        }
        self.init(configuration: c, people: people, opportunities: opportunities, snapshot: snapshot, foldedIn: newPeople.count + newOpportunities.count)
        modelVersion = earlier.modelVersion
    }

    /// Factors trained elsewhere (a registry model), for ``init(updating:to:)``.
    init(configuration: CollaborativeConfiguration, personIDs: [PersonID], opportunityIDs: [OpportunityID], personFactors: [Float], opportunityFactors: [Float]) {
        self.configuration = configuration
        self.personFactors = personFactors
        self.opportunityFactors = opportunityFactors
        personGram = ALSModel.gram(of: personFactors, factors: configuration.factors)
        opportunityGram = ALSModel.gram(of: opportunityFactors, factors: configuration.factors)
        version = -1
        self.personIDs = personIDs
        self.opportunityIDs = opportunityIDs
        foldedIn = 0
    }

    private init(configuration: CollaborativeConfiguration, people: [Float], opportunities: [Float], snapshot: MarketplaceSnapshot, foldedIn: Int) {
        self.configuration = configuration
        personFactors = people
        opportunityFactors = opportunities
        personGram = ALSModel.gram(of: people, factors: configuration.factors)
        opportunityGram = ALSModel.gram(of: opportunities, factors: configuration.factors)
        version = snapshot.version
        personIDs = snapshot.people.map(\.id)
        opportunityIDs = snapshot.opportunities.map(\.id)
        self.foldedIn = foldedIn
    }

    /// People × opportunities, valued by net positive interest.
    static func interest(_ snapshot: MarketplaceSnapshot) -> InteractionMatrix {
        var entries: [(user: Int32, item: Int32, value: Float)] = []
        for p in snapshot.people.indices {
            for (o, w) in zip(snapshot.positiveOpportunities[p], snapshot.positiveWeights[p]) where w > 0 { entries.append((Int32(p), o, Float(w))) }
        }
        return InteractionMatrix(users: snapshot.people.count, items: snapshot.opportunities.count, entries: entries)
    }

    /// A person's current net positive interest, per opportunity.
    static func history(ofPerson p: Int, in snapshot: MarketplaceSnapshot) -> [(index: Int32, value: Float)] {
        zip(snapshot.positiveOpportunities[p], snapshot.positiveWeights[p]).compactMap { $1 > 0 ? ($0, Float($1)) : nil }
    }

    /// An opportunity's current net positive interest, per person.
    static func history(ofOpportunity o: Int, in snapshot: MarketplaceSnapshot) -> [(index: Int32, value: Float)] {
        snapshot.positivePeople[o].compactMap { p in
            let own = snapshot.positiveOpportunities[Int(p)]
            guard let k = own.sortedIndex(of: DenseIndex(o)) else { return nil }
            let w = snapshot.positiveWeights[Int(p)][k]
            return w > 0 ? (p, Float(w)) : nil
        }
    }

    /// A person's factors from their current interest (``history(ofPerson:in:)``).
    func personFactors(foldingIn history: [(index: Int32, value: Float)]) -> [Float] {
        ALSModel.foldIn(history, against: opportunityFactors, gram: opportunityGram, factors: factors, regularization: configuration.regularization, alpha: configuration.alpha)
    }

    /// An opportunity's factors from the interest shown in it now (``history(ofOpportunity:in:)``).
    func opportunityFactors(foldingIn history: [(index: Int32, value: Float)]) -> [Float] {
        ALSModel.foldIn(history, against: personFactors, gram: personGram, factors: factors, regularization: configuration.regularization, alpha: configuration.alpha)
    }

    /// `rows[c] · query` for each candidate row.
    func scores(of candidates: [DenseIndex], rows: [Float], against query: [Float]) -> [Double] {
        let f = factors
        return rows.withUnsafeBufferPointer { y in
            query.withUnsafeBufferPointer { q in
                candidates.map { c in Double(VectorKernels.dot(UnsafeBufferPointer(rebasing: y[(Int(c) * f)..<((Int(c) + 1) * f)]), q)) }
            }
        }
    }
}

/// Keeps the last collaborative index, so that a newer snapshot of the same marketplace is
/// served by folding in what changed rather than refitting (see
/// ``CollaborativeConfiguration/refitShare``).
public final class CollaborativeCache: Sendable {
    private let state = Mutex<CollaborativeIndex?>(nil)
    private let fits = Atomic<Int>(0)

    public init() {}

    /// A cache that starts with `index` (for instance a registry model carried over to the
    /// current snapshot), so that the first request uses it rather than fitting.
    public init(holding index: CollaborativeIndex) {
        state.withLock { $0 = index }
    }

    /// The index for `snapshot`: the cached one for the same version; the cached one carried
    /// over with fold-in when few rows are new; else a fresh fit.
    public func index(for snapshot: MarketplaceSnapshot, configuration: CollaborativeConfiguration) throws(MatchworkError) -> CollaborativeIndex {
        let cached = state.withLock { $0 }
        if let cached, cached.configuration == configuration {
            if cached.version == snapshot.version { return cached }
            let updated = CollaborativeIndex(updating: cached, to: snapshot)
            let rows = snapshot.people.count + snapshot.opportunities.count
            if Double(updated.foldedIn) <= configuration.refitShare * Double(max(rows, 1)) {
                state.withLock { $0 = updated }
                return updated
            }
        }
        let fitted = try CollaborativeIndex(fitting: snapshot, configuration: configuration)
        fits.add(1, ordering: .relaxed)
        state.withLock { $0 = fitted }
        return fitted
    }

    /// Drops the cached model, so that the next request refits.
    public func invalidate() { state.withLock { $0 = nil } }

    /// How many times a model was fitted (for tests and metrics).
    public var fitCount: Int { fits.load(ordering: .relaxed) }
}
