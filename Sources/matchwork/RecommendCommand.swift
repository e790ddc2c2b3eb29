import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct RecommendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Recommend opportunities for a person, or people for an opportunity, with reasons.",
        discussion: """
            Hard filters always apply: open with a free slot, not already applied to or decided, \
            certifications valid on the start date, qualifying specialty, distance, availability, \
            capacity. Modes: rule_based, similarity, neighbourhood, collaborative, popularity, ensemble (default). \
            A mode that cannot answer falls back (neighbourhood → similarity → popularity → \
            recency) and the output says which component answered.
            """)

    @OptionGroup var options: StoreOptions

    @OptionGroup var engineOptions: EngineOptions

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: ArgumentHelp("Recommend opportunities for this person.", valueName: "ID"))
    var person: String?

    @Option(help: ArgumentHelp("Recommend people for this opportunity.", valueName: "ID"))
    var opportunity: String?

    @Option(help: "How many results (1-1000).")
    var count = 10

    @Option(help: ArgumentHelp("rule_based, similarity, neighbourhood, collaborative, popularity, neural or ensemble (default ensemble).", valueName: "MODE"))
    var mode = "ensemble"

    @Option(name: .customLong("max-distance"), help: ArgumentHelp("Greatest distance in kilometres.", valueName: "KM"))
    var maxDistance: Double?

    @Option(name: .customLong("filter"), help: ArgumentHelp("Keep candidates listing one of these values, e.g. service=emergency|surgery (repeatable).", valueName: "FACET=VALUES"))
    var filters: [String] = []

    @Option(name: .customLong("starts-after"), help: ArgumentHelp("Only opportunities starting at or after this date or time.", valueName: "DATE"))
    var startsAfter: String?

    @Option(name: .customLong("starts-before"), help: ArgumentHelp("Only opportunities starting at or before this date or time.", valueName: "DATE"))
    var startsBefore: String?

    @Option(name: .customLong("min-price"), help: ArgumentHelp("Lowest price (pay, budget or price; a person's rate for people).", valueName: "AMOUNT"))
    var minPrice: Double?

    @Option(name: .customLong("max-price"), help: ArgumentHelp("Highest price.", valueName: "AMOUNT"))
    var maxPrice: Double?

    @Option(name: .customLong("exclude"), help: ArgumentHelp("Ids never to recommend (repeatable).", valueName: "ID"))
    var excluded: [String] = []

    @Option(help: ArgumentHelp("For --opportunity: everyone, or only its applicants.", valueName: "POOL"))
    var pool = "everyone"

    @Option(help: ArgumentHelp("The reference time (default: the latest stored event).", valueName: "TIME"))
    var at: String?

    @Option(help: ArgumentHelp("Courses whose prerequisites the learner lacks: strict leaves them out (default), warn keeps them with why.", valueName: "POLICY"))
    var prerequisites = "strict"

    @Flag(name: .customLong("path-first"), help: "For a learner: the next course of their best learning path first; path courses say which step they are (docs/learning-paths.md).")
    var pathFirst = false

    @Flag(help: "Show reasons, assumptions and each rule's share.")
    var explain = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws { try SubjectArguments.checkOne(person: person, opportunity: opportunity) }

    func run() async throws {
        try await reportingErrors {
            let request = try makeRequest()
            let store = try options.openForReading()
            let now = try at.map { (text) throws(MatchworkError) in try Timestamp.parse(text, field: "--at") }
            let snapshot = try await store.snapshot(now: now)
            var configuration = try engineOptions.configuration(scenario: snapshot.preset?.name)
            // `ranked` falls back to the ensemble, which needs what the ensemble needs.
            let blends = request.mode == .ensemble || request.mode == .ranked
            let needsModel = request.mode == .neural || (blends && (configuration.ensemble ?? ScenarioFeatures.forScenario(snapshot.preset?.name).ensemble).learnedShare > 0)
            let learned = needsModel ? modelOptions.servingModel(store: options.store, snapshot: snapshot) : nil
            let cache = request.mode == .collaborative || blends
                ? modelOptions.servingCollaborative(store: options.store, snapshot: snapshot, configuration: &configuration) : nil
            let ranker = blends ? modelOptions.servingRanker(store: options.store, snapshot: snapshot) : nil
            let engine = try RecommendationEngine(snapshot: snapshot, configuration: configuration, collaborativeCache: cache, learnedModel: learned).with(ranker: ranker)
            let result = try engine.recommend(request)
            if json {
                let encoder = CLIJSON.encoder()
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print(Self.render(result, engine: engine, explain: explain))
            }
        }
    }

    /// The request the options describe, checked as the API checks its members (``RequestDraft``).
    func makeRequest() throws(MatchworkError) -> RecommendationRequest {
        var draft = RequestDraft()
        draft.person = person
        draft.opportunity = opportunity
        draft.count = count
        draft.mode = mode
        draft.pool = pool
        draft.maxDistanceKm = maxDistance
        for text in filters {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw MatchworkError(.invalidValue, "--filter '\(text)' is not FACET=VALUES; write for example --filter service=emergency|surgery.", field: "--filter")
            }
            draft.facets.append((parts[0], parts[1].split(separator: "|").map(String.init)))
        }
        draft.startsAfter = try startsAfter.map { (t) throws(MatchworkError) in try Timestamp.parse(t, field: "--starts-after") }
        draft.startsBefore = try startsBefore.map { (t) throws(MatchworkError) in try Timestamp.parse(t, field: "--starts-before") }
        draft.minPrice = minPrice
        draft.maxPrice = maxPrice
        draft.prerequisites = prerequisites
        draft.exclude = excluded
        draft.pathFirst = pathFirst
        return try draft.build(names: .commandLine)
    }

    static func render(_ r: Recommendations, engine: RecommendationEngine, explain: Bool) -> String {
        let words = engine.features.words
        var lines: [String] = []
        let header: String
        switch r.subject {
        case .person(let id):
            let name = engine.snapshot.personIndex.index(of: id).flatMap { engine.snapshot.people[Int($0)].name }
            header = "\(capitalised(words.opportunities)) for \(id)\(name.map { " (\($0))" } ?? "")"
        case .opportunity(let id):
            let title = engine.snapshot.opportunityIndex.index(of: id).flatMap { engine.snapshot.opportunities[Int($0)].title }
            header = "\(capitalised(words.people)) for \(id)\(title.map { " (\($0))" } ?? "")"
        }
        let removed = r.filtered.values.reduce(0, +)
        let model = r.modelVersion.map { " (model\($0.contains(",") ? "s" : "") \($0))" } ?? ""
        lines.append("\(header): mode \(r.requestedMode.rawValue), answered by \(r.answeredBy.isEmpty ? "none" : r.answeredBy.joined(separator: " + "))\(model); \(grouped(r.candidates)) candidates, \(grouped(removed)) removed by hard filters")
        for f in r.fallbacks { lines.append("  (\(f.component) could not answer: \(f.reason))") }
        if explain, !r.filtered.isEmpty {
            lines.append("  filters: " + r.filtered.sorted { ($0.value, Self.checkOrder($1.key)) > ($1.value, Self.checkOrder($0.key)) }.map { "\($0.key) \(grouped($0.value))" }.joined(separator: ", "))
        }
        if let notice = r.notice { lines.append(notice) }
        for (rank, item) in r.items.enumerated() {
            let title = item.title.map { "  \($0)" } ?? ""
            lines.append(String(format: "%2d. %@%@  score %.1f", rank + 1, item.id, title, item.score))
            let parts = item.breakdown.map { String(format: "%@ %.1f", $0.component, $0.points) }.joined(separator: " · ")
            lines.append("    " + parts + (item.adjustment < 1 ? String(format: " · anti-congestion ×%.2f", item.adjustment) : ""))
            if let bid = item.suggestedBid {
                lines.append(String(format: "    suggested bid %.2f (sensible range %.2f to %.2f)", bid.optimal, bid.minimum, bid.maximum))
            }
            if explain {
                for part in item.breakdown where !part.parts.isEmpty {
                    if part.component == RecommendationMode.neural.rawValue {
                        let points = part.parts.map { String(format: "%@ %.1f", $0.component == "neural_collaborative" ? "collaborative part" : "content part", $0.points) }
                        lines.append(String(format: "    neural: %.2f of the best candidate's score; ", part.value) + points.joined(separator: ", ") + " points")
                    } else if part.component == RecommendationMode.ranked.rawValue {
                        // The ranker's points per group of features, largest first; those under a
                        // twentieth of a point are left out.
                        let shown = part.parts.filter { abs($0.points) >= 0.05 }.sorted { abs($0.points) > abs($1.points) }
                        lines.append("    ranker points: " + shown.map { String(format: "%@ %+.1f", $0.component, $0.points) }.joined(separator: ", "))
                    } else {
                        lines.append("    rules: " + part.parts.map { String(format: "%@ %.2f", $0.component, $0.value) + ($0.assumed ? "*" : "") }.joined(separator: ", "))
                    }
                }
                for reason in item.reasons { lines.append("    - \(reason)") }
                for assumption in item.assumptions { lines.append("    * \(assumption)") }
            } else if !item.reasons.isEmpty {
                lines.append("    - " + item.reasons.prefix(3).joined(separator: "; "))
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension RecommendCommand {
    /// Where a hard filter comes in the order they are checked (ties in the filters line follow it).
    static func checkOrder(_ name: String) -> Int { HardFilter.allCases.firstIndex { $0.rawValue == name } ?? HardFilter.allCases.count }
}

private func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
