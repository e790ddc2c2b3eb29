import RealModule

/// The neural hybrid of the cleaning marketplace's design: a collaborative part and a content
/// part, blended by a learned weight.
///
/// - Collaborative: person and opportunity embeddings (`embeddingWidth` each), concatenated,
///   into an MLP `[2w → 64 → 32 → 1]`.
/// - Content: one embedding per categorical feature (property type, service, specialty, rhythm,
///   …) and the continuous features, concatenated, into an MLP `[… → 64 → 32 → 1]`. It needs
///   no identity, so a new person or opportunity is scored from features alone.
/// - Hybrid: `s = α · s_collaborative + (1 − α) · s_content`, `α = σ(a)` with `a` learned by
///   back-propagation; where either side of a pair is unknown, `s = s_content`.
///
/// Gradients are derived by hand (``backward(_:batch:workspace:into:)``) and checked against
/// finite differences in tests.
public struct NeuralHybridModel: Sendable, Hashable, Codable {
    public struct Configuration: Sendable, Hashable, Codable {
        public var embeddingWidth = 64
        public var collaborativeHidden = [64, 32]
        /// Width of each categorical feature's embedding.
        public var categoryWidth = 8
        public var contentHidden = [64, 32]
        /// The starting α (0.5 unless set).
        public var initialAlpha: Float = 0.5
        /// Which parts score: both blended by the learned α, or one alone (to measure what
        /// each part adds).
        public var parts = Parts.hybrid
        public var seed: UInt64 = 42

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(embeddingWidth, "embedding_width", 1...1024)
            try check(categoryWidth, "category_width", 1...256)
            for (name, widths) in [("collaborative_hidden", collaborativeHidden), ("content_hidden", contentHidden)] {
                for width in widths { try check(width, name, 1...4096) }
            }
            guard initialAlpha > 0 && initialAlpha < 1 else {
                throw MatchworkError(.invalidConfiguration, "initial_alpha \(initialAlpha) must be strictly between 0 and 1.", field: "initial_alpha")
            }
        }
    }

    /// Which parts of the model score a pair.
    public enum Parts: String, Sendable, Hashable, Codable, CaseIterable {
        /// `α · collaborative + (1 − α) · content`, α learned.
        case hybrid
        /// The collaborative part alone (α = 1); a pair with an unknown side scores 0.
        case collaborative
        /// The content part alone (α = 0).
        case content
    }

    /// What the inputs look like: how many people and opportunities have embeddings, each
    /// categorical feature's number of values, and how many continuous features there are.
    public struct Schema: Sendable, Hashable, Codable {
        public var people: Int
        public var opportunities: Int
        /// Values per categorical feature; value indices run `0..<count`.
        public var categories: [Int]
        public var continuous: Int

        public init(people: Int, opportunities: Int, categories: [Int], continuous: Int) {
            self.people = people
            self.opportunities = opportunities
            self.categories = categories
            self.continuous = continuous
        }
    }

    public let configuration: Configuration
    public let schema: Schema
    public var people: EmbeddingTable
    public var opportunities: EmbeddingTable
    public var collaborative: MLP
    public var categories: [EmbeddingTable]
    public var content: MLP
    /// `a`, with `α = σ(a)`.
    public var alphaLogit: Float
    /// The score is `shift + scale × (α c + (1 − α) t)`: fixed before training (a rating's
    /// mean and spread), so the parts learn on a standard scale.
    public var outputShift: Float = 0
    public var outputScale: Float = 1

    /// The learned blend weight of the collaborative part.
    public var alpha: Float {
        switch configuration.parts {
        case .hybrid: Float(Loss.sigmoid(Double(alphaLogit)))
        case .collaborative: 1
        case .content: 0
        }
    }

    /// The content MLP's input width.
    var contentInputs: Int { schema.categories.count * configuration.categoryWidth + schema.continuous }

    public init(schema: Schema, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        guard schema.people >= 0, schema.opportunities >= 0, schema.continuous >= 0, schema.categories.allSatisfy({ $0 > 0 }),
            !schema.categories.isEmpty || schema.continuous > 0
        else {
            throw MatchworkError(.invalidConfiguration, "the content model needs at least one feature, and every categorical feature at least one value.", field: "schema")
        }
        self.configuration = configuration
        self.schema = schema
        var generator = SeededGenerator(seed: configuration.seed)
        let w = configuration.embeddingWidth
        people = EmbeddingTable(rows: schema.people, width: w, generator: &generator)
        opportunities = EmbeddingTable(rows: schema.opportunities, width: w, generator: &generator)
        collaborative = MLP(sizes: [2 * w] + configuration.collaborativeHidden + [1], generator: &generator)
        categories = schema.categories.map { EmbeddingTable(rows: $0, width: configuration.categoryWidth, generator: &generator) }
        content = MLP(sizes: [schema.categories.count * configuration.categoryWidth + schema.continuous] + configuration.contentHidden + [1], generator: &generator)
        let a = Double(configuration.initialAlpha)
        alphaLogit = Float(Double.log(a / (1 - a)))
    }

    /// Takes the content part (MLP, category embeddings, output scale) of a trained model
    /// with the same schema, and sets the collaborative part's output bias to match its mean.
    public mutating func adoptContent(of other: NeuralHybridModel) {
        precondition(other.schema == schema && other.content.sizes == content.sizes, "adoptContent: the models' schemas differ")
        content = other.content
        categories = other.categories
        outputShift = other.outputShift
        outputScale = other.outputScale
        collaborative.parameters[collaborative.offsets(layer: collaborative.layers).biases] = other.content.parameters[other.content.offsets(layer: other.content.layers).biases]
    }

    /// Sets the output bias of both parts, so that every pair starts at `value`.
    public mutating func setOutputBias(_ value: Float) {
        collaborative.parameters[collaborative.offsets(layer: collaborative.layers).biases] = value
        content.parameters[content.offsets(layer: content.layers).biases] = value
    }

    /// Each pair's scores: the blend and its two parts (`collaborative` is `nil` where the
    /// person or the opportunity has no embedding).
    public struct Scores: Sendable, Hashable {
        public var final: [Float]
        public var collaborative: [Float?]
        public var content: [Float]
    }

    /// Scores `batch`, keeping in `workspace` what ``backward(_:batch:workspace:into:)`` needs.
    public func forward(_ batch: NeuralBatch, workspace: inout NeuralWorkspace) -> Scores {
        let n = batch.count, w = configuration.embeddingWidth, cw = configuration.categoryWidth
        workspace.prepare(rows: n, collaborativeWidth: 2 * w, contentWidth: contentInputs)
        // Collaborative input rows [person | opportunity]; pairs with an unknown side get zeros
        // and are masked out of the blend.
        let known = (0..<n).map { batch.person[$0] >= 0 && batch.opportunity[$0] >= 0 }
        workspace.collaborativeInput.withUnsafeMutableBufferPointer { x in
            x.update(repeating: 0)
            people.gather(batch.person.map { max($0, 0) }, into: x, stride: 2 * w)
            opportunities.gather(batch.opportunity.map { max($0, 0) }, into: x, stride: 2 * w, offset: w)
            for r in 0..<n where !known[r] { for d in 0..<(2 * w) { x[r * 2 * w + d] = 0 } }
        }
        let width = contentInputs, categorical = schema.categories.count
        workspace.contentInput.withUnsafeMutableBufferPointer { x in
            for (f, table) in categories.enumerated() {
                table.gather((0..<n).map { batch.categorical[$0 * categorical + f] }, into: x, stride: width, offset: f * cw)
            }
            for r in 0..<n { for j in 0..<schema.continuous { x[r * width + categorical * cw + j] = batch.continuous[r * schema.continuous + j] } }
        }
        var c = [Float](repeating: 0, count: n), t = c
        workspace.collaborativeInput.withUnsafeBufferPointer { x in c.withUnsafeMutableBufferPointer { collaborative.forward(x, batch: n, workspace: &workspace.collaborativeMLP, into: $0) } }
        workspace.contentInput.withUnsafeBufferPointer { x in t.withUnsafeMutableBufferPointer { content.forward(x, batch: n, workspace: &workspace.contentMLP, into: $0) } }
        let alpha = self.alpha
        workspace.known = known
        let coldScore: (Int) -> Float = configuration.parts == .collaborative ? { _ in 0 } : { t[$0] }
        let shift = outputShift, scale = outputScale
        return Scores(
            final: (0..<n).map { shift + scale * (known[$0] ? alpha * c[$0] + (1 - alpha) * t[$0] : coldScore($0)) },
            collaborative: (0..<n).map { known[$0] ? c[$0] : nil }, content: t)
    }

    /// Back-propagates ∂loss/∂final (one value per pair of the last forward `batch`) and adds
    /// the gradients into `gradients`.
    ///
    ///     ∂s/∂c = α,  ∂s/∂t = 1 − α,  ∂s/∂a = (c − t) α (1 − α)   (pairs with both sides known)
    public func backward(_ finalGradient: [Float], batch: NeuralBatch, scores: Scores, workspace: inout NeuralWorkspace, into gradients: inout NeuralGradients) {
        let n = batch.count, w = configuration.embeddingWidth, cw = configuration.categoryWidth
        let alpha = self.alpha
        var dc = [Float](repeating: 0, count: n), dt = dc
        var da: Float = 0
        let finalGradient = outputScale == 1 ? finalGradient : finalGradient.map { $0 * outputScale }
        for r in 0..<n {
            if workspace.known[r], let c = scores.collaborative[r] {
                dc[r] = alpha * finalGradient[r]
                dt[r] = (1 - alpha) * finalGradient[r]
                da += finalGradient[r] * (c - scores.content[r]) * alpha * (1 - alpha)
            } else if configuration.parts != .collaborative {
                dt[r] = finalGradient[r]
            }
        }
        if configuration.parts == .hybrid { gradients.alphaLogit += da }
        var dx = [Float](repeating: 0, count: n * 2 * w)
        workspace.collaborativeInput.withUnsafeBufferPointer { x in
            dc.withUnsafeBufferPointer { d in
                gradients.collaborative.withUnsafeMutableBufferPointer { g in
                    dx.withUnsafeMutableBufferPointer { collaborative.backward(d, workspace: &workspace.collaborativeMLP, input: x, parameterGradients: g, inputGradient: $0) }
                }
            }
        }
        dx.withUnsafeBufferPointer { d in
            // Only pairs with both sides known reach the embeddings.
            for r in 0..<n where workspace.known[r] {
                gradients.people.add(batch.person[r], from: d, at: r * 2 * w)
                gradients.opportunities.add(batch.opportunity[r], from: d, at: r * 2 * w + w)
            }
        }
        let width = contentInputs, categorical = schema.categories.count
        var dcontent = [Float](repeating: 0, count: n * width)
        workspace.contentInput.withUnsafeBufferPointer { x in
            dt.withUnsafeBufferPointer { d in
                gradients.content.withUnsafeMutableBufferPointer { g in
                    dcontent.withUnsafeMutableBufferPointer { content.backward(d, workspace: &workspace.contentMLP, input: x, parameterGradients: g, inputGradient: categorical > 0 ? $0 : nil) }
                }
            }
        }
        dcontent.withUnsafeBufferPointer { d in
            for f in 0..<categorical {
                gradients.categories[f].add((0..<n).map { batch.categorical[$0 * categorical + f] }, from: d, stride: width, offset: f * cw)
            }
        }
    }
}

