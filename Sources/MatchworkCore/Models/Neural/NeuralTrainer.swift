import RealModule

/// Labelled pairs for training: the model's inputs, one target per pair and the list each pair
/// belongs to (the candidates of one request, for ranking metrics; the pair itself for ratings).
public struct TrainingExamples: Sendable {
    public var inputs: NeuralBatch
    public var targets: [Float]
    public var groups: [Int32]
    public var count: Int { targets.count }

    public init(inputs: NeuralBatch, targets: [Float], groups: [Int32]) {
        precondition(inputs.count == targets.count && targets.count == groups.count, "TrainingExamples: inputs, targets and groups differ in length")
        self.inputs = inputs
        self.targets = targets
        self.groups = groups
    }

    /// The examples at `rows`, in that order.
    public func subsetExamples(_ rows: [Int]) -> TrainingExamples {
        let (batch, targets) = subset(rows[...])
        return TrainingExamples(inputs: batch, targets: targets, groups: rows.map { groups[$0] })
    }

    /// The rows at `rows`, in that order.
    func subset(_ rows: ArraySlice<Int>) -> (NeuralBatch, [Float]) {
        let categorical = inputs.count > 0 ? inputs.categorical.count / inputs.count : 0
        let continuous = inputs.count > 0 ? inputs.continuous.count / inputs.count : 0
        var batch = NeuralBatch(person: [], opportunity: [], categorical: [], continuous: [])
        batch.person.reserveCapacity(rows.count)
        batch.opportunity.reserveCapacity(rows.count)
        batch.categorical.reserveCapacity(rows.count * categorical)
        batch.continuous.reserveCapacity(rows.count * continuous)
        var targets: [Float] = []
        targets.reserveCapacity(rows.count)
        for r in rows {
            batch.person.append(inputs.person[r])
            batch.opportunity.append(inputs.opportunity[r])
            batch.categorical += inputs.categorical[(r * categorical)..<((r + 1) * categorical)]
            batch.continuous += inputs.continuous[(r * continuous)..<((r + 1) * continuous)]
            targets.append(self.targets[r])
        }
        return (batch, targets)
    }
}

/// What the model learns to predict.
public enum TrainingObjective: String, Sendable, Hashable, Codable {
    /// Whether the pair led to a hire: binary cross-entropy on the score as a logit.
    case ranking
    /// A rating normalised to 0...1: squared error on the score.
    case rating
}

/// How a training run goes: Adam on mini-batches in a seeded order, the learning rate halved
/// when the validation loss stops improving (ReduceLROnPlateau), and early stopping that keeps
/// the best epoch's parameters.
public struct TrainerConfiguration: Sendable, Hashable, Codable {
    public var epochs = 40
    /// Pairs per step; smaller on small sets, so that an epoch has at least 50 steps.
    public var batchSize = 256
    public var learningRate: Float = 0.002
    public var weightDecay: Float = 0
    /// Epochs without a better validation loss before training stops.
    public var patience = 5
    /// Epochs without a better validation loss before the learning rate is multiplied by `plateauFactor`.
    public var plateauPatience = 2
    public var plateauFactor: Float = 0.5
    public var minimumLearningRate: Float = 1e-5
    /// Share of the lists (ranking) or pairs (ratings) held out for validation.
    public var validationShare = 0.2
    public var seed: UInt64 = 42

    public init() {}

    public func validate() throws(MatchworkError) {
        try check(epochs, "epochs", 1...10_000)
        try check(batchSize, "batch_size", 1...1_000_000)
        try check(patience, "patience", 1...1000)
        try check(plateauPatience, "plateau_patience", 1...1000)
        try checkPositive(learningRate, "learning_rate")
        try checkNonNegative(weightDecay, "weight_decay")
        try checkPositive(minimumLearningRate, "minimum_learning_rate")
        guard plateauFactor > 0 && plateauFactor < 1 else {
            throw MatchworkError(.invalidConfiguration, "plateau_factor \(plateauFactor) must be strictly between 0 and 1.", field: "plateau_factor")
        }
        guard validationShare > 0 && validationShare < 1 else {
            throw MatchworkError(.invalidConfiguration, "validation_share \(validationShare) must be strictly between 0 and 1.", field: "validation_share")
        }
    }
}

