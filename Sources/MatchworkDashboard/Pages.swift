import Foundation
public import MatchworkCore
public import MatchworkStore

/// What every page shows around its content: the title, who is signed in, the navigation and the
/// form token.
public struct Layout: Sendable {
    public struct Link: Sendable {
        public var href: String
        public var label: String
        public var current: Bool
    }
    public var title: String
    public var role: String?
    public var keyName: String?
    public var csrf: String
    public var nav: [Link]
    public var notice: String?

    public init(title: String, page: String, role: String?, keyName: String?, csrf: String, notice: String? = nil) {
        self.title = title
        self.role = role
        self.keyName = keyName
        self.csrf = csrf
        self.notice = notice
        nav = role == nil ? [] : [("overview", "/dashboard", "Overview"), ("experiments", "/dashboard/experiments", "Experiments"), ("models", "/dashboard/models", "Models"), ("inspect", "/dashboard/inspect", "Inspector"), ("marketplace", "/dashboard/marketplace", "Marketplace"), ("people", "/dashboard/people", "People"), ("opportunities", "/dashboard/opportunities", "Opportunities")].map {
            Link(href: $0.1, label: $0.2, current: $0.0 == page)
        }
    }
}

func percent(_ x: Double?) -> String { x.map { $0.isFinite ? String(format: "%.1f%%", $0 * 100) : "-" } ?? "-" }
func points(_ x: Double?) -> String { x.map { $0.isFinite ? String(format: "%+.2f", $0 * 100) : "-" } ?? "-" }

/// The overview: the engine serving, what was served, the cache, latencies, conversions by day.
public struct OverviewPage: Sendable {
    public struct Figure: Sendable {
        public var label: String
        public var value: String
        /// A stable id for checks (`data-figure`).
        public var key: String
    }
    public struct Model: Sendable {
        public var version: String
    }
    public var layout: Layout
    public var figures: [Figure]
    public var models: [Model]
    public var experiments: [String]
    public var conversionChart: String
    public var feedbackChart: String
    public var hasDays: Bool
    /// Each API route's requests since the start and the latency of its latest, busiest first.
    public struct Route: Sendable {
        public var route: String
        public var count: Int
        public var p50: String
        public var p95: String
        public var p99: String
    }
    public var routes: [Route]
    public var hasRoutes: Bool

    /// - Parameters:
    ///   - served: lists served since the service started, from the cache's counts.
    ///   - latency: p50, p95 and p99 of recommendation requests, in milliseconds, when measured.
    ///   - routes: every API route timed, with its count and percentiles in milliseconds.
    public init(
        layout: Layout, scenario: String?, generation: Int, builtAt: String, modelKey: String, people: Int, opportunities: Int, events: Int,
        cache: (hits: Int, misses: Int), latency: (p50: Double, p95: Double, p99: Double)?, requests: Int, days: [DailyTracking], running: [String],
        routes: [(route: String, count: Int, p50: Double, p95: Double, p99: Double)] = []
    ) {
        self.routes = routes.prefix(20).map {
            Route(route: $0.route, count: $0.count, p50: String(format: "%.1f", $0.p50), p95: String(format: "%.1f", $0.p95), p99: String(format: "%.1f", $0.p99))
        }
        hasRoutes = !self.routes.isEmpty
        self.layout = layout
        let lookups = cache.hits + cache.misses
        var figures = [
            Figure(label: "scenario", value: scenario ?? "none", key: "scenario"),
            Figure(label: "people", value: "\(people)", key: "people"),
            Figure(label: "opportunities", value: "\(opportunities)", key: "opportunities"),
            Figure(label: "events", value: "\(events)", key: "events"),
            Figure(label: "engine build", value: "#\(generation), \(builtAt)", key: "engine"),
            Figure(label: "lists asked since start", value: "\(lookups)", key: "lookups"),
            Figure(label: "cache hit rate", value: lookups > 0 ? percent(Double(cache.hits) / Double(lookups)) : "-", key: "cache_hit_rate"),
        ]
        if let latency {
            figures.append(Figure(label: "latency p50 / p95 / p99", value: String(format: "%.1f / %.1f / %.1f ms", latency.p50, latency.p95, latency.p99), key: "latency"))
            figures.append(Figure(label: "requests timed", value: "\(requests)", key: "requests"))
        }
        self.figures = figures
        models = modelKey.split(separator: ",").filter { !$0.isEmpty }.map { Model(version: String($0)) }
        experiments = running
        hasDays = !days.isEmpty
        let labels = days.map { $0.day.isoDate }
        let kinds = ["viewed", "applied", "bid_placed", "contacted", "hired", "completed"]
        conversionChart = SVG.dailyBars(
            days: labels, series: [("lists served", days.map(\.lists))] + kinds.map { k in (k, days.map { $0.outcomes[k] ?? 0 }) },
            title: "Lists served and outcomes recorded per day")
        let reasons = Array(Set(days.flatMap { $0.feedback.keys })).sorted()
        feedbackChart = SVG.dailyBars(days: labels, series: reasons.map { r in (r, days.map { $0.feedback[r] ?? 0 }) }, title: "Feedback per day by reason")
    }
}

