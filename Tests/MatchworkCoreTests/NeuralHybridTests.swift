import MatchworkCore
import Testing

@Suite("Neural hybrid")
struct NeuralHybridTests {
    static func small() throws -> (NeuralHybridModel, NeuralBatch) {
        var configuration = NeuralHybridModel.Configuration()
        configuration.embeddingWidth = 3
        configuration.collaborativeHidden = [4]
        configuration.categoryWidth = 2
        configuration.contentHidden = [3]
        configuration.initialAlpha = 0.3
        var model = try NeuralHybridModel(schema: .init(people: 3, opportunities: 4, categories: [3, 2], continuous: 2), configuration: configuration)
        // Embeddings start small; spread them so that ReLUs are not all on one side.
        var generator = SeededGenerator(seed: 21)
        for i in model.people.values.indices { model.people.values[i] = Float(generator.unit() * 2 - 1) }
        for i in model.opportunities.values.indices { model.opportunities.values[i] = Float(generator.unit() * 2 - 1) }
        for f in model.categories.indices { for i in model.categories[f].values.indices { model.categories[f].values[i] = Float(generator.unit() * 2 - 1) } }
        // The third pair's person is unknown (cold start): content only.
        let batch = NeuralBatch(
            person: [0, 2, -1, 1, 2], opportunity: [1, 3, 0, 1, 2], categorical: [0, 1, 2, 0, 1, 1, 0, 0, 2, 1],
            continuous: [0.5, -1, 0.2, 0.3, -0.7, 1.1, 0.9, 0, -0.4, 0.6])
        return (model, batch)
    }

    static func loss(_ model: NeuralHybridModel, _ batch: NeuralBatch, _ g: [Float]) -> Double {
        var workspace = NeuralWorkspace()
        return zip(model.forward(batch, workspace: &workspace).final, g).reduce(0) { $0 + Double($1.0 * $1.1) }
    }

    @Test("Every gradient of the hybrid (both MLPs, all embeddings, α) agrees with finite differences")
    func gradientCheck() throws {
        let (model, batch) = try Self.small()
        let g: [Float] = [0.7, -1.2, 0.4, 0.9, -0.3]
        var workspace = NeuralWorkspace()
        let scores = model.forward(batch, workspace: &workspace)
        #expect(scores.collaborative[2] == nil && scores.final[2] == scores.content[2])
        var gradients = NeuralGradients(for: model)
        model.backward(g, batch: batch, scores: scores, workspace: &workspace, into: &gradients)
        let epsilon: Float = 1e-3
        func numeric(_ change: (inout NeuralHybridModel, Float) -> Void) -> Double {
            var plus = model, minus = model
            change(&plus, epsilon)
            change(&minus, -epsilon)
            return (Self.loss(plus, batch, g) - Self.loss(minus, batch, g)) / Double(2 * epsilon)
        }
        func close(_ analytic: Float, _ numeric: Double) -> Bool { abs(Double(analytic) - numeric) <= 3e-3 * max(1, abs(numeric)) }
        for i in model.collaborative.parameters.indices {
            let n = numeric { $0.collaborative.parameters[i] += $1 }
            #expect(close(gradients.collaborative[i], n), "collaborative \(i): \(gradients.collaborative[i]) vs \(n)")
        }
        for i in model.content.parameters.indices {
            let n = numeric { $0.content.parameters[i] += $1 }
            #expect(close(gradients.content[i], n), "content \(i): \(gradients.content[i]) vs \(n)")
        }
        let a = numeric { $0.alphaLogit += $1 }
        #expect(close(gradients.alphaLogit, a), "alpha: \(gradients.alphaLogit) vs \(a)")
        #expect(abs(a) > 1e-3)
        func rows(_ table: EmbeddingTable, _ sparse: RowGradients, _ keyPath: WritableKeyPath<NeuralHybridModel, EmbeddingTable>) {
            for row in 0..<table.rows {
                for d in 0..<table.width {
                    let n = numeric { $0[keyPath: keyPath].values[row * table.width + d] += $1 }
                    let analytic = sparse.rows.firstIndex(of: Int32(row)).map { sparse.values[$0 * table.width + d] } ?? 0
                    #expect(close(analytic, n), "row \(row), \(d): \(analytic) vs \(n)")
                }
            }
        }
        rows(model.people, gradients.people, \.people)
        rows(model.opportunities, gradients.opportunities, \.opportunities)
        for f in model.categories.indices { rows(model.categories[f], gradients.categories[f], \.categories[f]) }
        // The unknown person's pair left the people table alone; each person in the batch got a gradient.
        #expect(Set(gradients.people.rows) == [0, 1, 2])
    }