/// Quality of a model on labelled pairs. Ranking metrics are over lists with at least one
/// positive, at K = 10 (hit rate at 3), as ../shared/PROTOCOL.md defines them; rating metrics
/// are on the 0...1 scale.
public struct NeuralMetrics: Sendable, Hashable, Codable {
    public var loss: Double
    public var examples: Int
    public var lists: Int?
    public var precisionAt10: Double?
    public var recallAt10: Double?
    public var ndcgAt10: Double?
    public var hitRateAt3: Double?
    public var mse: Double?
    public var mae: Double?
    public var r2: Double?
    /// The bid head: mean pinball loss over its three quantiles (in currency), the share of
    /// held-out bids inside the suggested [min, max], and the share of winning bids inside it.
    public var pinball: Double?
    public var coverage: Double?
    public var winningInside: Double?

    /// The metric early stopping reports beside the loss: NDCG@10 or RMSE.
    public var headline: (name: String, value: Double) {
        if let ndcgAt10 { return ("ndcg@10", ndcgAt10) }
        return ("rmse", (mse ?? 0).squareRoot())
    }
}

extension NeuralMetrics {
    /// A ranking's figures: the learned ranker's validation, for the registry.
    public static func ranking(examples: Int, lists: Int, ndcgAt10: Double) -> NeuralMetrics {
        NeuralMetrics(loss: 0, examples: examples, lists: lists, ndcgAt10: ndcgAt10)
    }
}

/// One epoch's figures, for a progress line.
public struct EpochReport: Sendable, Hashable {
    public var epoch: Int
    public var epochs: Int
    public var trainingLoss: Double
    public var validation: NeuralMetrics
    public var learningRate: Float
    public var seconds: Double
    /// At most this much longer (the epochs left at the mean epoch time so far).
    public var secondsLeft: Double
    public var improved: Bool
}

/// What a training run did.
public struct TrainingReport: Sendable, Hashable, Codable {
    public var epochs: Int
    public var bestEpoch: Int
    public var stoppedEarly: Bool
    public var finalLearningRate: Float
    public var seconds: Double
    /// The best epoch's validation metrics (the parameters kept).
    public var validation: NeuralMetrics
    public var trainingExamples: Int
    public var validationExamples: Int
    /// Validation loss per epoch.
    public var lossHistory: [Double]
}

