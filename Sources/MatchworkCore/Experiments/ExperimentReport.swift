import RealModule

/// What an experiment's report is computed from: the lists served in it (with their arm), the
/// outcomes recorded on them and the feedback given on them.
public struct ExperimentObservations: Sendable, Hashable {
    public struct List: Sendable, Hashable {
        public var id: String
        public var subject: RecommendationSubject
        public var arm: String
        public var servedAt: Timestamp
        public var items: Int
        public init(id: String, subject: RecommendationSubject, arm: String, servedAt: Timestamp, items: Int) {
            self.id = id
            self.subject = subject
            self.arm = arm
            self.servedAt = servedAt
            self.items = items
        }
    }
    public struct Outcome: Sendable, Hashable {
        public var list: String
        public var item: String
        /// `viewed`, `applied`, `bid_placed`, `contacted`, `accepted`, `hired` or `completed`.
        public var outcome: String
        public var value: Double?
        public var at: Timestamp
        /// The item's place in the list served (1 the first), when recorded.
        public var rank: Int?
        public init(list: String, item: String, outcome: String, value: Double?, at: Timestamp, rank: Int? = nil) {
            self.list = list
            self.item = item
            self.outcome = outcome
            self.value = value
            self.at = at
            self.rank = rank
        }
    }
    public struct Feedback: Sendable, Hashable {
        public var list: String
        public var reason: FeedbackReason
        public var at: Timestamp
        public init(list: String, reason: FeedbackReason, at: Timestamp) {
            self.list = list
            self.reason = reason
            self.at = at
        }
    }

    public var lists: [List]
    public var outcomes: [Outcome]
    public var feedback: [Feedback]

    public init(lists: [List], outcomes: [Outcome], feedback: [Feedback]) {
        self.lists = lists
        self.outcomes = outcomes
        self.feedback = feedback
    }
}

/// An experiment's results: per arm, exposures and outcome rates (per subject, per list and per
/// item shown), time to fill, revenue and feedback; per treatment, its comparison with the
/// control on every metric (difference, 95% interval, z or Welch test), the always-valid
/// sequential test on the hire rate, the CUPED-adjusted hire rate, and the guardrails; for the
/// whole, the sample-ratio check and the sample size needed.
///
/// The unit is a subject in an arm (the person a list of opportunities is for, or the opportunity
/// a list of people is for): assignment is by subject, so its lists are not independent of each
/// other. A subject a rollout moved to another arm counts in each arm with that arm's lists. A
/// subject converts on a metric when an outcome of its kind is recorded on any of its lists in
/// the arm: `view` (viewed), `apply` (applied, bid_placed), `contact` (contacted), `hire` (hired,
/// accepted, the primary metric) and `completion` (completed).
public struct ExperimentReport: Sendable, Hashable, Codable {
    public static let metrics: [(name: String, outcomes: Set<String>)] = [
        ("view", ["viewed"]), ("apply", ["applied", "bid_placed"]), ("contact", ["contacted"]), ("hire", ["hired", "accepted"]), ("completion", ["completed"]),
    ]
    public static let primary = "hire"
    static let negative: Set<FeedbackReason> = [.notRelevant, .tooExpensive, .tooFar, .wrongSpecialty]

    public struct Arm: Sendable, Hashable, Codable {
        public var name: String
        public var mode: String
        public var control: Bool
        /// The current share of subjects.
        public var share: Double
        public var subjects: Int
        public var lists: Int
        public var itemsShown: Int
        /// Per metric: the share of subjects that converted, of lists with such an outcome, and
        /// outcomes per item shown.
        public var subjectRates: [String: Double]
        public var listRates: [String: Double]
        public var itemRates: [String: Double]
        /// Mean hours from a subject's first list in the arm to its first hire, over those hired.
        public var timeToFillHours: Double?
        public var filled: Int
        /// Hire outcomes' values (bid amounts) per subject, and in total.
        public var revenuePerSubject: Double
        public var revenue: Double
        public var feedback: [String: Int]
        /// The share of subjects without negative feedback.
        public var positiveFeedbackRate: Double
        /// How the arm ranked on its own lists: over the lists with a hire at a recorded place,
        /// the mean NDCG@10 of the hired items' places and the share with a hire in the top 3
        /// (``../shared/PROTOCOL.md``'s definitions, the hires as the relevant items).
        public var hiredLists: Int = 0
        public var ndcgAt10: Double?
        public var hitRateAt3: Double?
    }

