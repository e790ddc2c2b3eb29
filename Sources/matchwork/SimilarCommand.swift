import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "List opportunities like an opportunity, or people like a person.",
        discussion: """
            Similarity is shared interest first (item-kNN and user-kNN: the shrunk cosine of the \
            people interested in two opportunities, or of the opportunities two people were \
            interested in), then, for candidates sharing nobody, the cosine of their features. \
            Opportunities: open ones unless --include-closed.
            """)

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("Opportunities like this one.", valueName: "ID"))
    var opportunity: String?

    @Option(help: ArgumentHelp("People like this person.", valueName: "ID"))
    var person: String?

    @Option(help: "How many results (1-1000).")
    var count = 10

    @Flag(help: "With --opportunity: include filled and closed opportunities.")
    var includeClosed = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws { try SubjectArguments.checkOne(person: person, opportunity: opportunity) }

    func run() async throws {
        try await reportingErrors {
            let subject = try SubjectArguments.subject(person: person, opportunity: opportunity)
            let store = try options.openForReading()
            let snapshot = try await store.snapshot(now: nil)
            let engine = try RecommendationEngine(snapshot: snapshot)
            let result = try engine.similar(to: subject, count: count, includeClosed: includeClosed)
            if json {
                let encoder = CLIJSON.encoder()
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
                return
            }
            let words = engine.features.words
            switch subject {
            case .opportunity(let id): print("\(words.opportunities.prefix(1).uppercased() + words.opportunities.dropFirst()) like \(id):")
            case .person(let id): print("\(words.people.prefix(1).uppercased() + words.people.dropFirst()) like \(id):")
            }
            if let notice = result.notice { print("  (\(notice))") }
            for (rank, item) in result.items.enumerated() {
                let title = item.title.map { " \($0)" } ?? ""
                let number = String(rank + 1)
                print("\(String(repeating: " ", count: max(0, 3 - number.count)))\(number). \(item.id)\(title)  \(String(format: "%.3f", item.similarity))  \(item.reason)")
            }
        }
    }
}