/// Trains a ``NeuralHybridModel`` on ``TrainingExamples``.
public enum NeuralTrainer {
    /// Trains `model` in place and returns the run's report; `model` ends with the parameters
    /// of the epoch with the lowest validation loss.
    ///
    /// - Parameters:
    ///   - warmStart: `model` already holds trained parts: its output scale is kept, and it
    ///     is itself the epoch to beat (epoch 0), so training never leaves it worse on validation.
    ///   - progress: called after every epoch.
    public static func train(
        _ model: inout NeuralHybridModel, on examples: TrainingExamples, objective: TrainingObjective, configuration: TrainerConfiguration = TrainerConfiguration(),
        warmStart: Bool = false, progress: (EpochReport) -> Void = { _ in }
    ) throws(MatchworkError) -> TrainingReport {
        try configuration.validate()
        let (trainRows, validationRows) = split(examples, share: configuration.validationShare, seed: configuration.seed)
        guard !trainRows.isEmpty, !validationRows.isEmpty else {
            throw MatchworkError(.invalidValue, "\(examples.count) examples in \(Set(examples.groups).count) lists are too few to hold some out for validation; add history (at least 2 lists).", field: "examples")
        }
        var generator = SeededGenerator(seed: configuration.seed ^ 0x9E37_79B9_7F4A_7C15)
        // Both parts start at the training targets' mean (as a logit for ranking), so that the
        // first epochs learn the differences between pairs rather than the base rate.
        // Ratings are learned on a standard scale: the score is mean + spread × the parts'.
        let mean = trainRows.reduce(0.0) { $0 + Double(examples.targets[$1]) } / Double(trainRows.count)
        switch objective {
        case _ where warmStart: break
        case .ranking:
            let clipped = min(1 - 1e-4, max(1e-4, mean))
            model.setOutputBias(Float(Double.log(clipped / (1 - clipped))))
        case .rating:
            let variance = trainRows.reduce(0.0) { $0 + (Double(examples.targets[$1]) - mean) * (Double(examples.targets[$1]) - mean) } / Double(trainRows.count)
            model.outputShift = Float(mean)
            model.outputScale = Float(max(1e-3, variance.squareRoot()))
            model.setOutputBias(0)
        }
        var optimiser = HybridOptimiser(model, configuration: configuration)
        var gradients = NeuralGradients(for: model)
        var workspace = NeuralWorkspace()
        var learningRate = configuration.learningRate
        var best = model, bestLoss = Double.infinity, bestEpoch = 0, bestMetrics: NeuralMetrics?
        var sinceBest = 0, sincePlateau = 0
        var history: [Double] = []
        if warmStart {
            let metrics = evaluate(model, on: examples, rows: validationRows, objective: objective, workspace: &workspace)
            if metrics.loss.isFinite { (bestLoss, bestMetrics) = (metrics.loss, metrics) }
        }
        let clock = ContinuousClock(), started = clock.now
        var epoch = 0
        var order = trainRows
        let batchSize = max(8, min(configuration.batchSize, trainRows.count / 50))
        while epoch < configuration.epochs {
            epoch += 1
            order = generator.shuffled(order)
            var lossSum = 0.0
            var start = 0
            while start < order.count {
                let rows = order[start..<min(order.count, start + batchSize)]
                start += batchSize
                let (batch, targets) = examples.subset(rows)
                let scores = model.forward(batch, workspace: &workspace)
                var gradient = [Float](repeating: 0, count: rows.count)
                let loss = Self.loss(objective, scores: scores.final, targets: targets, gradient: &gradient)
                lossSum += loss * Double(rows.count)
                gradients.reset()
                model.backward(gradient, batch: batch, scores: scores, workspace: &workspace, into: &gradients)
                optimiser.step(&model, gradients: gradients, learningRate: learningRate)
            }
            let metrics = evaluate(model, on: examples, rows: validationRows, objective: objective, workspace: &workspace)
            guard metrics.loss.isFinite, lossSum.isFinite else {
                throw MatchworkError(
                    .invalidValue, "training diverged at epoch \(epoch): the loss is \(lossSum.isFinite ? metrics.loss : lossSum); lower learning_rate (now \(learningRate)) or check the features for extreme values.",
                    field: "learning_rate")
            }
            history.append(metrics.loss)
            let improved = !bestLoss.isFinite || metrics.loss < bestLoss - 1e-6 * max(1, abs(bestLoss))
            if improved {
                best = model
                bestLoss = metrics.loss
                bestEpoch = epoch
                bestMetrics = metrics
                sinceBest = 0
                sincePlateau = 0
            } else {
                sinceBest += 1
                sincePlateau += 1
                if sincePlateau >= configuration.plateauPatience {
                    learningRate = max(configuration.minimumLearningRate, learningRate * configuration.plateauFactor)
                    sincePlateau = 0
                }
            }
            let elapsed = seconds(since: started, clock)
            progress(EpochReport(
                epoch: epoch, epochs: configuration.epochs, trainingLoss: lossSum / Double(order.count), validation: metrics, learningRate: learningRate,
                seconds: elapsed, secondsLeft: elapsed / Double(epoch) * Double(configuration.epochs - epoch), improved: improved))
            if sinceBest >= configuration.patience { break }
        }
        model = best
        guard let bestMetrics else {
            throw MatchworkError(.invalidValue, "training found no epoch with a finite validation loss.", field: "examples")
        }
        return TrainingReport(
            epochs: epoch, bestEpoch: bestEpoch, stoppedEarly: epoch < configuration.epochs, finalLearningRate: learningRate,
            seconds: seconds(since: started, clock), validation: bestMetrics, trainingExamples: trainRows.count, validationExamples: validationRows.count,
            lossHistory: history)
    }

