import ArgumentParser
import MatchworkCore
import MatchworkStore

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an empty store, optionally bound to a scenario preset.",
        discussion: "With --scenario, imported records are checked against that scenario's vocabulary.")

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("missions, cleaning or learning.", valueName: "NAME"))
    var scenario: String?

    func run() async throws {
        try await reportingErrors {
            let scenario = try scenario.map { (s) throws(MatchworkError) in try ScenarioName.parse(s, field: "--scenario") }
            let store = try SQLiteStore(path: options.store)
            if let scenario { try await store.setScenario(scenario) }
            Terminal(quiet: options.quiet).say("Store ready at \(options.store)" + (scenario.map { " for the \($0.rawValue) scenario" } ?? "") + ".")
        }
    }
}
