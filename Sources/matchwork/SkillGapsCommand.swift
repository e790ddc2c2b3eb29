import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore
import MatchworkSynth

struct SkillGapsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skill-gaps",
        abstract: "A learner's skill gaps against a target occupation's postings, weighted by importance and demand; or a cohort's.",
        discussion: """
            The level asked per skill is the importance-weighted mean of what the target's postings \
            of the last year ask; the learner's level is the one stated, raised by courses passed. \
            A gap's weight is gap × importance × demand, where demand is the open postings asking \
            for the skill against the average skill's, times one plus its forecast growth over the \
            next 12 months (docs/skill-gaps.md).
            """,
        subcommands: [SkillGapsAnalyzeCommand.self, SkillGapsPredictCommand.self, SkillGapsEvaluateCommand.self, SkillGapsPassModelCommand.self],
        defaultSubcommand: SkillGapsAnalyzeCommand.self)
}

/// `--target CODE` or `--target-postings IDS`: what a learner's gaps are measured against.
struct SkillTargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The target occupation (O*NET-SOC code; default: the learner's stated one, else that of the postings they applied to, saved or viewed).", valueName: "CODE"))
    var target: String?

    @Option(name: .customLong("target-postings"), help: ArgumentHelp("Or these postings as the target, comma-separated.", valueName: "IDS"))
    var targetPostings: String?

    var given: Bool { target != nil || targetPostings != nil }

    func validate() throws {
        if target != nil, targetPostings != nil { throw ValidationError("Give --target or --target-postings, not both.") }
    }

    func resolved() throws(MatchworkError) -> SkillTarget? { try SkillTargetArguments.target(occupation: target, postings: targetPostings) }
}

/// How a request names a target.
enum SkillTargetArguments {
    static func target(occupation: String?, postings: String?) throws(MatchworkError) -> SkillTarget? {
        if let occupation {
            let code = occupation.trimmingCharacters(in: .whitespaces)
            guard !code.isEmpty else { throw MatchworkError(.invalidValue, "--target is empty; give an O*NET-SOC code such as 15-1252.00.", field: "--target") }
            return .occupation(code)
        }
        if let postings {
            let ids = try postings.split(separator: ",").map { (id) throws(MatchworkError) in
                try OpportunityID.validated(id.trimmingCharacters(in: .whitespaces), field: "--target-postings")
            }
            guard !ids.isEmpty else { throw MatchworkError(.invalidValue, "--target-postings '\(postings)' names no posting; write ids separated by commas.", field: "--target-postings") }
            return .postings(ids)
        }
        return nil
    }

    static func number(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r).replacingOccurrences(of: #"0$"#, with: "", options: .regularExpression)
    }
}

struct SkillGapsAnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "A learner's gaps (--person), or a cohort's (--cohort all | occupation=CODE | FACET=VALUE,... | near=LAT:LON:KM).")

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("The learner.", valueName: "ID"))
    var person: String?

    @OptionGroup var targetOptions: SkillTargetOptions

    @Option(help: ArgumentHelp("A cohort instead of one learner: all, occupation=CODE, FACET=VALUE (comma-separated, all must hold) or near=LAT:LON:KM.", valueName: "FILTER"))
    var cohort: String?

    @Option(help: ArgumentHelp("Career moves to list for a learner, or skills for a cohort (0-100).", valueName: "N"))
    var top: Int?

    @Option(help: ArgumentHelp("The reference time (default: the latest stored event).", valueName: "TIME"))
    var at: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (person == nil) != (cohort == nil) else { throw ValidationError("Give exactly one of --person ID or --cohort FILTER.") }
        if cohort != nil, targetOptions.given { throw ValidationError("--target applies to one learner; a cohort's learners are measured against their own targets.") }
    }

    func run() async throws {
        try await reportingErrors {
            if let top, !(0...100).contains(top) {
                throw MatchworkError(.invalidValue, "--top \(top) is out of range; give 0 to 100.", field: "--top")
            }
            let filter = try cohort.map { (text) throws(MatchworkError) in try CohortFilter.parse(text, field: "--cohort") }
            let person = try person.map { (id) throws(MatchworkError) in try PersonID.validated(id, field: "--person") }
            let target = try targetOptions.resolved()
            let store = try options.openForReading()
            let now = try at.map { (text) throws(MatchworkError) in try Timestamp.parse(text, field: "--at") }
            let market = SkillMarket(snapshot: try await store.snapshot(now: now))
            if let filter {
                let analysis = market.cohort(filter, top: top ?? 20)
                if json { return print(String(decoding: try CLIJSON.encoder().encode(analysis), as: UTF8.self)) }
                print(analysis.summary)
                if analysis.skills.isEmpty { return print("no learner of the cohort has a gap") }
                print("skills by demand-weighted gap (learners short, mean gap; supply holding the asked level against open postings; courses teaching it):")
                for (i, s) in analysis.skills.enumerated() { print("\(String(i + 1).leftPadded(4)). \(s.reason)") }
                return
            }
            let analysis = try market.analyze(person: person!, target: target, nearest: top ?? SkillMarket.nearestTargetCount)
            if json { return print(String(decoding: try CLIJSON.encoder().encode(analysis), as: UTF8.self)) }
            Self.printText(analysis)
        }
    }

    static func printText(_ a: SkillGapAnalysis) {
        let code = a.target.code.map { " (\($0))" } ?? ""
        print("\(a.person) → \(a.target.title)\(code), \(a.target.chosenBy); \(grouped(a.target.postings)) postings in the last year, \(grouped(a.target.openPostings)) open")
        print(a.summary)
        if !a.gaps.isEmpty {
            print("gaps, heaviest first (weight = gap × importance × demand):")
            for (i, g) in a.gaps.enumerated() {
                print("\(String(i + 1).leftPadded(4)). \(g.reason) [weight \(SkillTargetArguments.number(g.weight))]")
            }
        }
        if !a.met.isEmpty {
            print("meets: " + a.met.map { "\($0.label) \(SkillTargetArguments.number($0.held)) (asked \(SkillTargetArguments.number($0.asked)))" }.joined(separator: ", "))
        }
        if !a.readiness.examples.isEmpty { print("ready for, for example: " + a.readiness.examples.map(\.rawValue).joined(separator: ", ")) }
        if !a.nearestTargets.isEmpty {
            print("nearest targets (importance-weighted levels short):")
            for move in a.nearestTargets { print("      \(move.summary)") }
        }
    }
}