/// The list of experiments.
public struct ExperimentsPage: Sendable {
    public struct Row: Sendable {
        public var name: String
        public var target: String
        public var status: String
        public var start: String
        public var arms: String
        public var description: String?
    }
    public var layout: Layout
    public var rows: [Row]
    public var empty: Bool

    public init(layout: Layout, experiments: [Experiment]) {
        self.layout = layout
        rows = experiments.map { e in
            Row(
                name: e.name, target: e.target.rawValue, status: e.status.rawValue, start: e.start.iso8601,
                arms: e.arms.map { "\($0.name) \(percent(e.shares[$0.name] ?? 0))" }.joined(separator: ", "), description: e.description)
        }
        empty = rows.isEmpty
    }
}

/// One experiment: its arms with their rates, the treatments against the control with intervals,
/// the cumulative lift, the sequential verdict, the rollout and (admin) the form for the shares.
public struct ExperimentPage: Sendable {
    public struct Arm: Sendable {
        public var name: String
        public var mode: String
        public var control: Bool
        public var share: String
        public var shareValue: String
        public var subjects: Int
        public var lists: Int
        public var hire: String
        public var apply: String
        public var view: String
        public var completion: String
        public var timeToFill: String
        public var revenue: String
        /// NDCG@10 and hit rate@3 of its lists' hires by the places served, over `hiredLists`.
        public var ndcg: String
        public var hitAt3: String
        public var hiredLists: Int
    }
    public struct Treatment: Sendable {
        public var arm: String
        public var difference: String
        public var interval: String
        public var pValue: String
        public var lift: String
        public var verdict: String
        public var sequentialP: String
        public var cuped: String
        public var guardrails: String
    }
    public struct Step: Sendable {
        public var at: String
        public var shares: String
    }
    public var layout: Layout
    public var name: String
    public var description: String?
    public var target: String
    public var status: String
    public var running: Bool
    public var control: String
    public var arms: [Arm]
    public var treatments: [Treatment]
    public var intervalChart: String
    public var liftChart: String
    public var steps: [Step]
    public var sampleRatio: String
    public var mismatch: Bool
    public var sampleSize: String
    public var canEdit: Bool

