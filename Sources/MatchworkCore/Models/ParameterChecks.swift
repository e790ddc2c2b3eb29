/// Range checks shared by the models' configurations, with messages that name the parameter.

func check(_ value: Int, _ name: String, _ range: ClosedRange<Int>) throws(MatchworkError) {
    guard range.contains(value) else {
        throw MatchworkError(.invalidConfiguration, "\(name) \(value) must be between \(range.lowerBound) and \(range.upperBound).", field: name)
    }
}

func checkNonNegative(_ value: Float, _ name: String) throws(MatchworkError) {
    guard value.isFinite, value >= 0 else {
        throw MatchworkError(.invalidConfiguration, "\(name) \(value) must be a non-negative number.", field: name)
    }
}

func checkPositive(_ value: Float, _ name: String) throws(MatchworkError) {
    guard value.isFinite, value > 0 else {
        throw MatchworkError(.invalidConfiguration, "\(name) \(value) must be a positive number.", field: name)
    }
}
