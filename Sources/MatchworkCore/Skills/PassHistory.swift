/// Course results kept outside a marketplace store, one row per learner and run of a course
/// (OULAD's `studentInfo`): real pass and fail history to fit and test ``PassProbabilityModel``
/// on, the way the learning marketplace's results fit it.
public struct PassHistory: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        case pass, fail, withdrawn
    }

    /// How a withdrawal counts: not a result (the marketplace records none), or a failure.
    public enum Withdrawn: String, Sendable, Hashable, Codable, CaseIterable {
        case exclude, fail
    }

    public struct Result: Sendable, Hashable {
        public var learner: String
        public var course: String
        /// The run (presentation) it was taken in; runs order by this text (`2013B` < `2013J`).
        public var term: String
        public var outcome: Outcome
        /// Earlier attempts at this course that the history holds no row for.
        public var earlierAttempts: Int
        /// The run's length, standing for the model's `hours` (the history records no hours).
        public var hours: Double
        /// The learner's prior education, as the person facet `education` would hold it.
        public var education: String?

        public init(learner: String, course: String, term: String, outcome: Outcome, earlierAttempts: Int, hours: Double, education: String? = nil) {
            self.education = education
            self.learner = learner
            self.course = course
            self.term = term
            self.outcome = outcome
            self.earlierAttempts = earlierAttempts
            self.hours = hours
        }
    }

    public var results: [Result]

    public init(results: [Result]) { self.results = results }

    /// The runs, in order.
    public var terms: [String] { Array(Set(results.map(\.term))).sorted() }

    /// One result as the model sees it.
    public struct Example: Sendable, Hashable {
        /// Its row in ``results``.
        public var row: Int
        public var features: [Double]
        public var passed: Bool
    }

    /// Examples for fitting on the results outside `testTerms` and testing on those inside,
    /// with ``PassProbabilityModel/featureNames``:
    /// - the course's smoothed pass rate over the training results (leaving a training result's
    ///   own out, as the marketplace fit does);
    /// - no level and no prerequisites (the history has neither: constant, so they weigh nothing);
    /// - the learner's earlier results, those in runs before this one, plus earlier attempts
    ///   at this course the history does not hold (counted as results without a pass);
    /// - the run's length / 10 as the hours.
    public func examples(testTerms: Set<String>, withdrawn: Withdrawn) -> (train: [Example], test: [Example]) {
        func passed(_ r: Result) -> Bool? {
            switch r.outcome {
            case .pass: true
            case .fail: false
            case .withdrawn: withdrawn == .fail ? false : nil
            }
        }
        var passes: [String: Int] = [:], counts: [String: Int] = [:]
        var trainPasses = 0, trainCount = 0
        for r in results where !testTerms.contains(r.term) {
            guard let p = passed(r) else { continue }
            counts[r.course, default: 0] += 1
            trainCount += 1
            if p { passes[r.course, default: 0] += 1; trainPasses += 1 }
        }
        let overall = trainCount > 0 ? Double(trainPasses) / Double(trainCount) : 0.7
        var byLearner: [String: [Int]] = [:]
        for (i, r) in results.enumerated() { byLearner[r.learner, default: []].append(i) }
        var train: [Example] = [], test: [Example] = []
        for (i, r) in results.enumerated() {
            guard let label = passed(r) else { continue }
            let isTest = testTerms.contains(r.term)
            var p = Double(passes[r.course] ?? 0), n = Double(counts[r.course] ?? 0)
            if !isTest { p -= label ? 1 : 0; n -= 1 }
            let rate = (p + 2 * overall) / (n + 2)
            var earlier = 0, earlierPasses = 0, sameCourseEarlier = 0
            for j in byLearner[r.learner] ?? [] where results[j].term < r.term {
                guard let q = passed(results[j]) else {
                    if results[j].course == r.course { sameCourseEarlier += 1 }
                    continue
                }
                earlier += 1
                if q { earlierPasses += 1 }
                if results[j].course == r.course { sameCourseEarlier += 1 }
            }
            earlier += max(0, r.earlierAttempts - sameCourseEarlier)
            let features = [
                rate, 0, 1, 0, (Double(earlierPasses) + 2 * overall) / (Double(earlier) + 2), (Double(earlier) + 1).squareRoot(), r.hours / 10,
            ]
            let example = Example(row: i, features: features, passed: label)
            if isTest { test.append(example) } else { train.append(example) }
        }
        return (train, test)
    }

    /// Fits ``PassProbabilityModel`` on the training runs and scores it on `testTerms`.
    /// - Parameter education: whether the model sees the learners' prior education.
    public func evaluate(testTerms: Set<String>, withdrawn: Withdrawn, education: Bool = true) throws(MatchworkError) -> PassHistoryEvaluation {
        let known = Set(results.map(\.term))
        for term in testTerms.sorted() where !known.contains(term) {
            throw MatchworkError(.invalidValue, "--test: run '\(term)' is not in the history; its runs are \(terms.joined(separator: ", ")).", field: "--test")
        }
        let (train, test) = examples(testTerms: testTerms, withdrawn: withdrawn)
        guard !test.isEmpty else {
            throw MatchworkError(.invalidValue, "--test: the runs \(testTerms.sorted().joined(separator: ", ")) hold no pass or fail; choose other runs.", field: "--test")
        }
        func value(_ e: Example) -> String? { education ? results[e.row].education : nil }
        guard let model = PassProbabilityModel.fit(train.map { .init(features: $0.features, passed: $0.passed, time: 0, person: 0, course: 0, education: value($0)) }) else {
            throw MatchworkError(.invalidValue, "the training runs hold \(train.count) results, too few or all alike to fit a pass model; keep at least 30 with passes and failures outside the test runs.", field: "--test")
        }
        let labels = test.map(\.passed)
        let probabilities = test.map { model.probability($0.features, education: value($0)) }
        let rate = Double(labels.filter { $0 }.count) / Double(labels.count)
        let trainRate = model.passRate
        return PassHistoryEvaluation(
            trainResults: train.count, testTerms: testTerms.sorted(), withdrawn: withdrawn, education: education,
            model: ClassifierQuality(probabilities: probabilities, outcomes: labels),
            courseRate: ClassifierQuality(probabilities: test.map { $0.features[0] }, outcomes: labels),
            trainingPassRate: ClassifierQuality(probabilities: test.map { _ in trainRate }, outcomes: labels),
            testPassRate: rate,
            weights: zip(["intercept"] + model.features, model.regression.weights).map { .init(feature: $0, weight: $1) },
            predictions: zip(test, probabilities).map { .init(row: $0.row, passed: $0.passed, probability: $1) })
    }
}

/// The pass model on a history's test runs, against the course's pass rate alone and the
/// training runs' overall pass rate.
public struct PassHistoryEvaluation: Sendable, Hashable, Codable {
    public struct Weight: Sendable, Hashable, Codable {
        public var feature: String
        /// On the standardised feature.
        public var weight: Double
    }

    public struct Prediction: Sendable, Hashable, Codable {
        public var row: Int
        public var passed: Bool
        public var probability: Double
    }

    public var trainResults: Int
    public var testTerms: [String]
    public var withdrawn: PassHistory.Withdrawn
    /// Whether the model saw the learners' prior education.
    public var education: Bool
    public var model: ClassifierQuality
    public var courseRate: ClassifierQuality
    /// Everyone given the training runs' pass rate.
    public var trainingPassRate: ClassifierQuality
    public var testPassRate: Double
    public var weights: [Weight]
    public var predictions: [Prediction]
}