    @Test("α is reported, starts where configured, and bad settings are refused")
    func configuration() throws {
        let (model, _) = try Self.small()
        #expect(abs(model.alpha - 0.3) < 1e-6)
        var bad = NeuralHybridModel.Configuration()
        bad.initialAlpha = 1
        #expect(throws: MatchworkError.self) { try NeuralHybridModel(schema: .init(people: 1, opportunities: 1, categories: [2], continuous: 0), configuration: bad) }
        do {
            _ = try NeuralHybridModel(schema: .init(people: 1, opportunities: 1, categories: [], continuous: 0))
            Issue.record("a content model without features was accepted")
        } catch {
            #expect(error.message == "the content model needs at least one feature, and every categorical feature at least one value.")
        }
    }
}

@Suite("Bid head")
struct BidHeadTests {
    @Test("min ≤ optimal ≤ max for any parameters and inputs")
    func ordering() {
        var generator = SeededGenerator(seed: 4)
        for seed in 0..<5 {
            var head = BidHead(inputs: 3, hidden: [6], seed: UInt64(seed))
            // Large random parameters: the raw outputs take any sign and size.
            for i in head.mlp.parameters.indices { head.mlp.parameters[i] = Float(generator.unit() * 20 - 10) }
            let x = (0..<(50 * 3)).map { _ in Float(generator.unit() * 10 - 5) }
            var workspace = MLPWorkspace(), raw: [Float] = []
            let amounts = x.withUnsafeBufferPointer { head.forward($0, batch: 50, workspace: &workspace, raw: &raw) }
            for r in 0..<50 { #expect(amounts[3 * r] <= amounts[3 * r + 1] && amounts[3 * r + 1] <= amounts[3 * r + 2]) }
        }
    }

    @Test("Pinball gradients agree with finite differences, and training covers about 80% of bids")
    func gradientsAndTraining() {
        var generator = SeededGenerator(seed: 8)
        // Bids: 20 + 10 x₀ − 4 x₁, spread uniformly ±6.
        let n = 400
        let x = (0..<(n * 2)).map { _ in Float(generator.unit()) }
        var bids: [Float] = []
        for r in 0..<n {
            let noise = Float(generator.unit() * 12 - 6)
            let mean: Float = 20 + 10 * x[2 * r] - 4 * x[2 * r + 1]
            bids.append(mean + noise)
        }
        var head = BidHead(inputs: 2, hidden: [16], seed: 3)
        var workspace = MLPWorkspace(), raw: [Float] = []
        func loss(_ head: BidHead, rows: Range<Int>) -> Double {
            var w = MLPWorkspace(), r: [Float] = [], g = [Float](repeating: 0, count: head.mlp.parameters.count)
            let input = Array(x[(2 * rows.lowerBound)..<(2 * rows.upperBound)])
            return input.withUnsafeBufferPointer { i in
                let amounts = head.forward(i, batch: rows.count, workspace: &w, raw: &r)
                return head.backward(i, raw: r, amounts: amounts, targets: Array(bids[rows]), workspace: &w, into: &g)
            }
        }
        // Gradient check on 8 rows.
        let rows = 0..<8
        let input = Array(x[0..<16])
        var gradients = [Float](repeating: 0, count: head.mlp.parameters.count)
        input.withUnsafeBufferPointer { i in
            let amounts = head.forward(i, batch: 8, workspace: &workspace, raw: &raw)
            head.backward(i, raw: raw, amounts: amounts, targets: Array(bids[rows]), workspace: &workspace, into: &gradients)
        }
        for p in head.mlp.parameters.indices {
            var plus = head, minus = head
            plus.mlp.parameters[p] += 1e-3
            minus.mlp.parameters[p] -= 1e-3
            let numeric = (loss(plus, rows: rows) - loss(minus, rows: rows)) / 2e-3
            #expect(abs(Double(gradients[p]) - numeric) <= 5e-3 * max(1, abs(numeric)), "parameter \(p): \(gradients[p]) vs \(numeric)")
        }
        // Full-batch Adam on the pinball losses.
        var adam = AdamOptimizer(parameters: head.mlp.parameters.count)
        let all = Array(x)
        for _ in 0..<1500 {
            for p in gradients.indices { gradients[p] = 0 }
            all.withUnsafeBufferPointer { i in
                let amounts = head.forward(i, batch: n, workspace: &workspace, raw: &raw)
                head.backward(i, raw: raw, amounts: amounts, targets: bids, workspace: &workspace, into: &gradients)
            }
            adam.advance()
            adam.update(&head.mlp.parameters, gradients: gradients, learningRate: 0.02)
        }
        let amounts = all.withUnsafeBufferPointer { head.forward($0, batch: n, workspace: &workspace, raw: &raw) }
        var covered = 0
        for r in 0..<n where amounts[3 * r] <= bids[r] && bids[r] <= amounts[3 * r + 2] { covered += 1 }
        #expect(covered >= Int(0.7 * Double(n)) && covered <= Int(0.9 * Double(n)), "coverage \(covered) of \(n)")
    }
}
