import Foundation
import MatchworkCore
import Testing

/// Experiments (issue 26): the statistics against scipy and statsmodels, sticky assignment under
/// rollouts, and the false-positive rate of A/A tests with and without continuous monitoring.
@Suite("Experiments")
struct ExperimentTests {
    struct Golden: Decodable {
        struct NormalCases: Decodable {
            var quantiles: [[Double]]
            var cdf: [[Double]]
        }
        struct Sided: Decodable {
            var sf: [[Double]]
            var ppf: [[Double]]?
        }
        struct Proportions: Decodable {
            var control: [Int]
            var treatment: [Int]
            var z: Double
            var p: Double
            var ci: [Double]
        }
        struct Welch: Decodable {
            var control: [Double]
            var treatment: [Double]
            var t: Double
            var p: Double
            var df: Double
            var ci: [Double]
        }
        struct Arm: Decodable {
            var y: [Double]
            var x: [Double]
        }
        struct Cuped: Decodable {
            var control: Arm
            var treatment: Arm
            var theta: Double
            var adjusted_means: [Double]
            var t: Double
            var p: Double
            var ci: [Double]
            var raw_ci: [Double]
        }
        struct SRM: Decodable {
            var counts: [Int]
            var shares: [Double]
            var statistic: Double
            var p: Double
        }
        struct Size: Decodable {
            var baseline: Double
            var treatment: Double
            var alpha: Double
            var power: Double
            var per_arm: Double
        }
        struct MSPRT: Decodable {
            var control: [Int]
            var treatment: [Int]
            var tau2: Double
            var alpha: Double
            var lambda: Double
            var p: Double
            var ci: [Double]
        }
        var normal: NormalCases
        var student: Sided
        var chisquare: Sided
        var proportions: [Proportions]
        var welch: [Welch]
        var cuped: [Cuped]
        var srm: [SRM]
        var sample_size: [Size]
        var msprt: [MSPRT]
    }

