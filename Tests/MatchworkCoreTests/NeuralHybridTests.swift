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