    public init(layout: Layout, experiment: Experiment, report: ExperimentReport, canEdit: Bool) {
        self.layout = layout
        name = experiment.name
        description = experiment.description
        target = experiment.target.rawValue
        status = experiment.status.rawValue
        running = experiment.status == .running
        control = experiment.control
        self.canEdit = canEdit && experiment.status == .running
        arms = report.arms.map { a in
            Arm(
                name: a.name, mode: a.mode, control: a.control, share: percent(a.share), shareValue: String(format: "%.2f", a.share), subjects: a.subjects, lists: a.lists,
                hire: percent(a.subjectRates["hire"]), apply: percent(a.subjectRates["apply"]), view: percent(a.subjectRates["view"]),
                completion: percent(a.subjectRates["completion"]), timeToFill: a.timeToFillHours.map { String(format: "%.1f h", $0) } ?? "-",
                revenue: String(format: "%.2f", a.revenuePerSubject), ndcg: a.ndcgAt10.map { String(format: "%.3f", $0) } ?? "-",
                hitAt3: a.hitRateAt3.map { percent($0) } ?? "-", hiredLists: a.hiredLists)
        }
        treatments = report.treatments.map { t in
            let hire = t.metrics.first { $0.metric == ExperimentReport.primary }?.comparison
            let breached = t.guardrails.filter { $0.state != "ok" }.map { "\($0.metric): \($0.state)" }
            return Treatment(
                arm: t.arm, difference: points(hire?.difference),
                interval: hire.map { $0.lower.isFinite ? "[\(points($0.lower)), \(points($0.upper))]" : "-" } ?? "-",
                pValue: hire.map { String(format: "%.4f", $0.pValue) } ?? "-", lift: percent(hire?.lift), verdict: t.sequential.decision,
                sequentialP: String(format: "%.4f", t.sequential.pValue), cuped: points(t.cuped.difference),
                guardrails: breached.isEmpty ? "ok" : breached.joined(separator: ", "))
        }
        intervalChart = SVG.intervals(
            report.treatments.map { t in
                let hire = t.metrics.first { $0.metric == ExperimentReport.primary }?.comparison
                let finite = hire.map { $0.lower.isFinite && $0.upper.isFinite } ?? false
                return (label: "\(t.arm) − \(report.control)", estimate: (hire?.difference ?? 0).isFinite ? (hire?.difference ?? 0) * 100 : 0,
                        lower: finite ? hire!.lower * 100 : nil, upper: finite ? hire!.upper * 100 : nil)
            }, title: "Hire rate against the control, percentage points, 95% interval")
        liftChart = SVG.lines(
            days: report.days.count,
            series: report.treatments.map { t in (name: t.arm, values: report.days.map { d in d.lift[t.arm].map { $0 * 100 } }) },
            title: "Cumulative lift of the hire rate over the control, by day")
        steps = experiment.rollout.map { s in
            Step(at: s.at.iso8601, shares: experiment.arms.map { "\($0.name) \(percent(s.shares[$0.name] ?? 0))" }.joined(separator: ", "))
        }
        sampleRatio = String(format: "χ² %.2f, p = %.4f", report.sampleRatio.statistic, report.sampleRatio.pValue)
        mismatch = report.sampleRatio.mismatch
        sampleSize = report.sampleSize.perArm.map {
            "\(Int($0.rounded(.up))) subjects per arm to detect a 10% lift on a \(percent(report.sampleSize.baseline)) hire rate (smallest arm: \(report.sampleSize.smallestArm))"
        } ?? "not yet estimable (no hires in the control)"
    }
}

/// The model registry: every version with its checks, metrics, α per list, training curves and
/// (for the ranker) feature importance.
public struct ModelsPage: Sendable {
    public struct Metric: Sendable {
        public var name: String
        public var ndcg: String
        public var hit: String
        public var loss: String
        public var examples: Int
    }
    public struct Version: Sendable {
        public var version: String
        public var kind: String
        public var createdAt: String
        public var serving: Bool
        public var problem: String?
        public var seconds: String
        public var data: String
        public var alpha: String?
        public var metrics: [Metric]
        public var hasMetrics: Bool
        public var curves: String?
        public var importance: [String]
    }
    public var layout: Layout
    public var versions: [Version]
    public var empty: Bool

    public init(layout: Layout, entries: [ModelRegistry.Entry], serving: [String: String]) {
        self.layout = layout
        let live = Set(serving.values)
        versions = entries.reversed().map { e in
            let m = e.metadata
            let metrics = (m?.metrics ?? [:]).sorted { $0.key < $1.key }.map { name, v in
                Metric(
                    name: name, ndcg: v.ndcgAt10.map { String(format: "%.4f", $0) } ?? "-", hit: percent(v.hitRateAt3), loss: String(format: "%.4f", v.loss),
                    examples: v.examples)
            }
            var curves: String?
            if let c = m?.curves, !c.isEmpty {
                let kinds = c.keys.sorted()
                let days = c.values.map(\.count).max() ?? 0
                curves = SVG.lines(
                    days: days, series: kinds.map { k in (name: k, values: (0..<days).map { i in i < c[k]!.count ? c[k]![i] : nil }) },
                    title: "Validation loss per epoch", unit: "")
            }
            let importance = (m?.importance ?? [:]).sorted { $0.key < $1.key }.map { stage, rows in
                SVG.bars(rows.map { (label: $0.feature, value: $0.share * 100) }, title: "\(stage): share of the trees' gain per feature")
            }
            return Version(
                version: e.version, kind: m?.kind ?? ModelRegistry.kind(of: e.version), createdAt: m?.createdAt ?? "-", serving: live.contains(e.version),
                problem: e.problem, seconds: m.map { String(format: "%.1f s", $0.trainingSeconds) } ?? "-",
                data: (m?.data ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                alpha: (m?.alpha ?? [:]).isEmpty ? nil : m!.alpha.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.3f", $0.value))" }.joined(separator: ", "),
                metrics: metrics, hasMetrics: !metrics.isEmpty, curves: curves, importance: importance)
        }
        empty = versions.isEmpty
    }
}