    /// Splits rows into training and validation by list: a seeded `share` of the lists is held out.
    static func split(_ examples: TrainingExamples, share: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
        var generator = SeededGenerator(seed: seed)
        let lists = Array(Set(examples.groups)).sorted()
        let held = Set(generator.shuffled(lists).prefix(Int((Double(lists.count) * share).rounded())))
        var train: [Int] = [], validation: [Int] = []
        for r in 0..<examples.count {
            if held.contains(examples.groups[r]) { validation.append(r) } else { train.append(r) }
        }
        return (train, validation)
    }

    /// The objective's mean loss over `scores`, its gradient written into `gradient`.
    static func loss(_ objective: TrainingObjective, scores: [Float], targets: [Float], gradient: inout [Float]) -> Double {
        scores.withUnsafeBufferPointer { s in
            targets.withUnsafeBufferPointer { t in
                gradient.withUnsafeMutableBufferPointer { g in
                    objective == .ranking ? Loss.binaryCrossEntropy(logits: s, t, gradient: g) : Loss.meanSquaredError(s, t, gradient: g)
                }
            }
        }
    }

    /// The model's scores for `rows`, in batches.
    static func scores(_ model: NeuralHybridModel, on examples: TrainingExamples, rows: [Int], workspace: inout NeuralWorkspace) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(rows.count)
        var start = 0
        while start < rows.count {
            let slice = rows[start..<min(rows.count, start + 1024)]
            start += 1024
            let (batch, _) = examples.subset(slice)
            out += model.forward(batch, workspace: &workspace).final
        }
        return out
    }

    /// Loss and metrics of `model` on `rows`.
    public static func evaluate(_ model: NeuralHybridModel, on examples: TrainingExamples, rows: [Int], objective: TrainingObjective) -> NeuralMetrics {
        var workspace = NeuralWorkspace()
        return evaluate(model, on: examples, rows: rows, objective: objective, workspace: &workspace)
    }

    static func evaluate(_ model: NeuralHybridModel, on examples: TrainingExamples, rows: [Int], objective: TrainingObjective, workspace: inout NeuralWorkspace) -> NeuralMetrics {
        let s = scores(model, on: examples, rows: rows, workspace: &workspace)
        let targets = rows.map { examples.targets[$0] }
        var gradient = [Float](repeating: 0, count: rows.count)
        let loss = Self.loss(objective, scores: s, targets: targets, gradient: &gradient)
        switch objective {
        case .ranking:
            return rankingMetrics(scores: s.map(Double.init), targets: targets, groups: rows.map { examples.groups[$0] }, loss: loss)
        case .rating:
            return ratingMetrics(predictions: s.map { Double(min(1, max(0, $0))) }, targets: targets.map(Double.init), loss: loss)
        }
    }

    /// Precision and recall at 10, NDCG@10 and hit rate at 3 over the lists with a positive.
    public static func rankingMetrics(scores: [Double], targets: [Float], groups: [Int32], loss: Double) -> NeuralMetrics {
        var byGroup: [Int32: [Int]] = [:]
        for i in groups.indices { byGroup[groups[i], default: []].append(i) }
        var precision = 0.0, recall = 0.0, ndcg = 0.0, hits = 0.0, lists = 0
        // In group order: summed in hash order, the metrics (and so early stopping, and the
        // model kept) changed in their last digits from one process to the next.
        for group in byGroup.keys.sorted() {
            let members = byGroup[group]!
            let positives = members.count { targets[$0] > 0.5 }
            guard positives > 0 else { continue }
            lists += 1
            let ranked = members.sorted { (scores[$0], $1) > (scores[$1], $0) }
            var dcg = 0.0, found = 0
            for (k, i) in ranked.prefix(10).enumerated() where targets[i] > 0.5 {
                dcg += 1 / Double.log2(Double(k + 2))
                found += 1
            }
            var ideal = 0.0
            for k in 0..<min(positives, 10) { ideal += 1 / Double.log2(Double(k + 2)) }
            ndcg += dcg / ideal
            precision += Double(found) / 10
            recall += Double(found) / Double(positives)
            if ranked.prefix(3).contains(where: { targets[$0] > 0.5 }) { hits += 1 }
        }
        let n = Double(max(1, lists))
        return NeuralMetrics(
            loss: loss, examples: scores.count, lists: lists, precisionAt10: precision / n, recallAt10: recall / n, ndcgAt10: ndcg / n, hitRateAt3: hits / n)
    }

    /// MSE, MAE and R² of predictions against targets.
    public static func ratingMetrics(predictions: [Double], targets: [Double], loss: Double) -> NeuralMetrics {
        let n = Double(max(1, targets.count))
        let mean = targets.reduce(0, +) / n
        var se = 0.0, ae = 0.0, total = 0.0
        for i in targets.indices {
            let e = predictions[i] - targets[i]
            se += e * e
            ae += abs(e)
            total += (targets[i] - mean) * (targets[i] - mean)
        }
        return NeuralMetrics(loss: loss, examples: targets.count, mse: se / n, mae: ae / n, r2: total > 0 ? 1 - se / total : 0)
    }

    static func seconds(since start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
        (clock.now - start).inSeconds
    }
}