    static let golden: Golden = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/experiment-stats.json")
        return try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }()

    /// `|a − b|` within `relative` of `|b|`, or `absolute`.
    static func close(_ a: Double, _ b: Double, relative: Double = 1e-9, absolute: Double = 1e-12) -> Bool {
        abs(a - b) <= max(absolute, relative * abs(b))
    }

    @Test("normal, Student t and chi-square distributions agree with scipy")
    func distributions() {
        let g = Self.golden
        for c in g.normal.quantiles { #expect(Self.close(Normal.quantile(c[0]), c[1], relative: 1e-12, absolute: 1e-13), "Φ⁻¹(\(c[0])) = \(Normal.quantile(c[0])), scipy \(c[1])") }
        for c in g.normal.cdf { #expect(Self.close(Normal.cdf(c[0]), c[1], relative: 1e-12, absolute: 1e-300), "Φ(\(c[0])) = \(Normal.cdf(c[0])), scipy \(c[1])") }
        for c in g.student.sf { #expect(Self.close(StudentT.survival(c[0], df: c[1]), c[2], relative: 1e-10), "t sf(\(c[0]); \(c[1])) = \(StudentT.survival(c[0], df: c[1])), scipy \(c[2])") }
        for c in g.student.ppf ?? [] { #expect(Self.close(StudentT.quantile(c[0], df: c[1]), c[2], relative: 1e-10), "t ppf(\(c[0]); \(c[1])) = \(StudentT.quantile(c[0], df: c[1])), scipy \(c[2])") }
        for c in g.chisquare.sf { #expect(Self.close(ChiSquare.survival(c[0], df: c[1]), c[2], relative: 1e-10), "χ² sf(\(c[0]); \(c[1])) = \(ChiSquare.survival(c[0], df: c[1])), scipy \(c[2])") }
    }

    @Test("two proportions: statsmodels' pooled z-test and Wald interval of the difference")
    func proportions() {
        for c in Self.golden.proportions {
            let r = ExperimentStatistics.proportions(control: (c.control[0], c.control[1]), treatment: (c.treatment[0], c.treatment[1]))
            #expect(Self.close(r.statistic, c.z, relative: 1e-10), "\(c.control) vs \(c.treatment): z \(r.statistic), statsmodels \(c.z)")
            #expect(Self.close(r.pValue, c.p, relative: 1e-9), "\(c.control) vs \(c.treatment): p \(r.pValue), statsmodels \(c.p)")
            #expect(Self.close(r.lower, c.ci[0], relative: 1e-9, absolute: 1e-12) && Self.close(r.upper, c.ci[1], relative: 1e-9, absolute: 1e-12), "interval [\(r.lower), \(r.upper)], statsmodels \(c.ci)")
        }
    }

    @Test("Welch's t-test and CUPED agree with scipy; CUPED narrows the interval when the pre-period predicts the metric")
    func welchAndCuped() {
        for c in Self.golden.welch {
            let (r, df) = ExperimentStatistics.welch(control: RunningMoments(c.control), treatment: RunningMoments(c.treatment))
            #expect(Self.close(r.statistic, c.t, relative: 1e-10))
            #expect(Self.close(df, c.df, relative: 1e-10))
            #expect(Self.close(r.pValue, c.p, relative: 1e-8), "p \(r.pValue), scipy \(c.p)")
            #expect(Self.close(r.lower, c.ci[0], relative: 1e-9) && Self.close(r.upper, c.ci[1], relative: 1e-9), "[\(r.lower), \(r.upper)], scipy \(c.ci)")
        }
        for c in Self.golden.cuped {
            let control = zip(c.control.y, c.control.x).map { (y: $0, x: $1) }, treatment = zip(c.treatment.y, c.treatment.x).map { (y: $0, x: $1) }
            let (theta, r) = ExperimentStatistics.cuped(control: control, treatment: treatment)
            #expect(Self.close(theta, c.theta, relative: 1e-10))
            #expect(Self.close(r.control, c.adjusted_means[0], relative: 1e-10) && Self.close(r.treatment, c.adjusted_means[1], relative: 1e-10))
            #expect(Self.close(r.statistic, c.t, relative: 1e-9))
            #expect(Self.close(r.pValue, c.p, relative: 1e-8), "p \(r.pValue), scipy \(c.p)")
            #expect(Self.close(r.lower, c.ci[0], relative: 1e-9) && Self.close(r.upper, c.ci[1], relative: 1e-9))
            #expect(r.upper - r.lower < 0.8 * (c.raw_ci[1] - c.raw_ci[0]), "CUPED interval \(r.upper - r.lower) against \(c.raw_ci[1] - c.raw_ci[0]) unadjusted")
        }
    }

    @Test("sample-ratio mismatch (scipy's chisquare) and sample size per arm (statsmodels' NormalIndPower)")
    func sampleRatioAndSize() {
        for c in Self.golden.srm {
            let r = ExperimentStatistics.sampleRatio(counts: c.counts, shares: c.shares)
            #expect(Self.close(r.statistic, c.statistic, relative: 1e-12))
            #expect(Self.close(r.pValue, c.p, relative: 1e-9), "\(c.counts): p \(r.pValue), scipy \(c.p)")
        }
        for c in Self.golden.sample_size {
            let n = ExperimentStatistics.sampleSize(baseline: c.baseline, treatment: c.treatment, alpha: c.alpha, power: c.power)
            #expect(n.map { Self.close($0, c.per_arm, relative: 1e-7) } == true, "\(c.baseline) → \(c.treatment): \(n ?? .nan), statsmodels \(c.per_arm)")
        }
        #expect(ExperimentStatistics.sampleSize(baseline: 0.1, treatment: 0.1) == nil)
    }

    @Test("mSPRT: the mixture likelihood ratio, always-valid p-value and interval of the paper's formulas")
    func msprt() {
        for c in Self.golden.msprt {
            let test = SequentialTest(tau: c.tau2.squareRoot(), alpha: c.alpha)
            let look = test.look(control: (c.control[0], c.control[1]), treatment: (c.treatment[0], c.treatment[1]))
            #expect(Self.close(look.lambda, c.lambda, relative: 1e-10), "Λ \(look.lambda), reference \(c.lambda)")
            #expect(Self.close(look.pValue, c.p, relative: 1e-10))
            #expect(Self.close(look.lower, c.ci[0], relative: 1e-10) && Self.close(look.upper, c.ci[1], relative: 1e-10))
        }
    }

    /// Daily looks at an A/A or A/B test with `perDay` subjects per arm per day for `days` days,
    /// conversion `p` (control) and `q` (treatment): whether the daily fixed-horizon z-test ever
    /// rejected, whether it rejected at the last look only, and whether the sequential test rejected.
    static func monitor(seed: UInt64, p: Double, q: Double, perDay: Int, days: Int, test: SequentialTest) -> (peeking: Bool, final: Bool, sequential: Bool) {
        var rng = SeededGenerator(seed: seed)
        var c = (0, 0), t = (0, 0)
        var looks: [(control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int))] = []
        var peeking = false, final = false
        for day in 0..<days {
            for _ in 0..<perDay {
                c.1 += 1
                if Double.random(in: 0..<1, using: &rng) < p { c.0 += 1 }
                t.1 += 1
                if Double.random(in: 0..<1, using: &rng) < q { t.0 += 1 }
            }
            looks.append((control: (c.0, c.1), treatment: (t.0, t.1)))
            let z = ExperimentStatistics.proportions(control: (c.0, c.1), treatment: (t.0, t.1))
            if z.pValue < 0.05 {
                peeking = true
                if day == days - 1 { final = true }
            }
        }
        return (peeking, final, test.verdict(looks).pValue < test.alpha)
    }

    @Test("A/A tests: the fixed-horizon test is significant in about 5% of seeds, daily peeking at it in far more, the sequential test in at most 5%")
    func falsePositives() {
        let seeds = 1_000
        var peeking = 0, final = 0, sequential = 0
        let test = SequentialTest(tau: 0.05, alpha: 0.05)
        for seed in 0..<seeds {
            let r = Self.monitor(seed: UInt64(seed) + 1, p: 0.2, q: 0.2, perDay: 50, days: 30, test: test)
            peeking += r.peeking ? 1 : 0
            final += r.final ? 1 : 0
            sequential += r.sequential ? 1 : 0
        }
        let (f, pk, s) = (Double(final) / Double(seeds), Double(peeking) / Double(seeds), Double(sequential) / Double(seeds))
        // Binomial(1000, 0.05) lies in 0.032...0.068 with probability 0.99.
        #expect((0.032...0.068).contains(f), "fixed-horizon A/A rate \(f)")
        #expect(pk > 0.15, "daily peeking A/A rate \(pk)")
        #expect(s <= 0.05, "sequential A/A rate \(s)")
    }

    @Test("the sequential test finds a real lift: 20% → 25% with 50 subjects per arm a day, in most seeds within 30 days")
    func power() {
        var found = 0, right = 0
        let test = SequentialTest(tau: 0.05, alpha: 0.05)
        for seed in 0..<200 {
            var rng = SeededGenerator(seed: UInt64(seed) + 10_000)
            var c = (0, 0), t = (0, 0)
            var looks: [(control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int))] = []
            for _ in 0..<30 {
                for _ in 0..<50 {
                    c.1 += 1
                    if Double.random(in: 0..<1, using: &rng) < 0.2 { c.0 += 1 }
                    t.1 += 1
                    if Double.random(in: 0..<1, using: &rng) < 0.25 { t.0 += 1 }
                }
                looks.append((control: (c.0, c.1), treatment: (t.0, t.1)))
            }
            let v = test.verdict(looks)
            if v.pValue < 0.05 { found += 1 }
            if v.decision == "treatment better" { right += 1 }
        }
        #expect(found >= 110, "found the lift in \(found) of 200 seeds")
        #expect(right == found, "every verdict that crossed names the treatment")
    }

    static func subjects(_ n: Int) -> [RecommendationSubject] { (0..<n).map { .person(PersonID("cleaner-\($0)")) } }

    @Test("each arm's NDCG@10 and hit rate@3 of hires by the places its lists showed them; lists without a recorded place are left out")
    func armRankingFigures() throws {
        let arms = [ExperimentArm(name: "control", mode: .ruleBased), ExperimentArm(name: "treatment", mode: .ensemble)]
        let t0 = Timestamp(secondsSinceEpoch: 1_000_000)
        let e = try Experiment(name: "ranks", target: .opportunities, arms: arms, shares: ["control": 0.5, "treatment": 0.5], start: t0, createdAt: t0)
        let lists = [
            ExperimentObservations.List(id: "a", subject: .person("p1"), arm: "control", servedAt: t0, items: 10),
            ExperimentObservations.List(id: "b", subject: .person("p2"), arm: "control", servedAt: t0, items: 10),
            ExperimentObservations.List(id: "c", subject: .person("p3"), arm: "treatment", servedAt: t0, items: 10),
            ExperimentObservations.List(id: "d", subject: .person("p4"), arm: "treatment", servedAt: t0, items: 10),
        ]
        let later = t0.adding(seconds: 3600)
        let outcomes = [
            ExperimentObservations.Outcome(list: "a", item: "o1", outcome: "hired", value: nil, at: later, rank: 2),
            ExperimentObservations.Outcome(list: "a", item: "o1", outcome: "viewed", value: nil, at: later, rank: 2),
            ExperimentObservations.Outcome(list: "b", item: "o7", outcome: "hired", value: nil, at: later, rank: 5),
            ExperimentObservations.Outcome(list: "c", item: "o3", outcome: "hired", value: nil, at: later, rank: 1),
            ExperimentObservations.Outcome(list: "c", item: "o4", outcome: "hired", value: nil, at: later, rank: 12),
            // Viewed only, and a hire without its place: neither counts.
            ExperimentObservations.Outcome(list: "d", item: "o5", outcome: "viewed", value: nil, at: later, rank: 1),
            ExperimentObservations.Outcome(list: "d", item: "o6", outcome: "hired", value: nil, at: later),
        ]
        let report = ExperimentReport(experiment: e, observations: ExperimentObservations(lists: lists, outcomes: outcomes, feedback: []), now: later)
        let control = try #require(report.arms.first { $0.name == "control" }), treatment = try #require(report.arms.first { $0.name == "treatment" })
        #expect(control.hiredLists == 2 && treatment.hiredLists == 1)
        // Ranks 2 and 5: (1/log2 3 + 1/log2 6) / 2; one of the two in the top 3.
        #expect(abs(control.ndcgAt10! - (1 / log2(3.0) + 1 / log2(6.0)) / 2) < 1e-12)
        #expect(control.hitRateAt3 == 0.5)
        // Two hires at 1 and 12: only the first within 10, against an ideal of both at 1 and 2.
        #expect(abs(treatment.ndcgAt10! - 1 / (1 + 1 / log2(3.0))) < 1e-12)
        #expect(treatment.hitRateAt3 == 1)
    }

    @Test("assignment is deterministic, uniform, and independent between experiments")
    func assignment() throws {
        let arms = [ExperimentArm(name: "control", mode: .ruleBased), ExperimentArm(name: "treatment", mode: .ensemble)]
        let e = try Experiment(name: "rank-test", target: .opportunities, arms: arms, shares: ["control": 0.5, "treatment": 0.5], start: Timestamp(secondsSinceEpoch: 0), createdAt: Timestamp(secondsSinceEpoch: 0))
        let subjects = Self.subjects(20_000)
        let first = subjects.map { e.arm(for: $0)?.name }
        #expect(first == subjects.map { e.arm(for: $0)?.name })
        let treated = Double(first.count { $0 == "treatment" }) / Double(subjects.count)
        #expect(abs(treated - 0.5) < 0.015, "treatment share \(treated)")
        // A known value pins the hash across releases.
        #expect(ExperimentAssignment.unit(experiment: "rank-test", subject: .person(PersonID("cleaner-1"))) == 0.6405319026634357)
        let other = try Experiment(name: "other", target: .opportunities, arms: arms, shares: ["control": 0.5, "treatment": 0.5], start: Timestamp(secondsSinceEpoch: 0), createdAt: Timestamp(secondsSinceEpoch: 0))
        let agree = zip(subjects, first).count { other.arm(for: $0)?.name == $1 }
        #expect(abs(Double(agree) / Double(subjects.count) - 0.5) < 0.015, "two experiments agree on \(agree) subjects")
        // An opportunity and a person with the same id are different subjects.
        let same = (0..<2_000).count { ExperimentAssignment.unit(experiment: "x", subject: .person(PersonID("s\($0)"))) == ExperimentAssignment.unit(experiment: "x", subject: .opportunity(OpportunityID("s\($0)"))) }
        #expect(same == 0)
    }

    @Test("a rollout 10% → 25% → 50% → 100% moves only the subjects that must move, and never back")
    func rollout() throws {
        let arms = [ExperimentArm(name: "rule", mode: .ruleBased), ExperimentArm(name: "ranked", mode: .ranked)]
        var e = try Experiment(name: "rollout", target: .applicants, arms: arms, shares: ["rule": 0.9, "ranked": 0.1], start: Timestamp(secondsSinceEpoch: 0), createdAt: Timestamp(secondsSinceEpoch: 0))
        let subjects = Self.subjects(20_000)
        var before = subjects.map { e.arm(for: $0)?.name }
        var share = 0.1
        for next in [0.25, 0.5, 1.0] {
            e = try e.rolledOut(["rule": 1 - next, "ranked": next], at: Timestamp(secondsSinceEpoch: Int64(next * 100)))
            let after = subjects.map { e.arm(for: $0)?.name }
            let moved = zip(before, after).filter { $0 != $1 }
            #expect(moved.allSatisfy { $0.0 == "rule" && $0.1 == "ranked" }, "only rule → ranked moves")
            let fraction = Double(moved.count) / Double(subjects.count)
            #expect(abs(fraction - (next - share)) < 0.015, "moved \(fraction), must move \(next - share)")
            #expect(abs((e.allocation.shares["ranked"] ?? 0) - next) < 1e-9)
            before = after
            share = next
        }
        #expect(e.rollout.count == 4)
    }

    @Test("three arms: changing shares moves the least possible; a share under 100% leaves subjects outside")
    func threeArms() throws {
        let arms = [ExperimentArm(name: "a", mode: .ruleBased), ExperimentArm(name: "b", mode: .ensemble), ExperimentArm(name: "c", mode: .ranked)]
        var e = try Experiment(name: "three", target: .people, arms: arms, shares: ["a": 0.2, "b": 0.3, "c": 0.1], start: Timestamp(secondsSinceEpoch: 0), createdAt: Timestamp(secondsSinceEpoch: 0))
        let subjects = Self.subjects(30_000)
        let before = subjects.map { e.arm(for: $0)?.name }
        #expect(abs(Double(before.count { $0 == nil }) / Double(subjects.count) - 0.4) < 0.015)
        e = try e.rolledOut(["a": 0.1, "b": 0.2, "c": 0.6], at: Timestamp(secondsSinceEpoch: 10))
        let after = subjects.map { e.arm(for: $0)?.name }
        let moved = Double(zip(before, after).count { $0 != $1 }) / Double(subjects.count)
        // Must move: a gives 0.1, b gives 0.1, c takes 0.5 (0.2 of it from them, 0.3 from outside).
        #expect(abs(moved - 0.5) < 0.015, "moved \(moved)")
        #expect(zip(before, after).allSatisfy { $0 == $1 || $1 == "c" }, "every subject that moved went to c")
        let shares = e.allocation.shares
        #expect(abs(shares["a"]! - 0.1) < 1e-9 && abs(shares["b"]! - 0.2) < 1e-9 && abs(shares["c"]! - 0.6) < 1e-9)
    }

    @Test("bad experiments are refused with the field named", arguments: [
        (#"{"name":"bad name"}"#, "name", "experiment name 'bad name' must be 1 to 64 lower-case letters, digits, '-' or '_'."),
        (#"{"arms":1}"#, "arms", "experiment 'x' has 1 arm(s); give 2 to 8, one of them the control."),
        (#"{"control":"z"}"#, "control", "control 'z' is not one of the arms (a, b)."),
        (#"{"share_b":0.7}"#, "shares", "shares sum to 1.2; they must sum to 1 or less (the rest of the subjects stay outside the experiment)."),
        (#"{"share_b":-0.1}"#, "shares.b", "share -0.1 for arm 'b' must be between 0 and 1 (0.25 is a quarter of the subjects)."),
        (#"{"weights":"rule_based=2"}"#, "arms[0].weights", "arm 'a' gives ensemble weights or a learned share with mode rule_based; they apply to mode ensemble only."),
        (#"{"tau":0}"#, "tau", "sequential tau 0.0 must be an absolute difference of rates in (0, 1], such as 0.05."),
    ])
    func refusals(change: String, field: String, message: String) {
        let c = (try? JSONSerialization.jsonObject(with: Data(change.utf8))) as? [String: Any] ?? [:]
        var arms = [ExperimentArm(name: "a", mode: .ruleBased), ExperimentArm(name: "b", mode: .ensemble)]
        if c["arms"] != nil { arms = [arms[0]] }
        if let w = c["weights"] as? String { arms[0].weights = w }
        do {
            _ = try Experiment(
                name: c["name"] as? String ?? "x", target: .opportunities, arms: arms, control: c["control"] as? String,
                shares: ["a": 0.5, "b": c["share_b"] as? Double ?? 0.5], start: Timestamp(secondsSinceEpoch: 0),
                sequential: SequentialTest(tau: c["tau"] as? Double ?? 0.05), createdAt: Timestamp(secondsSinceEpoch: 0))
            Issue.record("accepted \(change)")
        } catch {
            #expect(error.field == field)
            #expect(error.message == message)
        }
    }
}
