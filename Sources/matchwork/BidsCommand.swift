import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct BidsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bids",
        abstract: "What a worker should bid on an opportunity, the suggestions kept, and how they fared.",
        discussion: """
            suggest ranks the opportunity's bidders again with the worker's bid at each amount \
            weighed (the bid head's range, the current bid, --amount values and a grid over what \
            the market's bids show): the place it would take and, with a trained ranker, the \
            chance of being hired and of being among the client's first three, and the amount \
            that maximises expected earnings (docs/bid-suggestions.md).
            """,
        subcommands: [Suggest.self, List.self, Calibration.self])

    /// The engine as `recommend --mode ranked` serves it: the neural model (for the bid head),
    /// the collaborative index and the ranker from the store's registry.
    static func engine(options: StoreOptions, engineOptions: EngineOptions, modelOptions: ModelOptions, store: SQLiteStore) async throws -> RecommendationEngine {
        let snapshot = try await store.snapshot(now: nil)
        var configuration = try engineOptions.configuration(scenario: snapshot.preset?.name)
        let learned = modelOptions.servingModel(store: options.store, snapshot: snapshot)
        let cache = modelOptions.servingCollaborative(store: options.store, snapshot: snapshot, configuration: &configuration)
        let ranker = modelOptions.servingRanker(store: options.store, snapshot: snapshot)
        return try RecommendationEngine(snapshot: snapshot, configuration: configuration, collaborativeCache: cache, learnedModel: learned).with(ranker: ranker)
    }

    struct Suggest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suggest a bid: the range, and per amount the place, the win probabilities and expected earnings.")

        @OptionGroup var options: StoreOptions
        @OptionGroup var engineOptions: EngineOptions
        @OptionGroup var modelOptions: ModelOptions

        @Option(help: ArgumentHelp("The worker who would bid.", valueName: "ID"))
        var person: String

        @Option(help: ArgumentHelp("The opportunity to bid on.", valueName: "ID"))
        var opportunity: String

        @Option(name: .customLong("amount"), help: ArgumentHelp("An amount to weigh besides the grid (repeatable).", valueName: "AMOUNT"))
        var amounts: [Double] = []

        @Flag(help: "Keep the suggestion as a record in the store, as the API does (matchwork bids list shows it).")
        var record = false

        @Flag(help: "Print every amount weighed, not only the suggested ones and the best.")
        var all = false

        @Flag(help: "Print one JSON object instead of text.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let person = try PersonID.validated(person, field: "--person")
                let opportunity = try OpportunityID.validated(opportunity, field: "--opportunity")
                let store = try record ? options.openExisting() : options.openForReading()
                let engine = try await BidsCommand.engine(options: options, engineOptions: engineOptions, modelOptions: modelOptions, store: store)
                let advice = try engine.adviseBid(BidAdviceRequest(person: person, opportunity: opportunity, amounts: amounts))
                var id: String?
                if record {
                    let made = BidSuggestionRecord.newID()
                    try await store.recordBidSuggestion(BidSuggestionRecord(id: made, advice: advice, requestID: nil, keyID: nil, suggestedAt: .now))
                    id = made
                }
                if json {
                    struct Output: Encodable {
                        var suggestionId: String?
                        var advice: BidAdvice
                    }
                    print(String(decoding: try CLIJSON.encoder().encode(Output(suggestionId: id, advice: advice)), as: UTF8.self))
                } else {
                    print(Self.render(advice, engine: engine, all: all))
                    if let id, !options.quiet { Terminal.writeError("Recorded as \(id).\n") }
                }
            }
        }

        static func render(_ a: BidAdvice, engine: RecommendationEngine, all: Bool) -> String {
            var lines = ["Bid for \(a.person) on \(a.opportunity): ranked by \(a.answeredBy.joined(separator: " + "))\(a.modelVersion.map { " (models \($0))" } ?? "")"]
            for f in a.fallbacks { lines.append("  (\(f.component) could not answer: \(f.reason))") }
            let i = a.inputs
            var inputs: [String] = []
            if let b = i.clientBudget { inputs.append("budget \(money(b))") }
            if let m = i.marketAverage { inputs.append("market average \(money(m))") }
            if let l = i.lowestBid { inputs.append("lowest of \(i.bidCount) other \(i.bidCount == 1 ? "bid" : "bids") \(money(l))") } else { inputs.append("no other bids") }
            if let c = i.currentBid { inputs.append("your bid \(money(c))") }
            if let p = i.personAverage { inputs.append("your average \(money(p))") }
            if let w = i.winRate { inputs.append("your win rate \(Int((100 * w).rounded()))%") }
            lines.append("  " + inputs.joined(separator: ", "))
            if let s = a.suggestion { lines.append("  suggested range \(money(s.minimum))-\(money(s.maximum)), optimal \(money(s.optimal))") }
            if let best = a.best { lines.append("  best expected earnings at \(money(best.amount)): \(best.reason)") }
            if let notice = a.notice { lines.append(notice) }
            for o in a.outlooks where all || !o.tags.isEmpty {
                let tags = o.tags.isEmpty ? "" : "  [\(o.tags.joined(separator: ", "))]"
                lines.append("  \(o.reason)\(tags)")
            }
            return lines.joined(separator: "\n")
        }

        static func money(_ x: Double) -> String { String(format: "%.2f", x) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the bid suggestions kept, with what became of each (from the event log).")

        @OptionGroup var options: StoreOptions

        @Option(help: ArgumentHelp("Only this worker's.", valueName: "ID"))
        var person: String?

        @Option(help: ArgumentHelp("Only this opportunity's.", valueName: "ID"))
        var opportunity: String?

        @Option(help: "How many, newest last (1-1000).")
        var limit = 100

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                guard (1...PageRequest.maximumLimit).contains(limit) else {
                    throw MatchworkError(.invalidValue, "--limit \(limit) must be 1-\(PageRequest.maximumLimit).", field: "--limit")
                }
                let person = try person.map { (p) throws(MatchworkError) in try PersonID.validated(p, field: "--person") }
                let opportunity = try opportunity.map { (o) throws(MatchworkError) in try OpportunityID.validated(o, field: "--opportunity") }
                let store = try options.openForReading()
                let snapshot = try await store.snapshot(now: nil)
                let records = try await BidsCommand.records(store, snapshot: snapshot, person: person, opportunity: opportunity, limit: limit)
                if json {
                    print(String(decoding: try CLIJSON.encoder().encode(records), as: UTF8.self))
                    return
                }
                if records.isEmpty { print("No bid suggestions are kept; `matchwork bids suggest --record` or POST /api/v1/bids/suggest makes them.") }
                for r in records {
                    let range = r.range.map { " range \(Suggest.money($0.lowerBound))-\(Suggest.money($0.upperBound))" } ?? ""
                    let best = r.bestAmount.map { a in " best \(Suggest.money(a))\(r.bestHireProbability.map { " (\(Int((100 * $0).rounded()))%)" } ?? "")" } ?? ""
                    let fate: String
                    if let f = r.fate, let bid = f.bidAmount {
                        let used = f.used.map { $0 ? ", in range" : ", outside the range" } ?? ""
                        let won = f.won.map { $0 ? ", won" : ", lost" } ?? ", undecided"
                        fate = "bid \(Suggest.money(bid))\(used)\(won)"
                    } else {
                        fate = "no bid yet"
                    }
                    print("\(r.id)  \(r.suggestedAt)  \(r.person) on \(r.opportunity):\(range)\(best); \(fate)")
                }
            }
        }
    }

    struct Calibration: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "How the kept suggestions fared: bids within the range, predicted against observed wins.")

        @OptionGroup var options: StoreOptions

        @Option(help: ArgumentHelp("Only this worker's.", valueName: "ID"))
        var person: String?

        @Option(help: ArgumentHelp("Only this opportunity's.", valueName: "ID"))
        var opportunity: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let person = try person.map { (p) throws(MatchworkError) in try PersonID.validated(p, field: "--person") }
                let opportunity = try opportunity.map { (o) throws(MatchworkError) in try OpportunityID.validated(o, field: "--opportunity") }
                let store = try options.openForReading()
                let snapshot = try await store.snapshot(now: nil)
                let records = try await BidsCommand.records(store, snapshot: snapshot, person: person, opportunity: opportunity, limit: nil)
                let c = BidCalibration(fates: records.compactMap(\.fate))
                if json {
                    print(String(decoding: try CLIJSON.encoder().encode(c), as: UTF8.self))
                    return
                }
                func share(_ n: Int, _ of: Int) -> String { of == 0 ? "-" : "\(Int((100 * Double(n) / Double(of)).rounded()))%" }
                print("\(c.suggestions) \(c.suggestions == 1 ? "suggestion" : "suggestions"); \(c.followed) followed by a bid, \(share(c.inRange, c.followed)) of them within the range; \(c.decided) decided, \(c.won) won")
                if let p = c.meanPredicted, let o = c.observedWinRate, let e = c.calibrationError {
                    print(String(format: "predicted hire probability %.3f against %.3f observed; calibration error %.3f", p, o, e))
                    for b in c.bands {
                        print(String(format: "  %.1f-%.1f: %d bids, predicted %.3f, observed %.3f", b.low, b.high, b.bids, b.meanPredicted, b.observed))
                    }
                }
            }
        }
    }

    /// The kept suggestions (all, or the first `limit`) with their fate from `snapshot`.
    static func records(_ store: SQLiteStore, snapshot: MarketplaceSnapshot, person: PersonID?, opportunity: OpportunityID?, limit: Int?) async throws -> [BidSuggestionRecord] {
        var out: [BidSuggestionRecord] = []
        var after: Int64?
        repeat {
            let page = try await store.bidSuggestions(PageRequest(limit: min(limit ?? PageRequest.maximumLimit, PageRequest.maximumLimit), after: after), opportunity: opportunity, person: person)
            out += page.items.map { $0.withFate(in: snapshot) }
            after = page.next
        } while after != nil && (limit.map { out.count < $0 } ?? true)
        return limit.map { Array(out.prefix($0)) } ?? out
    }
}