/// The recommendation inspector: one subject's list in several modes side by side, with each
/// item's score, breakdown bars, reasons, and the list's filters and fallbacks.
public struct InspectorPage: Sendable {
    public struct Part: Sendable {
        public var component: String
        public var points: String
        /// The bar's width in percent of the score's 100 points.
        public var width: String
        public var assumed: Bool
    }
    public struct Item: Sendable {
        public var rank: Int
        public var id: String
        public var title: String?
        public var score: String
        public var parts: [Part]
        public var reasons: [String]
        public var assumptions: [String]
    }
    public struct Column: Sendable {
        public var mode: String
        public var answeredBy: String
        public var candidates: Int
        public var filtered: String?
        public var fallbacks: [String]
        public var notice: String?
        public var error: String?
        public var items: [Item]
    }
    public struct Choice: Sendable {
        public var mode: String
        public var checked: Bool
    }
    public var layout: Layout
    public var kind: String
    public var person: Bool
    public var applicants: Bool
    public var id: String
    public var count: Int
    public var choices: [Choice]
    public var columns: [Column]
    public var asked: Bool

    /// - Parameter results: per mode asked, the engine's list or why it has none.
    public init(layout: Layout, kind: String, id: String, count: Int, modes: [String], asked: [String], results: [(mode: String, result: Result<Recommendations, MatchworkError>)]) {
        self.layout = layout
        self.kind = kind
        person = kind == "person"
        applicants = kind == "applicants"
        self.id = id
        self.count = count
        choices = modes.map { Choice(mode: $0, checked: asked.contains($0)) }
        self.asked = !results.isEmpty
        columns = results.map { mode, result in
            switch result {
            case .failure(let error):
                return Column(mode: mode, answeredBy: "-", candidates: 0, filtered: nil, fallbacks: [], notice: nil, error: error.message, items: [])
            case .success(let list):
                let items = list.items.enumerated().map { k, item in
                    Item(
                        rank: k + 1, id: item.id, title: item.title, score: String(format: "%.1f", item.score),
                        parts: item.breakdown.map { p in
                            Part(component: p.component, points: String(format: "%.1f", p.points), width: String(format: "%.1f", max(0, min(100, p.points))), assumed: p.assumed)
                        }, reasons: item.reasons, assumptions: item.assumptions)
                }
                let filtered = list.filtered.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                return Column(
                    mode: mode, answeredBy: list.answeredBy.isEmpty ? "none" : list.answeredBy.joined(separator: "+"), candidates: list.candidates,
                    filtered: filtered.isEmpty ? nil : filtered, fallbacks: list.fallbacks.map { "\($0.component): \($0.reason)" }, notice: list.notice, error: nil, items: items)
            }
        }
    }
}

/// The marketplace: supply against demand per facet value (open opportunities asking for it,
/// workers offering it) and the workers' stored scores, highest first.
public struct MarketplacePage: Sendable {
    public struct Row: Sendable {
        public var value: String
        public var demand: Int
        public var supply: Int
        public var ratio: String
        /// Under one worker per opportunity asking.
        public var short: Bool
    }
    public struct Facet: Sendable {
        public var name: String
        public var rows: [Row]
        public var chart: String
    }
    public struct Score: Sendable {
        public var person: String
        public var overall: String
        public var quality: String
        public var reliability: String
        public var experience: String
        public var bidding: String
        public var activity: String
        public var hires: Int
        public var specialisation: String
    }
    public var layout: Layout
    public var open: Int
    public var workers: Int
    public var facets: [Facet]
    public var scores: [Score]
    public var hasScores: Bool
    /// Demand forecasts, fastest growth first, and their chart.
    public struct Demand: Sendable {
        public var label: String
        public var recent: Int
        public var growth: String
        public var interval: String
        public var model: String
    }
    public var demand: [Demand]
    public var hasDemand: Bool
    public var demandChart: String
    public var demandNote: String
    /// The learning marketplace's skills with the largest demand-weighted gap over all learners.
    public struct Gap: Sendable {
        public var label: String
        /// Learners short of the level asked, and by how much on average.
        public var short: String
        public var supply: Int
        public var demand: Int
        public var courses: Int
    }
    public var gaps: [Gap]
    public var hasGaps: Bool
    public var gapSummary: String