struct SkillGapsPredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "What raising skills, passing courses or following the learning path would do: postings opened, match and rank, and P(hired | applied).",
        discussion: """
            The probability of being hired comes from a logistic model fitted on the store's \
            applications to postings and their hires, with how the applicant's skills then met the \
            posting's asks as features. These are associations learned from the marketplace, not \
            guarantees (docs/skill-gaps.md).
            """)

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("The learner.", valueName: "ID"))
    var person: String

    @OptionGroup var targetOptions: SkillTargetOptions

    @Option(name: .customLong("skill"), help: ArgumentHelp("A skill raised to a level (repeatable): programming=4.", valueName: "NAME=LEVEL"))
    var skills: [String] = []

    @Option(name: .customLong("course"), help: ArgumentHelp("A course supposed passed (repeatable).", valueName: "ID"))
    var courses: [String] = []

    @Flag(help: "Suppose the learner follows their whole learning path (matchwork path).")
    var path = false

    @Option(help: ArgumentHelp("The reference time (default: the latest stored event).", valueName: "TIME"))
    var at: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard !skills.isEmpty || !courses.isEmpty || path else { throw ValidationError("Give a change: --skill NAME=LEVEL, --course ID or --path.") }
    }

    static func changes(skills: [String], courses: [String], path: Bool) throws(MatchworkError) -> [SkillChange] {
        var changes: [SkillChange] = []
        for text in skills {
            let parts = text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let level = Double(parts[1]) else {
                throw MatchworkError(.invalidValue, "--skill '\(text)' is not NAME=LEVEL; write for example --skill programming=4.", field: "--skill")
            }
            changes.append(.skill(parts[0], level: level))
        }
        for id in courses { changes.append(.course(try OpportunityID.validated(id, field: "--course"))) }
        if path { changes.append(.path) }
        return changes
    }

    func run() async throws {
        try await reportingErrors {
            let person = try PersonID.validated(person, field: "--person")
            let target = try targetOptions.resolved()
            let changes = try Self.changes(skills: skills, courses: courses, path: path)
            let store = try options.openForReading()
            let now = try at.map { (text) throws(MatchworkError) in try Timestamp.parse(text, field: "--at") }
            let market = SkillMarket(snapshot: try await store.snapshot(now: now))
            let model = try HireProbabilityModel.fit(HireProbabilityModel.examples(market))
            let impact = try market.impact(person: person, target: target, changes: changes, model: model)
            if json { return print(String(decoding: try CLIJSON.encoder().encode(impact), as: UTF8.self)) }
            let n = SkillTargetArguments.number
            print("\(impact.person) → \(impact.target.title)\(impact.target.code.map { " (\($0))" } ?? "")")
            print(impact.summary)
            for w in impact.warnings { print("warning: \(w)") }
            if !impact.skillsChanged.isEmpty {
                print("skills: " + impact.skillsChanged.map { "\($0.label) \(n($0.from)) → \(n($0.to))" }.joined(separator: ", "))
            }
            print("the target's \(impact.postingsBasis == "open" ? "open" : "last year's") postings (\(impact.postingsConsidered)), best after the change first:")
            for row in impact.postings {
                var line = "      \(row.posting): P(hired | applied) \(Int((100 * row.hireProbabilityBefore).rounded()))% → \(Int((100 * row.hireProbabilityAfter).rounded()))%"
                line += ", match \(Int(row.matchBefore.rounded())) → \(Int(row.matchAfter.rounded()))"
                if let b = row.rankBefore, let a = row.rankAfter { line += ", rank \(b) → \(a)" }
                if row.readyAfter != row.readyBefore { line += ", now ready" }
                print(line)
            }
            print(impact.notice)
        }
    }
}