/// Adam over every parameter block of a hybrid model: dense for the MLPs and α, lazy rows for
/// the embedding tables.
struct HybridOptimiser {
    var collaborative: AdamOptimizer
    var content: AdamOptimizer
    var people: AdamOptimizer
    var opportunities: AdamOptimizer
    var categories: [AdamOptimizer]
    var alpha: AdamOptimizer

    init(_ model: NeuralHybridModel, configuration: TrainerConfiguration) {
        var adam = AdamOptimizer.Configuration()
        adam.weightDecay = configuration.weightDecay
        collaborative = AdamOptimizer(parameters: model.collaborative.parameters.count, configuration: adam)
        content = AdamOptimizer(parameters: model.content.parameters.count, configuration: adam)
        people = AdamOptimizer(parameters: model.people.values.count, configuration: adam)
        opportunities = AdamOptimizer(parameters: model.opportunities.values.count, configuration: adam)
        categories = model.categories.map { AdamOptimizer(parameters: $0.values.count, configuration: adam) }
        alpha = AdamOptimizer(parameters: 1, configuration: AdamOptimizer.Configuration())
    }

    mutating func step(_ model: inout NeuralHybridModel, gradients: NeuralGradients, learningRate: Float) {
        collaborative.advance()
        content.advance()
        people.advance()
        opportunities.advance()
        for f in categories.indices { categories[f].advance() }
        alpha.advance()
        collaborative.update(&model.collaborative.parameters, gradients: gradients.collaborative, learningRate: learningRate)
        content.update(&model.content.parameters, gradients: gradients.content, learningRate: learningRate)
        people.update(rows: gradients.people.rows, width: gradients.people.width, of: &model.people.values, gradients: gradients.people.values, learningRate: learningRate)
        opportunities.update(
            rows: gradients.opportunities.rows, width: gradients.opportunities.width, of: &model.opportunities.values, gradients: gradients.opportunities.values,
            learningRate: learningRate)
        for f in categories.indices {
            categories[f].update(
                rows: gradients.categories[f].rows, width: gradients.categories[f].width, of: &model.categories[f].values, gradients: gradients.categories[f].values,
                learningRate: learningRate)
        }
        if model.configuration.parts == .hybrid {
            var a = [model.alphaLogit]
            alpha.update(&a, gradients: [gradients.alphaLogit], learningRate: learningRate)
            model.alphaLogit = a[0]
        }
    }
}
