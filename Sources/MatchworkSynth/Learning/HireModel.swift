public import MatchworkCore
import RealModule

/// How the learning marketplace's employers hire: the hidden ground truth that the impact model
/// learns from applications and is checked against.
///
/// An applicant's shortfall on a posting is the importance-weighted mean, over the skills the
/// posting asks for, of how many levels the applicant lacks:
/// `Σ importance × max(0, asked − held) / Σ importance` (importance 3 when a posting leaves it
/// out). The probability of being hired is
/// `σ(intercept + shortfallWeight × shortfall + abilityWeight × ability)`, with the learner's
/// latent ability (standard normal, in the ground truth's `personLatent`).
public struct HireModel: Sendable, Hashable {
    public var intercept: Double
    public var shortfallWeight: Double
    public var abilityWeight: Double

    /// The generator's employers.
    public static let standard = HireModel(intercept: 0.8, shortfallWeight: -1.4, abilityWeight: 0.5)

    /// The key of the model's parameters in the ground truth's `opportunityLatent`.
    public static let truthKey = "hire_model"

    public init(intercept: Double, shortfallWeight: Double, abilityWeight: Double) {
        self.intercept = intercept
        self.shortfallWeight = shortfallWeight
        self.abilityWeight = abilityWeight
    }

    /// Reads the parameters the generator recorded.
    public init?(truth: GroundTruth) {
        guard let p = truth.opportunityLatent[Self.truthKey], let a = p["intercept"], let b = p["shortfall"], let c = p["ability"] else { return nil }
        self.init(intercept: a, shortfallWeight: b, abilityWeight: c)
    }

    var latent: [String: Double] { ["intercept": intercept, "shortfall": shortfallWeight, "ability": abilityWeight] }

    /// The importance-weighted mean shortfall in levels of `held` against `asked`.
    public static func shortfall(asked: [SkillLevel], held: (String) -> Double) -> Double {
        var total = 0.0, weight = 0.0
        for s in asked {
            let importance = s.importance ?? 3
            total += importance * max(0, s.level - held(s.skill))
            weight += importance
        }
        return weight > 0 ? total / weight : 0
    }

    public func probability(shortfall: Double, ability: Double) -> Double {
        let z = intercept + shortfallWeight * shortfall + abilityWeight * ability
        return 1 / (1 + Double.exp(-z))
    }
}