struct SkillGapsEvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "On a generated learning store: gaps, the hire model, predicted impacts and paths against the generator's hidden ground truth.")

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("Learners sampled for the impact and path measurements (1-100000).", valueName: "N"))
    var learners = 400

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            guard (1...100_000).contains(learners) else {
                throw MatchworkError(.invalidValue, "--learners \(learners) is out of range; give 1 to 100000.", field: "--learners")
            }
            let store = try options.openForReading()
            guard let scenario = try await store.scenario(), scenario == .learning, let document = try await store.groundTruth(for: .learning),
                let truth = try? JSONDecoder().decode(GroundTruth.self, from: Data(document.utf8))
            else {
                throw MatchworkError(.invalidValue, "'\(options.store)' holds no generated learning marketplace with its ground truth; run matchwork generate learning first.", field: "--store")
            }
            let started = monotonicSeconds()
            let market = SkillMarket(snapshot: try await store.snapshot())
            let report = try SkillEvaluation.run(market, truth: truth, learners: learners)
            if json { return print(String(decoding: try CLIJSON.encoder().encode(report), as: UTF8.self)) }
            func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
            let g = report.gaps
            print("gaps, \(g.learners) learners, top 5 against the true top 5 (gap × importance on O*NET's requirements):")
            print("  by weight (gap × importance × demand): precision \(f(g.byWeight.precision)), recall \(f(g.byWeight.recall))")
            print("  by gap × importance:                   precision \(f(g.byGapTimesImportance.precision)), recall \(f(g.byGapTimesImportance.recall))")
            print("  ignoring courses passed (baseline):    precision \(f(g.ignoringCourses.precision)), recall \(f(g.ignoringCourses.recall))")
            print("  levels asked against O*NET's: mean absolute error \(f(g.levelError))")
            let h = report.hires
            print("hire model, trained on the first \(grouped(h.trainApplications)) applications, tested on the last \(grouped(h.model.examples)) (\(grouped(h.model.positives)) hired):")
            print("  model: AUC \(f(h.model.auc)), log loss \(f(h.model.logLoss)), Brier \(f(h.model.brier)), ECE \(f(h.model.expectedCalibrationError))")
            print("  truth (the generator's model, true ability): AUC \(f(h.truth.auc)), log loss \(f(h.truth.logLoss)), Brier \(f(h.truth.brier))")
            print("  base rate: log loss \(f(h.baseRateLogLoss)), Brier \(f(h.baseRateBrier))")
            print("  reliability: " + h.model.reliability.map { "\(f($0.meanProbability, 2))→\(f($0.observedRate, 2)) (\($0.count))" }.joined(separator: ", "))
            let ps = report.passes
            print("pass model, trained on the first \(grouped(ps.trainResults)) results, tested on the last \(grouped(ps.model.examples)) (\(grouped(ps.model.positives)) passed):")
            print("  model: AUC \(f(ps.model.auc)), log loss \(f(ps.model.logLoss)), Brier \(f(ps.model.brier)), ECE \(f(ps.model.expectedCalibrationError))")
            print("  the course's pass rate alone: AUC \(f(ps.courseRate.auc)), log loss \(f(ps.courseRate.logLoss)), Brier \(f(ps.courseRate.brier))")
            print("  truth (the generator's model, true ability and quality): AUC \(f(ps.truth.auc)), log loss \(f(ps.truth.logLoss)), Brier \(f(ps.truth.brier))")
            for i in report.impact {
                print("impact of the \(i.change), \(i.learners) learners: predicted change of P(hired | applied) \(f(i.meanPredicted)), true \(f(i.meanTrue)); MAE \(f(i.meanAbsoluteError)), correlation \(f(i.correlation))")
            }
            let p = report.paths
            print("paths: \(p.planned) planned, \(p.proven) proven optimal, \(p.valid) valid (every prerequisite holds, no course twice, levels reached)")
            print("  greedy against the optimum: \(f(p.greedyRatio)) × its cost on average, equal in \(f(100 * p.greedyOptimalShare, 1))%")
            print("  courses learners passed, \(p.learners) learners: \(f(p.actualHours, 1)) h on average; the optimal path to the same levels \(f(p.plannedHours, 1)) h (mean ratio \(f(p.meanRatio))), \(f(p.unconstrainedHours, 1)) h ignoring prerequisites as the learners could (ratio \(f(p.unconstrainedRatio)))")
            print("  the \(p.prerequisiteKeepers) who met every prerequisite: \(f(p.keepersActualHours, 1)) h passed against \(f(p.keepersPlannedHours, 1)) h on the optimal path")
            Terminal.writeError("evaluated in \(f(monotonicSeconds() - started, 1)) s\n")
        }
    }
}