/// One batch of (person, opportunity) pairs with their features. Indices are embedding rows;
/// -1 marks a person or opportunity the model has no embedding for.
public struct NeuralBatch: Sendable, Hashable {
    public var person: [Int32]
    public var opportunity: [Int32]
    /// Row-major `count × categories` value indices.
    public var categorical: [Int32]
    /// Row-major `count × continuous` values.
    public var continuous: [Float]
    public var count: Int { person.count }

    public init(person: [Int32], opportunity: [Int32], categorical: [Int32], continuous: [Float]) {
        self.person = person
        self.opportunity = opportunity
        self.categorical = categorical
        self.continuous = continuous
    }
}

/// The hybrid's gradients for one batch, laid out as its parameters.
public struct NeuralGradients: Sendable {
    public var collaborative: [Float]
    public var content: [Float]
    public var people: RowGradients
    public var opportunities: RowGradients
    public var categories: [RowGradients]
    public var alphaLogit: Float = 0

    public init(for model: NeuralHybridModel) {
        collaborative = [Float](repeating: 0, count: model.collaborative.parameters.count)
        content = [Float](repeating: 0, count: model.content.parameters.count)
        people = RowGradients(width: model.configuration.embeddingWidth)
        opportunities = people
        categories = model.categories.map { RowGradients(width: $0.width) }
    }

    public mutating func reset() {
        collaborative.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        content.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        people.removeAll()
        opportunities.removeAll()
        for f in categories.indices { categories[f].removeAll() }
        alphaLogit = 0
    }
}

/// Reused buffers of the hybrid's forward and backward passes.
public struct NeuralWorkspace: Sendable {
    var collaborativeInput: [Float] = []
    var contentInput: [Float] = []
    var collaborativeMLP = MLPWorkspace()
    var contentMLP = MLPWorkspace()
    var known: [Bool] = []

    public init() {}

    mutating func prepare(rows: Int, collaborativeWidth: Int, contentWidth: Int) {
        if collaborativeInput.count != rows * collaborativeWidth { collaborativeInput = [Float](repeating: 0, count: rows * collaborativeWidth) }
        if contentInput.count != rows * contentWidth { contentInput = [Float](repeating: 0, count: rows * contentWidth) }
    }
}