    public struct MetricComparison: Sendable, Hashable, Codable {
        public var metric: String
        public var comparison: Comparison
    }

    public struct GuardrailCheck: Sendable, Hashable, Codable {
        public var metric: String
        public var maxDrop: Double
        /// `ok`, `watch` (the estimate is below the limit), `breached` (the whole interval is) or
        /// `no data` (an arm has no subjects yet).
        public var state: String
        public var comparison: Comparison
    }

    public struct Treatment: Sendable, Hashable, Codable {
        public var arm: String
        public var metrics: [MetricComparison]
        /// The hire rate with CUPED (pre-period hires as the covariate) and its θ.
        public var cuped: Comparison
        public var cupedTheta: Double
        public var timeToFill: Comparison?
        public var revenue: Comparison?
        public var sequential: SequentialTest.Verdict
        public var guardrails: [GuardrailCheck]
    }

    /// The cumulative hire rates per arm at the end of each day since the start.
    public struct Day: Sendable, Hashable, Codable {
        public var day: Int
        public var end: Timestamp
        public var subjects: [String: Int]
        public var hireRates: [String: Double]
        /// Each treatment's relative lift over the control so far.
        public var lift: [String: Double]
    }

    public struct SampleRatio: Sendable, Hashable, Codable {
        public var counts: [String: Int]
        public var expected: [String: Double]
        public var statistic: Double
        public var pValue: Double
        /// Whether the counts are off the shares beyond chance (p < 0.001).
        public var mismatch: Bool
    }

    public struct SampleSize: Sendable, Hashable, Codable {
        /// The control's hire rate and the relative lift to detect.
        public var baseline: Double
        public var lift: Double
        /// Subjects per arm for a two-sided 5% test with 80% power, and the smallest arm so far.
        public var perArm: Double?
        public var smallestArm: Int
    }

    public var experiment: String
    public var target: RankingTarget
    public var status: Experiment.Status
    public var control: String
    public var generatedAt: Timestamp
    public var arms: [Arm]
    public var treatments: [Treatment]
    public var days: [Day]
    public var sampleRatio: SampleRatio
    public var sampleSize: SampleSize

