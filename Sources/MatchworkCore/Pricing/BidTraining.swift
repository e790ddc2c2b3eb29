/// Training the bid head (``BidModel``) on the bids a marketplace saw.
///
/// Each bid is an example: the pair's scaled continuous features (the bid's own left out) and
/// the amount. A seeded share of the opportunities is held out, so that no job is in both
/// sets; amounts are learned on a standard scale; Adam with mini-batches, the learning rate
/// cut on plateaus and early stopping on the held-out pinball loss, as ``NeuralTrainer``.
public enum BidTraining {
    public struct Examples: Sendable {
        /// Row-major `count × continuous`, scaled by the feature encoder.
        public var continuous: [Float]
        public var width: Int
        public var amounts: [Float]
        /// Whether the bidder was hired on the opportunity (the winning bid).
        public var won: [Bool]
        /// The opportunity of each bid, to hold out whole jobs.
        public var groups: [Int32]

        public var count: Int { amounts.count }

        public init(continuous: [Float] = [], width: Int, amounts: [Float] = [], won: [Bool] = [], groups: [Int32] = []) {
            self.continuous = continuous
            self.width = width
            self.amounts = amounts
            self.won = won
            self.groups = groups
        }
    }

    public struct Report: Sendable {
        public var validation: NeuralMetrics
        public var epochs: Int
        public var bestEpoch: Int
        public var trainingExamples: Int
        /// The held-out pinball loss of constant amounts (the training bids' own quantiles),
        /// the baseline the head must beat.
        public var constantPinball: Double
        /// The held-out share of bids inside [min, max] before calibration, and the calibrated
        /// model's margin (``BidModel/margin``); `validation.coverage` is the calibrated share,
        /// cross-fitted over two halves of the held-out jobs.
        public var uncalibratedCoverage: Double?
        public var margin: Double
    }

