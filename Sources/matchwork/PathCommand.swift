import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct PathCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path",
        abstract: "The courses that close a learner's skill gaps, in an order whose every prerequisite holds, at the least hours, price or expected time.",
        discussion: """
            A course can be taken once its prerequisites are met by the learner's skills plus the \
            courses before it. The planner searches for the optimum (branch and bound) and, when \
            its node budget runs out, returns the best path found with how far above the optimum \
            it can be. Each step says which gaps it closes, where its prerequisites come from, its \
            hours and pass rate, and the open postings it makes the learner ready for. Gaps no \
            open course closes are listed as such (docs/learning-paths.md).
            """)

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("The learner.", valueName: "ID"))
    var person: String

    @OptionGroup var targetOptions: SkillTargetOptions

    @Option(help: ArgumentHelp("hours (default), price, or expected_time (hours divided by the pass rate: retakes included).", valueName: "OBJECTIVE"))
    var objective = "hours"

    @Option(name: .customLong("max-hours"), help: ArgumentHelp("At most this many hours: the lightest gaps are left for later until the path fits.", valueName: "N"))
    var maxHours: Double?

    @Option(name: .customLong("node-budget"), help: ArgumentHelp("Search nodes before settling for the best path found (1-10000000).", valueName: "N"))
    var nodeBudget = 200_000

    @Option(help: ArgumentHelp("The reference time (default: the latest stored event).", valueName: "TIME"))
    var at: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let person = try PersonID.validated(person, field: "--person")
            let target = try targetOptions.resolved()
            let settings = PathSettings(objective: try PathObjective.parse(objective, field: "--objective"), maxHours: maxHours, nodeBudget: nodeBudget)
            if let maxHours, !(maxHours.isFinite && maxHours > 0) {
                throw MatchworkError(.invalidValue, "--max-hours \(maxHours) must be a positive number of hours.", field: "--max-hours")
            }
            guard PathSettings.nodeBudgets.contains(nodeBudget) else {
                throw MatchworkError(.invalidValue, "--node-budget \(nodeBudget) is out of range; give 1 to 10000000.", field: "--node-budget")
            }
            let store = try options.openForReading()
            let now = try at.map { (text) throws(MatchworkError) in try Timestamp.parse(text, field: "--at") }
            let market = SkillMarket(snapshot: try await store.snapshot(now: now))
            let path = try market.path(person: person, target: target, settings: settings)
            if json { return print(String(decoding: try CLIJSON.encoder().encode(path), as: UTF8.self)) }
            let n = SkillTargetArguments.number
            print("\(path.person) → \(path.target.title)\(path.target.code.map { " (\($0))" } ?? ""), \(path.target.chosenBy)")
            print(path.summary)
            for step in path.steps {
                print("\(String(step.position).leftPadded(4)). \(step.course)\(step.title.map { " \"\($0)\"" } ?? ""): \(step.reason)")
                if !step.newlyReadyExamples.isEmpty {
                    print("        ready after it for: " + step.newlyReadyExamples.map(\.rawValue).joined(separator: ", ") + (step.newlyReady > step.newlyReadyExamples.count ? ", …" : ""))
                }
            }
            if !path.steps.isEmpty {
                var totals = "total: \(n(path.totalHours)) h"
                if path.totalPrice > 0 { totals += ", \(n(path.totalPrice)) in fees" }
                totals += ", \(n(path.expectedHours)) h expected with retakes"
                if let greedy = path.optimality.greedyCost { totals += "; greedy plan \(n(greedy)) (\(path.objective.rawValue)), this one \(n(path.optimality.cost))" }
                print(totals)
            }
            for gap in path.unclosed { print("not closed: \(gap.reason)") }
        }
    }
}
