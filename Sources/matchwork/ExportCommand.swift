import ArgumentParser
import MatchworkStore

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the store's people, opportunities and interactions files.",
        discussion: "The files use the import formats, so exporting then importing loses nothing.")

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("The directory to write into (created when missing).", valueName: "DIR"))
    var out: String

    @Option(help: "csv or jsonl.")
    var format: String = "csv"

    func run() async throws {
        try await reportingErrors {
            guard let fileFormat = RecordFileFormat(rawValue: format) else {
                throw StoreError(.invalidInput, "--format '\(format)' is not a file format; use csv or jsonl.")
            }
            let terminal = Terminal(quiet: options.quiet)
            let store = try options.openForReading()
            terminal.progress("exporting…")
            let summary = try await Exporter(store: store).export(to: out, format: fileFormat)
            terminal.endProgress()
            terminal.say("Exported \(grouped(summary.people)) people, \(grouped(summary.opportunities)) opportunities and \(grouped(summary.interactions)) events to:")
            for file in summary.files { terminal.say("  \(file)") }
        }
    }
}
