import ArgumentParser

@main
struct Matchwork: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matchwork",
        abstract: "A self-hosted recommendation engine for work marketplaces.",
        discussion: """
            Matches people to work and work to people: clinicians to hospital missions, cleaners \
            to cleaning jobs, learners to courses. Data lives in an embedded SQLite store \
            (--store, default ./matchwork.sqlite). Errors exit with status 1; a command line \
            that cannot be parsed exits with status 64 and says what to type.
            """,
        version: MatchworkVersion.current,
        subcommands: [
            InitCommand.self, GenerateCommand.self, ImportCommand.self, ExportCommand.self, StatsCommand.self, RecommendCommand.self, SimilarCommand.self,
            BacktestCommand.self, TrainCommand.self, ModelsCommand.self, RefreshCommand.self, ServeCommand.self, KeysCommand.self, EventsCommand.self, ServedCommand.self,
            SplitCommand.self, EvaluateCommand.self, ConvertCommand.self, ForecastCommand.self, TrendsCommand.self, SkillGapsCommand.self, PathCommand.self, BidsCommand.self, ExperimentsCommand.self, ScoresCommand.self,
        ])

    static func main() async {
        await main(normalised(Array(CommandLine.arguments.dropFirst())))
    }

    /// The command line as the parser should read it.
    ///
    /// - A negative number after an option is its value (`--max-distance -5` reads as
    ///   `--max-distance=-5`, not as a flag named `-5`), so that the value's own check names it.
    /// - Options given before a subcommand of `models`, `keys` or `events` belong to that
    ///   subcommand (`models --store X use V` reads as `models use --store X V`).
    static func normalised(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            if argument.hasPrefix("--"), !argument.contains("="), i + 1 < arguments.count, isNegativeNumber(arguments[i + 1]) {
                out.append(argument + "=" + arguments[i + 1])
                i += 2
                continue
            }
            out.append(argument)
            i += 1
        }
        let groups: [String: [String]] = [
            "models": ["list", "use", "unpin"], "keys": ["create", "list", "revoke"], "events": ["retract"], "bids": ["suggest", "list", "calibration"],
        ]
        // Flags take no value; any other option before the subcommand takes the next token.
        let flags: Set<String> = ["--quiet", "--json"]
        if let parent = out.first, let names = groups[parent], out.count > 2, out[1].hasPrefix("-"),
            let position = out.indices.dropFirst(2).first(where: { i in
                names.contains(out[i]) && (!out[i - 1].hasPrefix("--") || out[i - 1].contains("=") || flags.contains(out[i - 1]))
            })
        {
            out.insert(out.remove(at: position), at: 1)
        }
        return out
    }

    static func isNegativeNumber(_ text: String) -> Bool {
        guard text.count > 1, text.first == "-" else { return false }
        return Double(text) != nil
    }
}