struct SkillGapsPassModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pass-model",
        abstract: "The pass model fitted on real course results (OULAD) and scored on later runs, against the course's pass rate.",
        discussion: """
            Fits the same pass model the learning paths use (docs/learning-paths.md) on the OULAD \
            presentations before the test runs and scores P(pass) on the test runs: AUC, log loss, \
            Brier score and calibration. --features-out writes the rows and features both sides \
            see, so Benchmarks/peers/oulad_pass.py fits its peers on identical inputs.
            """)

    @Option(help: ArgumentHelp("The OULAD directory (studentInfo.csv and courses.csv).", valueName: "DIR"))
    var oulad: String

    @Option(name: .customLong("test"), help: ArgumentHelp("The runs to test on, comma-separated; the others train.", valueName: "RUNS"))
    var testRuns = "2014J"

    @Option(help: ArgumentHelp("A withdrawal is not a result (exclude) or a failure (fail).", valueName: "exclude|fail"))
    var withdrawn = "exclude"

    @Flag(name: .customLong("no-education"), help: "Leave the learners' prior education (highest_education) out of the model.")
    var noEducation = false

    @Option(name: .customLong("features-out"), help: ArgumentHelp("Write train.csv, test.csv and predictions.csv here for the peers.", valueName: "DIR"))
    var featuresOut: String?

    @Flag(help: "Print one JSON object instead of text (without the per-row predictions).")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let terms = Set(testRuns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            guard !terms.isEmpty else { throw MatchworkError(.invalidValue, "--test '\(testRuns)' names no run; give presentations such as 2014J.", field: "--test") }
            let history = try PublicDatasets.ouladHistory(directory: oulad)
            guard let policy = PassHistory.Withdrawn(rawValue: withdrawn) else {
                throw MatchworkError(.invalidValue, "--withdrawn '\(withdrawn)' is not a policy; give exclude or fail.", field: "--withdrawn")
            }
            var report = try history.evaluate(testTerms: terms, withdrawn: policy, education: !noEducation)
            if let featuresOut { try PublicDatasets.writePassExamples(history, evaluation: report, to: featuresOut, attributionFrom: oulad) }
            report.predictions = []
            if json { return print(String(decoding: try CLIJSON.encoder().encode(report), as: UTF8.self)) }
            func f(_ x: Double) -> String { String(format: "%.3f", x) }
            func line(_ q: ClassifierQuality) -> String { "AUC \(f(q.auc)), log loss \(f(q.logLoss)), Brier \(f(q.brier)), ECE \(f(q.expectedCalibrationError))" }
            print("pass model on OULAD: trained on \(grouped(report.trainResults)) results, tested on \(grouped(report.model.examples)) of \(report.testTerms.joined(separator: ", ")) (\(grouped(report.model.positives)) passed, \(f(report.testPassRate)); withdrawals \(policy == .exclude ? "excluded" : "count as failures"); prior education \(noEducation ? "left out" : "used"))")
            print("  model:                    " + line(report.model))
            print("  the course's pass rate:   " + line(report.courseRate))
            print("  the training pass rate:   " + line(report.trainingPassRate))
            print("  weights (standardised): " + report.weights.filter { $0.weight != 0 }.map { "\($0.feature) \(String(format: "%+.3f", $0.weight))" }.joined(separator: ", "))
            print("  reliability: " + report.model.reliability.map { "\(String(format: "%.2f", $0.meanProbability))→\(String(format: "%.2f", $0.observedRate)) (\($0.count))" }.joined(separator: ", "))
            if let featuresOut { print("rows and features for the peers in \(featuresOut)/ (train.csv, test.csv, predictions.csv)") }
        }
    }
}
