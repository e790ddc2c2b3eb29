import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore
import MatchworkSynth

struct ExperimentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiments",
        abstract: "A/B tests of ranking settings on marketplace outcomes: create, roll out, stop, report.",
        discussion: """
            An experiment tests arms (a mode each; for ensemble, optionally its weights and learned \
            share) on one kind of list. `matchwork serve` ranks every request that names no mode \
            by the arm its subject hashes to, records the experiment and arm with the served list, \
            and the report compares the arms on the outcomes recorded on those lists: hire, \
            apply, view, contact and completion rates, time to fill, revenue and feedback, with \
            95% intervals, CUPED, an always-valid sequential test and guardrails \
            (docs/experiments.md). A running service reads changes made here within 10 seconds.
            """,
        subcommands: [Create.self, List.self, Show.self, Update.self, Stop.self, Report.self, Simulate.self])

    /// `NAME=MODE` settings as arms.
    static func arms(_ settings: [String]) throws -> [ExperimentArm] {
        try settings.enumerated().map { k, setting in
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw MatchworkError(.invalidValue, "--arm '\(setting)' is not NAME=MODE, such as --arm ranked=ranked.", field: "--arm") }
            return ExperimentArm(name: parts[0], mode: try RecommendationMode.parse(parts[1], field: "--arm \(k + 1)"))
        }
    }

    /// `name=share` settings as a dictionary; none gives `arms` equal shares.
    static func shares(_ settings: [String], field: String, equalAmong arms: [ExperimentArm]) throws -> [String: Double] {
        let given = try shares(settings, field: field)
        guard given.isEmpty else { return given }
        return Dictionary(uniqueKeysWithValues: arms.map { ($0.name, 1 / Double(max(1, arms.count))) })
    }

    /// `rule 90.0%, ranked 10.0%`: each arm's share in `shares`.
    static func describe(_ arms: [ExperimentArm], _ shares: [String: Double]) -> String {
        arms.map { arm in "\(arm.name) \(((shares[arm.name] ?? 0) * 100).r(1))%" }.joined(separator: ", ")
    }

    /// `name=share` settings as a dictionary.
    static func shares(_ settings: [String], field: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let share = Double(parts[1]) else {
                throw MatchworkError(.invalidValue, "\(field) '\(setting)' is not ARM=SHARE, such as --share ranked=0.25.", field: field)
            }
            out[parts[0]] = share
        }
        return out
    }

    static func found(_ name: String, in store: SQLiteStore) async throws -> Experiment {
        guard let experiment = try await store.experiment(named: name) else {
            throw MatchworkError(.unknownIdentifier, "no experiment is named '\(name)'; `matchwork experiments list` shows them.", field: "name")
        }
        return experiment
    }

    static func print(_ experiment: Experiment, json: Bool) throws {
        if json {
            Swift.print(String(decoding: try CLIJSON.encoder().encode(experiment), as: UTF8.self))
            return
        }
        var lines = ["\(experiment.name): \(experiment.target.rawValue) lists, \(experiment.status.rawValue)" + (experiment.description.map { " — \($0)" } ?? "")]
        lines.append("  from \(experiment.start.iso8601)" + (experiment.end.map { " to \($0.iso8601)" } ?? "") + (experiment.stoppedAt.map { ", stopped \($0.iso8601)" } ?? ""))
        for arm in experiment.arms {
            var line = "  \(arm.name)\(arm.name == experiment.control ? " (control)" : ""): \(arm.mode.rawValue)"
            if let w = arm.weights { line += " weights \(w)" }
            if let s = arm.learnedShare { line += " learned share \(s)" }
            if let pins = arm.models, !pins.isEmpty { line += " pins " + pins.sorted { $0.key < $1.key }.map(\.value).joined(separator: ", ") }
            let share: Double = (experiment.shares[arm.name] ?? 0) * 100
            line += ", share \(share.r(1))%"
            lines.append(line)
        }
        if experiment.rollout.count > 1 {
            let steps = experiment.rollout.map { "\($0.at.iso8601) " + describe(experiment.arms, $0.shares) }
            lines.append("  rollout: " + steps.joined(separator: "; "))
        }
        let guardrails = experiment.guardrails.map { (g: Guardrail) -> String in
            let drop: Double = g.maxDrop * 100
            return "\(g.metric) may drop at most \(drop.r(1))%"
        }
        lines.append("  guardrails: " + guardrails.joined(separator: ", "))
        Swift.print(lines.joined(separator: "\n"))
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an experiment; it starts assigning subjects at its start (now by default).")

        @OptionGroup var options: StoreOptions

        @Argument(help: "The experiment's name: lower-case letters, digits, '-' or '_'.")
        var name: String

        @Option(help: ArgumentHelp("The kind of list: opportunities (for people), people (for opportunities) or applicants.", valueName: "KIND"))
        var target: String

        @Option(name: .customLong("arm"), help: ArgumentHelp("An arm as NAME=MODE, such as rule=rule_based (repeatable; the first is the control unless --control).", valueName: "NAME=MODE"))
        var arms: [String]

        @Option(name: .customLong("weights"), help: ArgumentHelp("Ensemble weights of an arm as NAME:WEIGHTS, such as tuned:rule_based=0.6,similarity=0.4 (repeatable; the neural model's share is separate).", valueName: "NAME:WEIGHTS"))
        var weights: [String] = []

        @Option(name: .customLong("pin"), help: ArgumentHelp("A registry version an arm serves with, as NAME:VERSION, such as ranked:ranker-000007 (repeatable; neural and ranker versions).", valueName: "NAME:VERSION"))
        var pins: [String] = []

        @OptionGroup var modelOptions: ModelOptions

        @Option(help: ArgumentHelp("The control arm's name.", valueName: "NAME"))
        var control: String?

        @Option(name: .customLong("share"), help: ArgumentHelp("An arm's share of subjects as NAME=SHARE (repeatable; equal shares by default).", valueName: "NAME=SHARE"))
        var shares: [String] = []

        @Option(help: ArgumentHelp("When it starts (default now).", valueName: "TIME"))
        var start: String?

        @Option(help: ArgumentHelp("When it ends (default: when stopped).", valueName: "TIME"))
        var end: String?

        @Option(help: "What it tests, in words.")
        var description: String?

        @Option(help: ArgumentHelp("The sequential test's mixing scale: the absolute difference of hire rates it finds fastest.", valueName: "DIFFERENCE"))
        var tau = 0.05

        @Option(help: ArgumentHelp("The sequential test's false-positive rate.", valueName: "RATE"))
        var alpha = 0.05

        @Flag(help: "Print the experiment as JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                guard let kind = RankingTarget(rawValue: target) else {
                    throw MatchworkError(.invalidValue, "--target '\(target)' is not a kind of list; use opportunities, people or applicants.", field: "--target")
                }
                var parsed = try ExperimentsCommand.arms(arms)
                for setting in weights {
                    let parts = setting.split(separator: ":", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let k = parsed.firstIndex(where: { $0.name == parts[0] }) else {
                        throw MatchworkError(.invalidValue, "--weights '\(setting)' is not NAME:WEIGHTS for an arm given with --arm, such as --weights tuned:rule_based=0.6,similarity=0.4.", field: "--weights")
                    }
                    parsed[k].weights = parts[1]
                }
                let registry = modelOptions.registry(store: options.store)
                for setting in pins {
                    let parts = setting.split(separator: ":", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let k = parsed.firstIndex(where: { $0.name == parts[0] }) else {
                        throw MatchworkError(.invalidValue, "--pin '\(setting)' is not NAME:VERSION for an arm given with --arm, such as --pin ranked:ranker-000007.", field: "--pin")
                    }
                    let kind = String(parts[1].prefix { $0 != "-" })
                    parsed[k].models = (parsed[k].models ?? [:]).merging([kind: parts[1]]) { $1 }
                    do { _ = try registry.load(parts[1], scenario: nil) } catch {
                        throw MatchworkError(.invalidValue, "--pin '\(setting)': \((error as? StoreError)?.message ?? "\(error)"); pin a version `matchwork models` lists as usable.", field: "--pin")
                    }
                }
                let given = try ExperimentsCommand.shares(shares, field: "--share", equalAmong: parsed)
                let now = Timestamp.now
                let experiment = try Experiment(
                    name: name, description: description, target: kind, arms: parsed, control: control, shares: given,
                    start: try start.map { (s) throws(MatchworkError) in try Timestamp.parse(s, field: "--start") } ?? now,
                    end: try end.map { (s) throws(MatchworkError) in try Timestamp.parse(s, field: "--end") }, sequential: SequentialTest(tau: tau, alpha: alpha), createdAt: now)
                let store = try options.openExisting()
                try await store.createExperiment(experiment)
                try ExperimentsCommand.print(experiment, json: json)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the experiments.")

        @OptionGroup var options: StoreOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let all = try await options.openForReading().experiments()
                if json {
                    struct Output: Encodable { var experiments: [Experiment] }
                    Swift.print(String(decoding: try CLIJSON.encoder().encode(Output(experiments: all)), as: UTF8.self))
                } else if all.isEmpty {
                    Swift.print("No experiments; create one with `matchwork experiments create NAME --target applicants --arm rule=rule_based --arm ranked=ranked`.")
                } else {
                    for e in all {
                        let arms = ExperimentsCommand.describe(e.arms, e.shares)
                        Swift.print("\(e.name)  \(e.target.rawValue)  \(e.status.rawValue)  since \(e.start.iso8601)  \(arms)")
                    }
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an experiment: arms, shares, rollout, guardrails.")

        @OptionGroup var options: StoreOptions

        @Argument(help: "The experiment's name.")
        var name: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                try ExperimentsCommand.print(try await ExperimentsCommand.found(name, in: try options.openForReading()), json: json)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll out new shares (only the subjects that must move change arm), or set the end or the description.")

        @OptionGroup var options: StoreOptions

        @Argument(help: "The experiment's name.")
        var name: String

        @Option(name: .customLong("share"), help: ArgumentHelp("An arm's new share as NAME=SHARE (repeatable; the arms not named keep theirs).", valueName: "NAME=SHARE"))
        var shares: [String] = []

        @Option(help: ArgumentHelp("When it ends.", valueName: "TIME"))
        var end: String?

        @Option(help: "What it tests, in words.")
        var description: String?

        @Flag(help: "Print the experiment as JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let store = try options.openExisting()
                var experiment = try await ExperimentsCommand.found(name, in: store)
                let given = try ExperimentsCommand.shares(shares, field: "--share")
                guard !given.isEmpty || end != nil || description != nil else {
                    throw MatchworkError(.invalidValue, "nothing to update; give --share NAME=SHARE, --end TIME or --description TEXT.", field: "--share")
                }
                if !given.isEmpty { experiment = try experiment.rolledOut(given, at: .now) }
                if let end {
                    experiment.end = try Timestamp.parse(end, field: "--end")
                    try experiment.validate()
                }
                if let description { experiment.description = description }
                try await store.updateExperiment(experiment)
                try ExperimentsCommand.print(experiment, json: json)
            }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop an experiment: no subject is assigned any more; its report stays.")

        @OptionGroup var options: StoreOptions

        @Argument(help: "The experiment's name.")
        var name: String

        func run() async throws {
            try await reportingErrors {
                let store = try options.openExisting()
                let experiment = try await ExperimentsCommand.found(name, in: store)
                guard experiment.status == .running else {
                    Swift.print("\(name) was already stopped at \(experiment.stoppedAt?.iso8601 ?? "?").")
                    return
                }
                try await store.updateExperiment(experiment.stopped(at: .now))
                Swift.print("Stopped \(name); `matchwork experiments report \(name)` shows its results.")
            }
        }
    }

    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an experiment on a generated marketplace's hidden choice model: each arm ranks the bidders of the jobs hired in the last days, simulated clients hire.",
            discussion: """
                The marketplace is rebuilt as it was --days before its end; each job hired since \
                is served once, on its day, to the arm its id hashes to, and a simulated client \
                reads the list with position bias and hires by the generator's choice \
                probabilities (docs/experiments.md#the-simulator). Models the arms need \
                (neural for neural and ensemble, the ranker for ranked) are trained on the history \
                before the first simulated day. With --seeds N the experiment is run N times \
                (other assignments, other clients) and the share of runs in which the arms \
                differ significantly is reported: about 5% for an A/A test.
                """)

        @OptionGroup var options: StoreOptions
        @OptionGroup var engineOptions: EngineOptions

        @Option(name: .customLong("arm"), help: ArgumentHelp("An arm as NAME=MODE (repeatable; the first is the control unless --control).", valueName: "NAME=MODE"))
        var arms: [String]

        @Option(help: ArgumentHelp("The control arm's name.", valueName: "NAME"))
        var control: String?

        @Option(name: .customLong("share"), help: ArgumentHelp("An arm's share as NAME=SHARE (repeatable; equal by default).", valueName: "NAME=SHARE"))
        var shares: [String] = []

        @Option(help: "The days of history simulated.")
        var days = 56

        @Option(help: "How many runs, each with its own assignment and clients.")
        var seeds = 1

        @Option(help: "The first run's seed.")
        var seed: UInt64 = 42

        @Option(help: ArgumentHelp("Position bias: position k is read with probability k^-EXPONENT.", valueName: "EXPONENT"))
        var examination = 1.0

        @Option(help: ArgumentHelp("The weight of hiring no one, against choice probabilities summing to 1.", valueName: "WEIGHT"))
        var reservation = 0.35

        @Flag(help: "Print JSON: the first run's report, and with --seeds the rates over the runs.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                guard (1...10_000).contains(seeds) else {
                    throw MatchworkError(.invalidValue, "--seeds \(seeds) must be between 1 and 10000.", field: "--seeds")
                }
                let parsed = try ExperimentsCommand.arms(arms)
                let given = try ExperimentsCommand.shares(shares, field: "--share", equalAmong: parsed)
                var configuration = ExperimentSimulation.Configuration()
                configuration.days = days
                configuration.examination = examination
                configuration.reservation = reservation
                try configuration.validate()
                // Validates the arms and shares before any work.
                let template = try Experiment(name: "simulation", target: .applicants, arms: parsed, control: control, shares: given, start: .now, createdAt: .now)

                let store = try options.openForReading()
                let scenario = try await store.scenario()
                guard let scenario, let document = try await store.groundTruth(for: scenario),
                    let truth = try? JSONDecoder().decode(GroundTruth.self, from: Data(document.utf8)), !truth.choiceProbabilities.isEmpty
                else {
                    throw MatchworkError(
                        .invalidValue, "the store '\(options.store)' keeps no hidden choice model to simulate clients with; simulate on a store made by `matchwork generate cleaning`.",
                        field: "--store")
                }
                var reliability: [PersonID: Double] = [:]
                for (id, latent) in truth.personLatent { if let r = latent["reliability"] { reliability[PersonID(id)] = r } }
                let engineConfiguration = try engineOptions.configuration(scenario: scenario)
                let (people, opportunities, interactions) = (try await store.people(), try await store.opportunities(), try await store.interactions())
                let terminal = Terminal(quiet: options.quiet || json)
                // Models for the arms that need them, from the history before the simulated days.
                let modes = Set(parsed.map(\.mode))
                let last = interactions.filter { $0.type == .hire }.map(\.timestamp).max() ?? .now
                let start = last.adding(seconds: 1 - Int64(days) * 86_400)
                var learned: LearnedModel?, ranker: RankerModel?
                if modes.contains(.neural) || modes.contains(.ensemble) || modes.contains(.ranked) {
                    terminal.progress("training the neural model on the history before \(start.iso8601)")
                    learned = try NeuralTraining.train(
                        people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, end: start, engineConfiguration: engineConfiguration
                    ).model
                }
                if modes.contains(.ranked) {
                    terminal.progress("training the ranker on the history before \(start.iso8601)")
                    ranker = try RankerTraining.train(
                        people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, end: start, engineConfiguration: engineConfiguration, learned: learned
                    ).model
                }
                terminal.progress("ranking the simulated jobs' bidders with each arm")
                let simulation = try await ExperimentSimulation.prepare(
                    people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, choices: truth.choiceProbabilities,
                    reliability: reliability, arms: parsed, configuration: configuration, engineConfiguration: engineConfiguration, learned: learned, ranker: ranker)
                terminal.endProgress()
                var first: ExperimentReport?
                var significant: [String: Int] = [:], crossed: [String: Int] = [:], differences: [String: [Double]] = [:]
                for k in 0..<seeds {
                    var experiment = template
                    experiment.name = k == 0 ? "simulation" : "simulation-\(k)"
                    let (report, _) = try simulation.run(experiment, seed: seed &+ UInt64(k))
                    if first == nil { first = report }
                    for t in report.treatments {
                        guard let hire = t.metrics.first(where: { $0.metric == ExperimentReport.primary })?.comparison else { continue }
                        if hire.pValue < 0.05 { significant[t.arm, default: 0] += 1 }
                        if t.sequential.pValue < template.sequential.alpha { crossed[t.arm, default: 0] += 1 }
                        differences[t.arm, default: []].append(hire.difference)
                    }
                }
                guard let report = first else { return }
                if json {
                    struct Rates: Encodable {
                        var runs: Int
                        var significant: [String: Double]
                        var sequentialCrossed: [String: Double]
                        var meanDifference: [String: Double]
                    }
                    struct Output: Encodable {
                        var jobs: Int
                        var days: Int
                        var report: ExperimentReport
                        var runs: Rates?
                    }
                    let n = Double(seeds)
                    let rates = seeds > 1 ? Rates(
                        runs: seeds, significant: significant.mapValues { Double($0) / n }, sequentialCrossed: crossed.mapValues { Double($0) / n },
                        meanDifference: differences.mapValues { $0.reduce(0, +) / Double($0.count) }) : nil
                    Swift.print(String(decoding: try CLIJSON.encoder().encode(Output(jobs: simulation.subjects, days: days, report: report, runs: rates)), as: UTF8.self))
                    return
                }
                Swift.print("Simulated \(simulation.subjects) jobs hired from \(simulation.start.iso8601) to \(simulation.end.iso8601) (\(days) days); clients read position k with probability k^-\(examination) and hire no one with weight \(reservation).")
                Swift.print(Report.render(report))
                if seeds > 1 {
                    for t in report.treatments {
                        let n = Double(seeds)
                        let mean = (differences[t.arm] ?? []).reduce(0, +) / n
                        Swift.print("over \(seeds) runs, \(t.arm) against \(report.control): hire-rate difference \(((mean) * 100).r(2)) points on average; significant at 5% in \((Double(significant[t.arm] ?? 0) / n * 100).r(1))% of runs, sequential test crossed in \((Double(crossed[t.arm] ?? 0) / n * 100).r(1))%")
                    }
                }
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report an experiment: per-arm rates, the treatments against the control, the sequential verdict.")

        @OptionGroup var options: StoreOptions

        @Argument(help: "The experiment's name.")
        var name: String

        @Flag(help: "Print the report as JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let store = try options.openForReading()
                let experiment = try await ExperimentsCommand.found(name, in: store)
                let observations = try await store.experimentObservations(name)
                let snapshot = try await store.snapshot(now: nil)
                let preperiod = ExperimentReport.preperiod(snapshot, subjects: observations.lists.map(\.subject), start: experiment.start)
                let report = ExperimentReport(experiment: experiment, observations: observations, preperiod: preperiod, now: .now)
                if json {
                    Swift.print(String(decoding: try CLIJSON.encoder().encode(report), as: UTF8.self))
                } else {
                    Swift.print(Self.render(report))
                }
            }
        }

        static func percent(_ x: Double) -> String { (x * 100).r(1) + "%" }

        static func render(_ r: ExperimentReport) -> String {
            var lines = ["\(r.experiment): \(r.target.rawValue) lists, \(r.status.rawValue), control \(r.control)"]
            lines.append("arm              subjects  lists   hire     apply    view     complete  time to fill  revenue/subject  NDCG@10 of hires  hire in top 3")
            for a in r.arms {
                let name = a.name + (a.control ? "*" : "")
                let fill = a.timeToFillHours.map { "\($0.r(1)) h" } ?? "-"
                var line = name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(a.subjects).leftPadded(9) + String(a.lists).leftPadded(7) + "   "
                for metric in ["hire", "apply", "view", "completion"] { line += percent(a.subjectRates[metric] ?? 0).padding(toLength: 9, withPad: " ", startingAt: 0) }
                line += fill.padding(toLength: 14, withPad: " ", startingAt: 0) + a.revenuePerSubject.r(2).padding(toLength: 17, withPad: " ", startingAt: 0)
                line += (a.ndcgAt10.map { "\($0.r(3)) (\(a.hiredLists))" } ?? "-").padding(toLength: 18, withPad: " ", startingAt: 0) + (a.hitRateAt3.map(percent) ?? "-")
                lines.append(line)
            }
            for t in r.treatments {
                guard let hire = t.metrics.first(where: { $0.metric == ExperimentReport.primary })?.comparison else { continue }
                guard hire.treatment.isFinite, hire.control.isFinite else {
                    lines.append("\(t.arm) against \(r.control): no subjects in one of the two arms yet")
                    continue
                }
                let points = { (x: Double) -> String in (x * 100).r(2) }
                let interval = hire.lower.isFinite ? "[\(points(hire.lower)), \(points(hire.upper))] points" : "no interval yet"
                var line = "\(t.arm) against \(r.control): hire rate \(percent(hire.treatment)) vs \(percent(hire.control)), difference \(points(hire.difference)) points \(interval), p = \(hire.pValue.r(4))"
                if let lift = hire.lift { line += ", lift \(percent(lift))" }
                lines.append(line)
                var cuped = "  CUPED (θ \(t.cupedTheta.r(3))): difference \(points(t.cuped.difference)) points"
                if t.cuped.lower.isFinite { cuped += " [\(points(t.cuped.lower)), \(points(t.cuped.upper))]" }
                lines.append(cuped)
                lines.append("  sequential test after \(t.sequential.looks) daily looks: \(t.sequential.decision) (always-valid p = \(t.sequential.pValue.r(4)))")
                for g in t.guardrails where g.state != "ok" { lines.append("  guardrail \(g.metric): \(g.state)") }
            }
            lines.append("sample ratio: χ² \(r.sampleRatio.statistic.r(2)), p = \(r.sampleRatio.pValue.r(4))" + (r.sampleRatio.mismatch ? " — MISMATCH: the arms' sizes are off their shares; check the assignment and logging before trusting the comparison" : ""))
            if let n = r.sampleSize.perArm {
                lines.append("to detect a \(percent(r.sampleSize.lift)) lift on a \(percent(r.sampleSize.baseline)) hire rate: \(Int(n.rounded(.up))) subjects per arm (smallest arm has \(r.sampleSize.smallestArm))")
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension Double {
    /// The value with `places` decimals.
    fileprivate func r(_ places: Int) -> String { String(format: "%.\(places)f", self) }
}