    /// Trains a bid head on `examples`; `hidden` are its MLP's hidden widths.
    public static func train(_ examples: Examples, configuration: TrainerConfiguration, hidden: [Int] = [32]) throws(MatchworkError) -> (model: BidModel, report: Report) {
        try configuration.validate()
        guard examples.count >= 20, Set(examples.groups).count >= 5 else {
            throw MatchworkError(.invalidValue, "there are \(examples.count) bids on \(Set(examples.groups).count) opportunities; the bid head needs at least 20 bids on 5.", field: "interactions")
        }
        // Hold out whole opportunities.
        var generator = SeededGenerator(seed: configuration.seed)
        let jobs = generator.shuffled(Array(Set(examples.groups)).sorted())
        let heldJobs = Set(jobs.prefix(max(1, Int(Double(jobs.count) * configuration.validationShare))))
        let validation = examples.groups.indices.filter { heldJobs.contains(examples.groups[$0]) }
        let training = examples.groups.indices.filter { !heldJobs.contains(examples.groups[$0]) }

        let mean = training.reduce(0.0) { $0 + Double(examples.amounts[$1]) } / Double(training.count)
        let variance = training.reduce(0.0) { $0 + (Double(examples.amounts[$1]) - mean) * (Double(examples.amounts[$1]) - mean) } / Double(training.count)
        let scale = Float(max(variance.squareRoot(), 1e-6))
        let inputs = BidModel.inputs(from: examples.continuous, batch: examples.count)
        let width = BidModel.inputs(continuous: examples.width)
        let standard = examples.amounts.map { ($0 - Float(mean)) / scale }

        var model = BidModel(head: BidHead(inputs: width, hidden: hidden, seed: configuration.seed), amountMean: Float(mean), amountScale: scale)
        var adam = AdamOptimizer(parameters: model.head.mlp.parameters.count, configuration: { var c = AdamOptimizer.Configuration(); c.weightDecay = configuration.weightDecay; return c }())
        let batch = max(8, min(configuration.batchSize, training.count / 50))
        var learningRate = configuration.learningRate
        var best = model, bestLoss = validationLoss(model, inputs: inputs, width: width, targets: standard, rows: validation), bestEpoch = 0
        var sincePlateau = 0, epochs = 0
        var workspace = MLPWorkspace()
        var gradients = [Float](repeating: 0, count: model.head.mlp.parameters.count)
        var order = training
        var rowInputs: [Float] = [], rowTargets: [Float] = [], raw: [Float] = []
        for epoch in 1...configuration.epochs {
            epochs = epoch
            order = generator.shuffled(order)
            var start = 0
            while start < order.count {
                let rows = order[start..<min(order.count, start + batch)]
                start += batch
                rowInputs.removeAll(keepingCapacity: true)
                rowTargets.removeAll(keepingCapacity: true)
                for r in rows {
                    rowInputs += inputs[(r * width)..<((r + 1) * width)]
                    rowTargets.append(standard[r])
                }
                for i in gradients.indices { gradients[i] = 0 }
                rowInputs.withUnsafeBufferPointer { x in
                    let amounts = model.head.forward(x, batch: rows.count, workspace: &workspace, raw: &raw)
                    model.head.backward(x, raw: raw, amounts: amounts, targets: rowTargets, workspace: &workspace, into: &gradients)
                }
                adam.advance()
                adam.update(&model.head.mlp.parameters, gradients: gradients, learningRate: learningRate)
            }
            let loss = validationLoss(model, inputs: inputs, width: width, targets: standard, rows: validation)
            if loss < bestLoss - 1e-6 {
                best = model
                bestLoss = loss
                bestEpoch = epoch
                sincePlateau = 0
            } else {
                sincePlateau += 1
                if sincePlateau % configuration.plateauPatience == 0 { learningRate = max(configuration.minimumLearningRate, learningRate * configuration.plateauFactor) }
                if epoch - bestEpoch >= configuration.patience { break }
            }
        }
        // Split-conformal calibration on the held-out jobs. The coverage reported is cross-fitted:
        // a margin from half of those jobs, measured on the other half, and the other way round.
        let halfOf = Dictionary(uniqueKeysWithValues: jobs.prefix(heldJobs.count).enumerated().map { ($1, $0 % 2) })
        let halves = (validation.filter { halfOf[examples.groups[$0]] == 0 }, validation.filter { halfOf[examples.groups[$0]] == 1 })
        var metrics = evaluate(best, continuous: examples.continuous, width: examples.width, amounts: examples.amounts, won: examples.won, rows: validation)
        let uncalibrated = metrics.coverage
        if !halves.0.isEmpty, !halves.1.isEmpty {
            var covered = 0.0, winners = 0.0, winnersCount = 0.0
            for (fit, measure) in [(halves.0, halves.1), (halves.1, halves.0)] {
                var calibrated = best
                calibrated.margin = conformalMargin(best, continuous: examples.continuous, width: examples.width, amounts: examples.amounts, rows: fit)
                let m = evaluate(calibrated, continuous: examples.continuous, width: examples.width, amounts: examples.amounts, won: examples.won, rows: measure)
                covered += (m.coverage ?? 0) * Double(measure.count)
                let w = Double(measure.filter { examples.won[$0] }.count)
                winners += (m.winningInside ?? 0) * w
                winnersCount += w
            }
            metrics.coverage = covered / Double(validation.count)
            metrics.winningInside = winnersCount > 0 ? winners / winnersCount : nil
        }
        best.margin = conformalMargin(best, continuous: examples.continuous, width: examples.width, amounts: examples.amounts, rows: validation)
        let sorted = training.map { examples.amounts[$0] }.sorted()
        let q = best.head.quantiles
        let constant = [q.low, q.middle, q.high].map { sorted[min(sorted.count - 1, Int(Float(sorted.count) * $0))] }
        let constantLoss = pinball(Array(repeating: constant, count: validation.count).flatMap { $0 }, targets: validation.map { examples.amounts[$0] }, quantiles: q)
        return (best, Report(
            validation: metrics, epochs: epochs, bestEpoch: bestEpoch, trainingExamples: training.count, constantPinball: constantLoss,
            uncalibratedCoverage: uncalibrated, margin: Double(best.margin)))
    }