    public init(
        layout: Layout, snapshot: MarketplaceSnapshot, scores: [WorkerScore], trends: [DemandTrend] = [], trendsNote: String = "",
        cohort: SkillCohortAnalysis? = nil
    ) {
        self.layout = layout
        let rising = Trends.rank(trends).filter { $0.growth != nil }.prefix(10)
        demand = rising.map { t in
            let g = t.growth!
            let interval = g.intervals.first.map { "\(Int($0.level.rounded()))%: \(Int((100 * $0.lower).rounded()))% to \(Int((100 * $0.upper).rounded()))%" } ?? ""
            return Demand(label: t.key.label, recent: t.recentOpportunities, growth: "\(Int((100 * g.mean).rounded()))%", interval: interval, model: t.forecast.model)
        }
        hasDemand = !demand.isEmpty
        demandChart = rising.isEmpty ? "" : SVG.intervals(
            rising.map { t in
                let g = t.growth!
                return (t.key.label, 100 * g.mean, g.intervals.first.map { 100 * $0.lower }, g.intervals.first.map { 100 * $0.upper })
            }, title: "Forecast demand growth over the next \(rising.first?.horizon ?? 12) months, with its interval", unit: "%")
        demandNote = trendsNote
        gaps = (cohort?.skills.prefix(10) ?? []).map {
            Gap(label: $0.label, short: "\($0.learnersWithGap) short by \(String(format: "%.2f", $0.meanGap))", supply: $0.supply, demand: $0.demand, courses: $0.courses)
        }
        hasGaps = !gaps.isEmpty
        gapSummary = cohort?.summary ?? ""
        let open = snapshot.opportunities.filter { $0.status == .open }
        let workers = snapshot.people.filter { $0.role != .client }
        self.open = open.count
        self.workers = workers.count
        var demand: [FacetName: [String: Int]] = [:], supply: [FacetName: [String: Int]] = [:]
        for o in open { for (facet, values) in o.required.values where facet.rawValue != "rhythm" { for v in values { demand[facet, default: [:]][v, default: 0] += 1 } } }
        for p in workers { for (facet, values) in p.facets.values where demand[facet] != nil { for v in values { supply[facet, default: [:]][v, default: 0] += 1 } } }
        facets = demand.keys.sorted().map { facet in
            let rows = demand[facet]!.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(12).map { value, asked in
                let offered = supply[facet]?[value] ?? 0
                return Row(value: value, demand: asked, supply: offered, ratio: asked > 0 ? String(format: "%.2f", Double(offered) / Double(asked)) : "-", short: offered < asked)
            }
            let chart = SVG.intervals(
                rows.map { (label: $0.value, estimate: Double($0.supply) - Double($0.demand), lower: nil, upper: nil) },
                title: "\(facet.rawValue): workers offering it less the open opportunities asking for it", unit: "")
            return Facet(name: facet.rawValue, rows: Array(rows), chart: chart)
        }
        self.scores = scores.map { s in
            Score(
                person: s.person.rawValue, overall: String(format: "%.1f", s.overall), quality: String(format: "%.1f", s.quality), reliability: String(format: "%.1f", s.reliability),
                experience: String(format: "%.1f", s.experience), bidding: String(format: "%.1f", s.bidding), activity: String(format: "%.1f", s.activity), hires: s.hires,
                specialisation: s.specialisation.joined(separator: ", "))
        }
        hasScores = !scores.isEmpty
    }
}

/// Sign-in, and any page's error.
public struct MessagePage: Sendable {
    public var layout: Layout
    public var message: String?
    public init(layout: Layout, message: String?) {
        self.layout = layout
        self.message = message
    }
}

/// The records view: people or opportunities found by id, name or title, a page at a time.
public struct RecordsPage: Sendable {
    public struct Row: Sendable {
        public var id: String
        public var href: String
        public var label: String
        public var detail: String
    }
    public var layout: Layout
    /// `people` or `opportunities`.
    public var kind: String
    public var people: Bool
    public var query: String
    public var rows: [Row]
    public var hasRows: Bool
    public var matches: Int
    public var shown: String
    public var next: String?
    public var previous: String?

