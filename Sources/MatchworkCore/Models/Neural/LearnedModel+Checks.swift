extension LearnedModel {
    /// What makes this model unfit to serve, or `nil`: a parameter that is not a finite number,
    /// or a score that comes out non-finite on a probe batch.
    ///
    /// A model whose weights are NaN would have every answer silently fall back to the
    /// rule-based scorer; one with weights of 3·10³⁸ overflows to ±∞ and NaN in its first
    /// layer. The probe scores, for each of its networks, up to 16 pairs of the first people
    /// and opportunities with every categorical feature at its first value and every continuous
    /// one at −3, 0 and 3 (the inputs are standardised, so this spans their usual range).
    public func servingProblem() -> String? {
        func nonFinite(_ values: [Float], _ name: String) -> String? {
            guard let i = values.firstIndex(where: { !$0.isFinite }) else { return nil }
            return "its \(name) parameters hold \(values[i]) at position \(i), not a finite number"
        }
        let hybrids = ranking.sorted { $0.key.rawValue < $1.key.rawValue }.map { ("ranking.\($0.key.rawValue)", $0.value) } + (rating.map { [("rating", $0)] } ?? [])
        for (name, hybrid) in hybrids {
            let parts = [
                (hybrid.people.values, "people embedding"), (hybrid.opportunities.values, "opportunity embedding"),
                (hybrid.collaborative.parameters, "collaborative network"), (hybrid.content.parameters, "content network"),
            ] + hybrid.categories.enumerated().map { ($0.element.values, "category \($0.offset) embedding") }
            for (values, part) in parts {
                if let problem = nonFinite(values, part) { return "\(name): \(problem)" }
            }
            if !hybrid.alphaLogit.isFinite || !hybrid.outputShift.isFinite || !hybrid.outputScale.isFinite {
                return "\(name): its blend or output scale is not a finite number"
            }
            let schema = hybrid.schema
            let pairs = max(1, min(16, min(max(schema.people, 1), max(schema.opportunities, 1))))
            var batches: [NeuralBatch] = []
            for level: Float in [-3, 0, 3] {
                batches.append(
                    NeuralBatch(
                        person: (0..<pairs).map { schema.people > 0 ? Int32($0 % schema.people) : -1 },
                        opportunity: (0..<pairs).map { schema.opportunities > 0 ? Int32($0 % schema.opportunities) : -1 },
                        categorical: [Int32](repeating: 0, count: pairs * schema.categories.count),
                        continuous: [Float](repeating: level, count: pairs * schema.continuous)))
            }
            var workspace = NeuralWorkspace()
            for batch in batches {
                let scores = hybrid.forward(batch, workspace: &workspace)
                if let bad = scores.final.first(where: { !$0.isFinite }) {
                    return "\(name): it scores \(bad) on a probe pair; its weights overflow"
                }
            }
        }
        if let bid {
            if let problem = nonFinite(bid.head.mlp.parameters, "bid head") { return problem }
            guard bid.amountMean.isFinite, bid.amountScale.isFinite else { return "its bid head's amount scale is not a finite number" }
            guard bid.margin.isFinite else { return "its bid head's calibration margin is not a finite number" }
            let width = bid.head.mlp.sizes[0]
            var workspace = MLPWorkspace(), raw: [Float] = []
            for level: Float in [-3, 0, 3] {
                let input = [Float](repeating: level, count: width)
                let amounts = input.withUnsafeBufferPointer { bid.head.forward($0, batch: 1, workspace: &workspace, raw: &raw) }
                if let bad = amounts.first(where: { !$0.isFinite }) { return "its bid head suggests \(bad) on a probe pair; its weights overflow" }
            }
        }
        return nil
    }
}
