/// Rating metrics of ../shared/PROTOCOL.md over every row of a test file.
public struct RatingMetrics: Sendable, Hashable, Codable {
    /// `√(mean((r − r̂)²))`.
    public var rmse: Double
    /// `mean(|r − r̂|)`.
    public var mae: Double
    /// `1 − SS_res / SS_tot`, with `SS_tot` around the test ratings' mean.
    public var r2: Double
    public var rowsEvaluated: Int
    /// How many rows were answered by each kind of prediction (fallbacks for unknown users or
    /// items included).
    public var bases: [RatingPrediction.Basis: Int]
    /// Mean wall time of one prediction, in microseconds.
    public var predictMicrosecondsPerRow: Double

    /// `rmse`, `mae`, `r2` as the evaluate contract names them.
    public var named: [String: Double] { ["rmse": rmse, "mae": mae, "r2": r2] }
}

public enum RatingEvaluation {
    /// Scores `model` on every row of `test` (indexed like the train table the model was fitted
    /// on, so unknown users and items have indices past the known ones). Predictions are
    /// clipped to `range`, the ratings seen in training.
    public static func evaluate(_ model: some RatingModel, test: RatingTable, range: ClosedRange<Float>) -> RatingMetrics {
        var squared = 0.0, absolute = 0.0, sum = 0.0, sumSquares = 0.0
        var bases: [RatingPrediction.Basis: Int] = [:]
        let clock = ContinuousClock()
        let started = clock.now
        for row in 0..<test.count {
            let prediction = model.predict(user: Int(test.users[row]), item: Int(test.items[row]))
            let estimate = Double(min(max(prediction.value, range.lowerBound), range.upperBound))
            let actual = Double(test.ratings[row])
            squared += (actual - estimate) * (actual - estimate)
            absolute += abs(actual - estimate)
            sum += actual
            sumSquares += actual * actual
            bases[prediction.basis, default: 0] += 1
        }
        let elapsed = started.duration(to: clock.now)
        let n = Double(max(test.count, 1))
        let total = sumSquares - sum * sum / n
        let seconds = elapsed.inSeconds
        return RatingMetrics(
            rmse: (squared / n).squareRoot(), mae: absolute / n, r2: total > 0 ? 1 - squared / total : 0,
            rowsEvaluated: test.count, bases: bases, predictMicrosecondsPerRow: seconds * 1e6 / n)
    }

    /// The smallest and largest rating of `table`.
    public static func range(of table: RatingTable) throws(MatchworkError) -> ClosedRange<Float> {
        guard let low = table.ratings.min(), let high = table.ratings.max() else {
            throw MatchworkError(.invalidValue, "the train file has no ratings; a rating model needs at least one row.", field: "train")
        }
        return low...high
    }
}