    /// Rows `offset..<offset + limit` of the snapshot's people (`people`) or opportunities whose
    /// id, name or title contains `query` (case and accents ignored; all when it is empty).
    /// `text` safe as one segment of a URL path or a query value.
    public static func pathSegment(_ text: String) -> String { path(text) }

    static func path(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }

    public init(layout: Layout, snapshot: MarketplaceSnapshot, people: Bool, query: String, offset: Int, limit: Int = 50) {
        self.layout = layout
        self.people = people
        kind = people ? "people" : "opportunities"
        self.query = query
        let needle = query.trimmingCharacters(in: .whitespaces).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        func matches(_ texts: String?...) -> Bool {
            needle.isEmpty || texts.contains { $0?.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).contains(needle) == true }
        }
        var found: [Row] = []
        if people {
            for p in snapshot.people where matches(p.id.rawValue, p.name) {
                let facets = RecordText.facets(p.facets)
                found.append(Row(id: p.id.rawValue, href: "/dashboard/people/\(RecordsPage.path(p.id.rawValue))", label: p.name ?? "", detail: [p.role.rawValue, facets].filter { !$0.isEmpty }.joined(separator: " · ")))
            }
        } else {
            for o in snapshot.opportunities where matches(o.id.rawValue, o.title) {
                found.append(Row(
                    id: o.id.rawValue, href: "/dashboard/opportunities/\(RecordsPage.path(o.id.rawValue))", label: o.title ?? "",
                    detail: [o.status.rawValue, o.kind.rawValue, o.client.map { "client \($0.rawValue)" } ?? "", "\(o.slots) slot\(o.slots == 1 ? "" : "s")"].filter { !$0.isEmpty }.joined(separator: " · ")))
            }
        }
        self.matches = found.count
        let start = min(max(0, offset), found.count)
        rows = Array(found[start..<min(found.count, start + limit)])
        hasRows = !rows.isEmpty
        shown = found.isEmpty ? "none" : "\(start + 1)-\(start + rows.count) of \(found.count)"
        let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        next = start + limit < found.count ? "/dashboard/\(kind)?q=\(q)&offset=\(start + limit)" : nil
        previous = start > 0 ? "/dashboard/\(kind)?q=\(q)&offset=\(max(0, start - limit))" : nil
    }
}

/// A record's profile fields as one line of text each, the same in the lists and on the record's page.
enum RecordText {
    /// `service: icu, er; specialty: adult`, facets in name order.
    static func facets(_ f: Facets) -> String {
        f.values.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue): \($0.value.joined(separator: ", "))" }.joined(separator: "; ")
    }

    static func attributes(_ a: Attributes) -> String {
        a.values.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }.joined(separator: ", ")
    }

    static func skills(_ s: [SkillLevel]) -> String { s.map { "\($0.skill) \(String(format: "%.1f", $0.level))" }.joined(separator: ", ") }

    static func place(_ g: GeoPoint?) -> String? { g.map { "\(String(format: "%.4f", $0.latitude)), \(String(format: "%.4f", $0.longitude))" } }
}

/// One person or opportunity: the profile, its events (each retractable by an admin), the
/// lists served for it, and a worker's stored score.
public struct RecordPage: Sendable {
    public struct Field: Sendable {
        public var name: String
        public var value: String
    }
    public struct Event: Sendable {
        public var eventID: String
        public var type: String
        public var time: String
        public var other: String
        public var otherHref: String
        public var value: String
        public var retractable: Bool
    }
    public struct List: Sendable {
        public var id: String
        public var time: String
        public var mode: String
        public var answeredBy: String
        public var items: String
        public var arm: String
        /// Its outcomes and feedback, by type with counts ("hired 1, viewed 2").
        public var outcomes: String
        public var feedback: String
    }
    public var layout: Layout
    public var kind: String
    public var id: String
    public var title: String
    public var fields: [Field]
    public var events: [Event]
    public var hasEvents: Bool
    public var moreEvents: String?
    public var lists: [List]
    public var hasLists: Bool
    public var score: [Field]
    public var hasScore: Bool
    public var canRetract: Bool
    public var here: String
    public var inspect: String
    /// The record as JSON in the admin's edit form (`nil` for other roles).
    public var editJSON: String?

