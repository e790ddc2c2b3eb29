import ArgumentParser

@main
struct Matchwork: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matchwork",
        abstract: "A self-hosted recommendation engine for work marketplaces.",
        discussion: """
            Matches people to work and work to people: clinicians to hospital missions, cleaners \
            to cleaning jobs, learners to courses. Data lives in an embedded SQLite store \
            (--store, default ./matchwork.sqlite).
            """,
        subcommands: [InitCommand.self, GenerateCommand.self, ImportCommand.self, ExportCommand.self, StatsCommand.self, RecommendCommand.self, SimilarCommand.self, BacktestCommand.self, TrainCommand.self, ModelsCommand.self, RefreshCommand.self, ServeCommand.self, KeysCommand.self, EventsCommand.self, SplitCommand.self, EvaluateCommand.self, ConvertCommand.self])
}
