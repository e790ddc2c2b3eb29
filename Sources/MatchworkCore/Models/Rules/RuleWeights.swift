/// Weights of the rule-based scorer: person quality, job fit, and how the two combine.
///
/// Person quality follows the cleaning marketplace's design: quality 30% (reviews,
/// communication, professionalism, timeliness), reliability 25% (completion rate, on-time rate,
/// cancellations, photo proof), experience 20% (log of jobs, total earnings), bidding 15% (win
/// rate, average bid against the market), activity 10% (jobs in the last 30 and 90 days). Job
/// fit weighs location, pricing, specialization and availability. Each group is non-negative
/// and sums to 1.
public struct RuleWeights: Sendable, Hashable, Codable {
    public var quality = 0.30
    public var reliability = 0.25
    public var experience = 0.20
    public var bidding = 0.15
    public var activity = 0.10

    public var location = 0.35
    public var pricing = 0.25
    public var specialization = 0.25
    public var availability = 0.15

    /// Share of job fit when people are ranked for an opportunity (the rest is person quality).
    /// Opportunities ranked for a person use job fit alone: the person's own quality is the
    /// same for every candidate.
    public var fitShare = 0.5

    public init() {}

    /// The person-quality group, in order: quality, reliability, experience, bidding, activity.
    public var personGroup: [(String, Double)] {
        [("quality", quality), ("reliability", reliability), ("experience", experience), ("bidding", bidding), ("activity", activity)]
    }

    /// The job-fit group, in order: location, pricing, specialization, availability.
    public var fitGroup: [(String, Double)] {
        [("location", location), ("pricing", pricing), ("specialization", specialization), ("availability", availability)]
    }

    /// The names ``parse(_:field:)`` accepts.
    public static let keys = ["quality", "reliability", "experience", "bidding", "activity", "location", "pricing", "specialization", "availability", "fit_share"]

    /// Parses `pricing=0.5,location=0.2,…` over the defaults (keys left out keep their
    /// default), then validates the result.
    public static func parse(_ text: String, field: String = "rule_weights") throws(MatchworkError) -> RuleWeights {
        var weights = RuleWeights()
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
            guard kv.count == 2, let value = Double(kv[1]) else {
                throw MatchworkError(.invalidConfiguration, "\(field): '\(part)' is not name=weight; write for example pricing=0.4,location=0.2.", field: field)
            }
            switch kv[0] {
            case "quality": weights.quality = value
            case "reliability": weights.reliability = value
            case "experience": weights.experience = value
            case "bidding": weights.bidding = value
            case "activity": weights.activity = value
            case "location": weights.location = value
            case "pricing": weights.pricing = value
            case "specialization": weights.specialization = value
            case "availability": weights.availability = value
            case "fit_share": weights.fitShare = value
            default:
                throw MatchworkError(.invalidConfiguration, "\(field): '\(kv[0])' is not a rule weight; use \(keys.joined(separator: ", ")).", field: field)
            }
        }
        try weights.validate()
        return weights
    }

    /// Checks that every weight is a finite non-negative number, that each group sums to 1
    /// (within 1e-6), and that `fitShare` is in 0...1.
    public func validate() throws(MatchworkError) {
        for (groupName, group) in [("person quality", personGroup), ("job fit", fitGroup)] {
            for (name, w) in group where !(w.isFinite && w >= 0) {
                throw MatchworkError(.invalidConfiguration, "rule weight \(name) is \(w); weights must be non-negative numbers.", field: "rules.\(name)")
            }
            let sum = group.reduce(0) { $0 + $1.1 }
            guard abs(sum - 1) <= 1e-6 else {
                let terms = group.map { "\($0.0) \(format($0.1))" }.joined(separator: " + ")
                throw MatchworkError(.invalidConfiguration, "\(groupName) weights \(terms) sum to \(format(sum)); they must sum to 1. Adjust them by \(format(1 - sum)) in total.", field: "rules")
            }
        }
        guard fitShare.isFinite, (0...1).contains(fitShare) else {
            throw MatchworkError(.invalidConfiguration, "rule fit share \(fitShare) must be in 0...1.", field: "rules.fit_share")
        }
    }

    private func format(_ x: Double) -> String {
        let rounded = (x * 1_000_000).rounded() / 1_000_000
        return "\(rounded)"
    }
}