    public init(
        layout: Layout, person: Person? = nil, opportunity: Opportunity? = nil, events: Page<Interaction>,
        lists: [(list: ServedList, outcomes: [OutcomeRecord], feedback: [FeedbackRecord])], score: WorkerScore?, canRetract: Bool,
        editJSON: String? = nil
    ) {
        self.layout = layout
        self.canRetract = canRetract
        self.editJSON = editJSON
        var fields: [Field] = []
        func add(_ name: String, _ value: String?) { if let value, !value.isEmpty { fields.append(Field(name: name, value: value)) } }
        let (facets, attributes, skills, place) = (RecordText.facets, RecordText.attributes, RecordText.skills, RecordText.place)
        if let p = person {
            kind = "people"
            id = p.id.rawValue
            title = p.name.map { "\(p.id.rawValue) · \($0)" } ?? p.id.rawValue
            add("role", p.role.rawValue)
            add("facets", facets(p.facets))
            add("skills", skills(p.skills))
            add("certifications", p.certifications.map(\.name).joined(separator: ", "))
            add("attributes", attributes(p.attributes))
            add("location", place(p.location))
            add("capacity", "\(p.capacity)")
            inspect = "/dashboard/inspect?kind=person&id=\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        } else if let o = opportunity {
            kind = "opportunities"
            id = o.id.rawValue
            title = o.title.map { "\(o.id.rawValue) · \($0)" } ?? o.id.rawValue
            add("status", o.status.rawValue)
            add("kind", o.kind.rawValue)
            add("client", o.client?.rawValue)
            add("required", facets(o.required))
            add("preferred", facets(o.preferred))
            add("certifications required", o.requiredCertifications.joined(separator: ", "))
            add("attributes", attributes(o.attributes))
            add("teaches", skills(o.teaches))
            add("prerequisites", skills(o.prerequisites))
            add("skills asked", skills(o.skills))
            add("location", place(o.location))
            add("window", o.window.map { "\($0.start.iso8601) to \($0.end.iso8601)" })
            add("slots", "\(o.slots)")
            inspect = "/dashboard/inspect?kind=applicants&id=\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        } else {
            (kind, id, title, inspect) = ("", "", "", "")
        }
        self.fields = fields
        let personView = person != nil
        self.events = events.items.map { e in
            let other = personView ? e.opportunity.rawValue : e.person.rawValue
            return Event(
                eventID: e.eventID ?? "", type: e.type.rawValue, time: e.timestamp.iso8601, other: other,
                otherHref: "/dashboard/\(personView ? "opportunities" : "people")/\(RecordsPage.path(other))", value: e.value.map { String(format: "%.2f", $0) } ?? "",
                retractable: canRetract && e.eventID != nil && e.type != .retract)
        }
        let here = "/dashboard/\(kind)/\(RecordsPage.path(id))"
        self.here = here
        moreEvents = events.next.map { "\(here)?events_before=\($0)" }
        func counted(_ names: [String]) -> String {
            var counts: [String: Int] = [:]
            for n in names { counts[n, default: 0] += 1 }
            return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        self.lists = lists.map { entry in
            let l = entry.list
            return List(
                id: l.id, time: l.servedAt.iso8601, mode: l.mode, answeredBy: l.answeredBy.joined(separator: "+"),
                items: l.items.prefix(5).map(\.id).joined(separator: ", ") + (l.items.count > 5 ? " (+\(l.items.count - 5))" : ""),
                arm: l.experiment.map { "\($0)/\(l.arm ?? "")" } ?? "", outcomes: counted(entry.outcomes.map(\.outcome)),
                feedback: counted(entry.feedback.map(\.reason.rawValue)))
        }
        if let s = score {
            self.score = [
                Field(name: "overall", value: "\(String(format: "%.1f", s.overall))"), Field(name: "quality", value: "\(String(format: "%.1f", s.quality))"),
                Field(name: "reliability", value: "\(String(format: "%.1f", s.reliability))"), Field(name: "experience", value: "\(String(format: "%.1f", s.experience))"),
                Field(name: "bidding", value: "\(String(format: "%.1f", s.bidding))"), Field(name: "activity", value: "\(String(format: "%.1f", s.activity))"),
            ]
        } else {
            self.score = []
        }
        hasScore = score != nil
        hasEvents = !self.events.isEmpty
        hasLists = !self.lists.isEmpty
    }
}