    /// The report of `experiment` from `observations` as of `now`; `preperiod` gives a subject's
    /// hires before the experiment started (CUPED's covariate; missing subjects count 0).
    public init(experiment: Experiment, observations: ExperimentObservations, preperiod: [RecommendationSubject: Double] = [:], now: Timestamp) {
        self.experiment = experiment.name
        target = experiment.target
        status = experiment.status
        control = experiment.control
        generatedAt = now

        struct Unit {
            var first: Timestamp
            var lists = 0
            var items = 0
            var converted: [String: Timestamp] = [:]
            var listHits: [String: Int] = [:]
            var outcomes: [String: Int] = [:]
            var revenue = 0.0
            var negative = false
            var feedback: [String: Int] = [:]
        }
        let armNames = experiment.arms.map(\.name)
        var units: [String: [RecommendationSubject: Unit]] = [:]
        var listUnit: [String: (arm: String, subject: RecommendationSubject)] = [:]
        for l in observations.lists.sorted(by: { ($0.servedAt, $0.id) < ($1.servedAt, $1.id) }) where armNames.contains(l.arm) {
            var u = units[l.arm]?[l.subject] ?? Unit(first: l.servedAt)
            u.lists += 1
            u.items += l.items
            units[l.arm, default: [:]][l.subject] = u
            listUnit[l.id] = (l.arm, l.subject)
        }
        var listMetrics: [String: Set<String>] = [:]
        // Per list, the places of its hired items.
        var hiredPlaces: [String: [String: Int]] = [:]
        let hireKinds = Self.metrics.first(where: { $0.name == Self.primary })!.outcomes
        for o in observations.outcomes.sorted(by: { $0.at < $1.at }) {
            guard let (arm, subject) = listUnit[o.list], var u = units[arm]?[subject] else { continue }
            if hireKinds.contains(o.outcome), let rank = o.rank, rank >= 1 { hiredPlaces[o.list, default: [:]][o.item] = rank }
            for (metric, kinds) in Self.metrics where kinds.contains(o.outcome) {
                if u.converted[metric] == nil { u.converted[metric] = o.at }
                u.outcomes[metric, default: 0] += 1
                if listMetrics[o.list, default: []].insert(metric).inserted { u.listHits[metric, default: 0] += 1 }
            }
            if Self.metrics.first(where: { $0.name == Self.primary })!.outcomes.contains(o.outcome), let v = o.value, v.isFinite { u.revenue += v }
            units[arm]![subject] = u
        }
        for f in observations.feedback {
            guard let (arm, subject) = listUnit[f.list], var u = units[arm]?[subject] else { continue }
            u.feedback[f.reason.rawValue, default: 0] += 1
            if Self.negative.contains(f.reason) { u.negative = true }
            units[arm]![subject] = u
        }

        let shares = experiment.shares
        arms = experiment.arms.map { arm in
            let us = Array((units[arm.name] ?? [:]).values)
            let n = us.count, lists = us.reduce(0) { $0 + $1.lists }, items = us.reduce(0) { $0 + $1.items }
            var subjectRates: [String: Double] = [:], listRates: [String: Double] = [:], itemRates: [String: Double] = [:]
            for (metric, _) in Self.metrics {
                subjectRates[metric] = n > 0 ? Double(us.count { $0.converted[metric] != nil }) / Double(n) : 0
                listRates[metric] = lists > 0 ? Double(us.reduce(0) { $0 + ($1.listHits[metric] ?? 0) }) / Double(lists) : 0
                itemRates[metric] = items > 0 ? Double(us.reduce(0) { $0 + ($1.outcomes[metric] ?? 0) }) / Double(items) : 0
            }
            let fills = us.compactMap { u in u.converted[Self.primary].map { Double($0.secondsSinceEpoch - u.first.secondsSinceEpoch) / 3600 } }
            var feedback: [String: Int] = [:]
            for u in us { for (k, v) in u.feedback { feedback[k, default: 0] += v } }
            let revenue = us.reduce(0) { $0 + $1.revenue }
            var ndcg = 0.0, hits = 0, ranked = 0
            for (list, places) in hiredPlaces where listUnit[list]?.arm == arm.name {
                let ranks = places.values.sorted()
                ranked += 1
                let dcg = ranks.filter { $0 <= 10 }.reduce(0.0) { $0 + 1 / Double.log2(Double($1 + 1)) }
                let ideal = (1...min(10, ranks.count)).reduce(0.0) { $0 + 1 / Double.log2(Double($1 + 1)) }
                ndcg += dcg / ideal
                if ranks.first! <= 3 { hits += 1 }
            }
            var report = Arm(
                name: arm.name, mode: arm.mode.rawValue, control: arm.name == experiment.control, share: shares[arm.name] ?? 0, subjects: n, lists: lists,
                itemsShown: items, subjectRates: subjectRates, listRates: listRates, itemRates: itemRates,
                timeToFillHours: fills.isEmpty ? nil : fills.reduce(0, +) / Double(fills.count), filled: fills.count,
                revenuePerSubject: n > 0 ? revenue / Double(n) : 0, revenue: revenue, feedback: feedback,
                positiveFeedbackRate: n > 0 ? Double(us.count { !$0.negative }) / Double(n) : 1)
            report.hiredLists = ranked
            report.ndcgAt10 = ranked > 0 ? ndcg / Double(ranked) : nil
            report.hitRateAt3 = ranked > 0 ? Double(hits) / Double(ranked) : nil
            return report
        }

        // Daily cumulative looks from the start to now (or the stop).
        let endTime = min(now, experiment.stoppedAt ?? now, experiment.end ?? now)
        let dayCount = max(1, Int((endTime.secondsSinceEpoch - experiment.start.secondsSinceEpoch + 86_399) / 86_400))
        func counts(_ arm: String, by t: Timestamp) -> (successes: Int, trials: Int) {
            let us = (units[arm] ?? [:]).values.filter { $0.first <= t }
            return (us.count { ($0.converted[Self.primary]).map { $0 <= t } ?? false }, us.count)
        }
        var days: [Day] = []
        for d in 0..<dayCount {
            let end = min(endTime, experiment.start.adding(seconds: Int64(d + 1) * 86_400))
            var subjects: [String: Int] = [:], rates: [String: Double] = [:], lift: [String: Double] = [:]
            for arm in armNames {
                let c = counts(arm, by: end)
                subjects[arm] = c.trials
                rates[arm] = c.trials > 0 ? Double(c.successes) / Double(c.trials) : 0
            }
            for arm in armNames where arm != experiment.control {
                if let base = rates[experiment.control], base > 0, (subjects[arm] ?? 0) > 0 { lift[arm] = (rates[arm]! - base) / base }
            }
            days.append(Day(day: d + 1, end: end, subjects: subjects, hireRates: rates, lift: lift))
        }
        self.days = days

        let controlUnits = Array((units[experiment.control] ?? [:]).values)
        let controlSubjects = Array((units[experiment.control] ?? [:]).keys)
        func rate(_ us: [Unit], _ metric: String) -> (Int, Int) { (us.count { $0.converted[metric] != nil }, us.count) }
        treatments = experiment.arms.filter { $0.name != experiment.control }.map { arm in
            let tu = Array((units[arm.name] ?? [:]).values)
            let metrics = Self.metrics.map { m in
                MetricComparison(metric: m.name, comparison: ExperimentStatistics.proportions(control: rate(controlUnits, m.name), treatment: rate(tu, m.name)))
            }
            let tSubjects = Array((units[arm.name] ?? [:]).keys)
            let pairs = { (subjects: [RecommendationSubject], us: [Unit]) in
                zip(subjects, us).map { (y: $1.converted[Self.primary] != nil ? 1.0 : 0.0, x: preperiod[$0] ?? 0) }
            }
            let (theta, cuped) = ExperimentStatistics.cuped(
                control: pairs(controlSubjects, Array((units[experiment.control] ?? [:]).values)), treatment: pairs(tSubjects, Array((units[arm.name] ?? [:]).values)))
            let fill = { (us: [Unit]) in RunningMoments(us.compactMap { u in u.converted[Self.primary].map { Double($0.secondsSinceEpoch - u.first.secondsSinceEpoch) / 3600 } }) }
            let (cf, tf) = (fill(controlUnits), fill(tu))
            let revenue = { (us: [Unit]) in RunningMoments(us.map(\.revenue)) }
            let (cr, tr) = (revenue(controlUnits), revenue(tu))
            let looks = days.map { d in (control: counts(experiment.control, by: d.end), treatment: counts(arm.name, by: d.end)) }
            let guardrails = experiment.guardrails.map { g -> GuardrailCheck in
                let comparison: Comparison
                switch g.metric {
                case "fill_rate": comparison = metrics.first { $0.metric == Self.primary }!.comparison
                case "completion_rate": comparison = metrics.first { $0.metric == "completion" }!.comparison
                default:
                    comparison = ExperimentStatistics.proportions(
                        control: (controlUnits.count { !$0.negative }, controlUnits.count), treatment: (tu.count { !$0.negative }, tu.count))
                }
                let limit = -g.maxDrop * comparison.control
                let state =
                    !(comparison.control.isFinite && comparison.treatment.isFinite) ? "no data"
                    : comparison.control > 0 && comparison.upper < limit ? "breached" : comparison.control > 0 && comparison.difference < limit ? "watch" : "ok"
                return GuardrailCheck(metric: g.metric, maxDrop: g.maxDrop, state: state, comparison: comparison)
            }
            return Treatment(
                arm: arm.name, metrics: metrics, cuped: cuped, cupedTheta: theta,
                timeToFill: cf.count >= 2 && tf.count >= 2 ? ExperimentStatistics.welch(control: cf, treatment: tf).comparison : nil,
                revenue: cr.count >= 2 && tr.count >= 2 && (cr.mean > 0 || tr.mean > 0) ? ExperimentStatistics.welch(control: cr, treatment: tr).comparison : nil,
                sequential: experiment.sequential.verdict(looks), guardrails: guardrails)
        }

        // Expected subjects per arm: each unit under the shares of the rollout step it entered in.
        var expected: [String: Double] = [:]
        var observed: [String: Int] = [:]
        for arm in armNames { (expected[arm], observed[arm]) = (0, 0) }
        for (arm, us) in units {
            for u in us.values {
                observed[arm, default: 0] += 1
                let step = experiment.rollout.last { $0.at <= u.first } ?? experiment.rollout.first
                let total = step.map { $0.shares.values.reduce(0, +) } ?? 0
                guard let step, total > 0 else { continue }
                for a in armNames { expected[a, default: 0] += (step.shares[a] ?? 0) / total }
            }
        }
        let live = armNames.filter { (expected[$0] ?? 0) > 0 }
        let srm = ExperimentStatistics.sampleRatio(counts: live.map { observed[$0] ?? 0 }, shares: live.map { expected[$0] ?? 0 })
        sampleRatio = SampleRatio(counts: observed, expected: expected, statistic: srm.statistic, pValue: srm.pValue, mismatch: srm.pValue < 0.001)
        let baseline = arms.first { $0.control }?.subjectRates[Self.primary] ?? 0
        sampleSize = SampleSize(
            baseline: baseline, lift: 0.1,
            perArm: baseline > 0 && baseline < 1 / 1.1 ? ExperimentStatistics.sampleSize(baseline: baseline, treatment: baseline * 1.1) : nil,
            smallestArm: arms.map(\.subjects).min() ?? 0)
    }
}

extension ExperimentReport {
    /// CUPED's pre-period covariate for `subjects` from `snapshot`: for a person, their hires in
    /// the `days` before `start`; for an opportunity, the events on it before `start` (the
    /// interest it drew before the experiment could change anything).
    public static func preperiod(_ snapshot: MarketplaceSnapshot, subjects: some Sequence<RecommendationSubject>, start: Timestamp, days: Int = 90) -> [RecommendationSubject: Double] {
        let from = start.secondsSinceEpoch - Int64(days) * 86_400, to = start.secondsSinceEpoch
        var out: [RecommendationSubject: Double] = [:]
        for subject in subjects where out[subject] == nil {
            switch subject {
            case .person(let id):
                guard let p = snapshot.personIndex.index(of: id) else { continue }
                out[subject] = Double(snapshot.events(ofPerson: p).count { $0.type == .hire && $0.time >= from && $0.time < to })
            case .opportunity(let id):
                guard let o = snapshot.opportunityIndex.index(of: id) else { continue }
                out[subject] = Double(snapshot.events(onOpportunity: o).count { $0.time < to })
            }
        }
        return out
    }
}