    /// The split-conformal margin (conformalised quantile regression): with conformity scores
    /// `E = max(min − y, y − max)` of the uncalibrated range on `rows`, the
    /// `⌈(n + 1)(1 − α)⌉`-th smallest, where `1 − α` is the range's nominal coverage; 0 without rows.
    public static func conformalMargin(_ model: BidModel, continuous: [Float], width: Int, amounts: [Float], rows: [Int]) -> Float {
        guard !rows.isEmpty else { return 0 }
        var plain = model
        plain.margin = 0
        var x: [Float] = []
        x.reserveCapacity(rows.count * width)
        for r in rows { x += continuous[(r * width)..<((r + 1) * width)] }
        let suggestions = plain.suggest(continuous: x, batch: rows.count)
        let scores = zip(suggestions, rows).map { s, r in max(s.minimum - Double(amounts[r]), Double(amounts[r]) - s.maximum) }.sorted()
        let nominal = Double(model.head.quantiles.high - model.head.quantiles.low)
        let k = min(scores.count, Int((Double(scores.count + 1) * nominal).rounded(.up)))
        return Float(scores[max(0, k - 1)])
    }

    /// The mean pinball loss on `rows`, on the standard scale.
    static func validationLoss(_ model: BidModel, inputs: [Float], width: Int, targets: [Float], rows: [Int]) -> Double {
        guard !rows.isEmpty else { return 0 }
        var x: [Float] = []
        x.reserveCapacity(rows.count * width)
        for r in rows { x += inputs[(r * width)..<((r + 1) * width)] }
        var workspace = MLPWorkspace()
        var raw: [Float] = []
        let amounts = x.withUnsafeBufferPointer { model.head.forward($0, batch: rows.count, workspace: &workspace, raw: &raw) }
        return pinball(amounts, targets: rows.map { targets[$0] }, quantiles: model.head.quantiles)
    }

    /// The mean over rows of the three quantiles' pinball losses.
    static func pinball(_ amounts: [Float], targets: [Float], quantiles: BidHead.Quantiles) -> Double {
        let q = [quantiles.low, quantiles.middle, quantiles.high]
        var loss = 0.0
        for (r, y) in targets.enumerated() {
            for k in 0..<3 {
                let e = Double(y - amounts[3 * r + k])
                loss += max(Double(q[k]) * e, (Double(q[k]) - 1) * e)
            }
        }
        return loss / Double(max(targets.count, 1) * 3)
    }

    /// Pinball loss in currency, the share of bids inside [min, max], the share of winning bids
    /// inside, and (`mae`) how far the optimal amount is from the winning bid, on `rows`.
    public static func evaluate(_ model: BidModel, continuous: [Float], width: Int, amounts: [Float], won: [Bool], rows: [Int]) -> NeuralMetrics {
        var x: [Float] = []
        x.reserveCapacity(rows.count * width)
        for r in rows { x += continuous[(r * width)..<((r + 1) * width)] }
        let suggestions = model.suggest(continuous: x, batch: rows.count)
        var flat: [Float] = []
        for s in suggestions { flat += [Float(s.minimum), Float(s.optimal), Float(s.maximum)] }
        let targets = rows.map { amounts[$0] }
        let loss = pinball(flat, targets: targets, quantiles: model.head.quantiles)
        let inside = zip(suggestions, targets).filter { $0.contains(Double($1)) }.count
        let winners = rows.indices.filter { won[rows[$0]] }
        let winnersInside = winners.filter { suggestions[$0].contains(Double(targets[$0])) }.count
        let off = winners.reduce(0.0) { $0 + abs(suggestions[$1].optimal - Double(targets[$1])) }
        return NeuralMetrics(
            loss: loss, examples: rows.count, mae: winners.isEmpty ? nil : off / Double(winners.count), pinball: loss,
            coverage: rows.isEmpty ? nil : Double(inside) / Double(rows.count), winningInside: winners.isEmpty ? nil : Double(winnersInside) / Double(winners.count))
    }
}
