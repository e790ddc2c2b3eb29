import Foundation
import MatchworkCore
import MatchworkStore
import Testing

/// `matchwork served prune` (issue 21, item 11).
@Suite("Pruning served lists on the command line")
struct ServedCLITests {
    @Test func pruneWritesTheListsToAFileThenDeletesThem() async throws {
        let dir = Scratch()
        let cli = dir.cli
        #expect(try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "a.sqlite"]).status == 0)
        let store = try SQLiteStore(path: dir.file("a.sqlite"))
        let person = try #require(try await store.people().first { $0.role == .worker }).id
        let job = try #require(try await store.opportunities().first).id
        func list(_ id: String, day: String) throws -> ServedList {
            ServedList(
                id: id, subject: .person(person), mode: "ensemble", answeredBy: ["rule_based"], modelVersion: nil, requestID: "req-\(id)", keyID: nil,
                servedAt: try Timestamp.parse(day, field: "day"), items: [ServedItem(id: job.rawValue, rank: 1, score: 42.5, breakdown: [])])
        }
        try await store.recordServed([try list("rec-a", day: "2026-01-05"), try list("rec-b", day: "2026-01-06"), try list("rec-c", day: "2026-03-01")])
        let time = try Timestamp.parse("2026-03-02", field: "day")
        let event = try Interaction(eventID: "hire-b", person: person, opportunity: job, type: .hire, timestamp: time)
        _ = try await store.recordOutcome(
            OutcomeRecord(eventID: "hire-b", recommendationID: "rec-b", itemID: job.rawValue, rank: 1, outcome: "hired", value: nil, timestamp: time), event: event)

        let unsaid = try cli.run(["served", "prune", "--store", "a.sqlite", "--before", "2026-02-01"])
        #expect(unsaid.status != 0)
        #expect(unsaid.stderr.contains("Give --export FILE to keep a copy of the lists deleted, or --discard"), "\(unsaid.stderr)")
        let future = try cli.run(["served", "prune", "--store", "a.sqlite", "--before", "2099-01-01", "--discard"])
        #expect(future.status != 0)
        #expect(future.stderr.contains("--before 2099-01-01T00:00:00Z is in the future"), "\(future.stderr)")
        #expect(try await store.servedList(id: "rec-a") != nil, "a refused prune deletes nothing")

        let pruned = try cli.run(["served", "prune", "--store", "a.sqlite", "--before", "2026-02-01", "--export", "old.jsonl"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.contains("Wrote 1 served list to old.jsonl."), "\(pruned.stdout)")
        #expect(pruned.stdout.contains("Deleted 1 served list dated before 2026-02-01T00:00:00Z; kept 1 that outcomes or feedback refer to."), "\(pruned.stdout)")
        let lines = dir.read("old.jsonl").split(separator: "\n")
        #expect(lines.count == 1)
        let exported = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(exported?["id"] as? String == "rec-a")
        #expect(exported?["request_id"] as? String == "req-rec-a")
        #expect((exported?["items"] as? [[String: Any]])?.first?["score"] as? Double == 42.5)
        #expect(try await store.servedList(id: "rec-a") == nil)
        #expect(try await store.servedList(id: "rec-b")?.id == "rec-b")
        #expect(try await store.servedList(id: "rec-c")?.id == "rec-c")

        // An existing file is never overwritten; nothing is deleted then.
        let again = try cli.run(["served", "prune", "--store", "a.sqlite", "--before", "2026-03-02", "--export", "old.jsonl"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("--export 'old.jsonl' already exists; name a new file"), "\(again.stderr)")
        #expect(try await store.servedList(id: "rec-c")?.id == "rec-c")
        #expect(dir.read("old.jsonl").split(separator: "\n").count == 1)

        let nothing = try cli.run(["served", "prune", "--store", "a.sqlite", "--before", "2026-02-01", "--export", "none.jsonl"])
        #expect(nothing.status == 0)
        #expect(nothing.stdout.contains("No served list dated before 2026-02-01T00:00:00Z can be deleted (1 kept"), "\(nothing.stdout)")
        #expect(!dir.exists("none.jsonl"))

        let discarded = try cli.run(["served", "prune", "--store", "a.sqlite", "--before", "2026-03-02", "--discard"])
        #expect(discarded.status == 0, "\(discarded.stderr)")
        #expect(discarded.stdout.contains("Deleted 1 served list dated before 2026-03-02"), "\(discarded.stdout)")
        #expect(try await store.servedList(id: "rec-c") == nil)
    }
}
