import Foundation
import MatchworkCore
import MatchworkStore
import Testing

/// `generate --end`, `events retract` and the import's clock check (issue 21, items 1 and 2).
@Suite("Event times and retractions on the command line", .serialized)
struct EventsCLITests {
    @Test func generateEndsInTheWeekUpToEnd() async throws {
        let dir = Scratch()
        let cli = dir.cli
        let generated = try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "a.sqlite", "--end", "2026-03-15"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let latest = try #require(try await SQLiteStore(path: dir.file("a.sqlite")).interactions().map(\.timestamp).max())
        #expect(latest <= Timestamp(year: 2026, month: 3, day: 15))
        #expect(latest > Timestamp(year: 2026, month: 3, day: 8))
        #expect(generated.stdout.contains("to \(latest.isoDate)"), "\(generated.stdout)")
        // Whole weeks: the same data as another end date, moved, with the same weekdays.
        #expect(try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "b.sqlite", "--end", "2025-12-27"]).status == 0)
        let a = try await SQLiteStore(path: dir.file("a.sqlite")).interactions(), b = try await SQLiteStore(path: dir.file("b.sqlite")).interactions()
        #expect(a.count == b.count && !a.isEmpty)
        let offsets = Set(zip(a, b).map { $0.timestamp.secondsSinceEpoch - $1.timestamp.secondsSinceEpoch })
        #expect(offsets.count == 1)
        #expect(offsets.first.map { $0 % (7 * 86_400) == 0 && $0 > 0 } == true)
        // Without --end the data ends in the week up to now.
        #expect(try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "c.sqlite"]).status == 0)
        let now = try #require(try await SQLiteStore(path: dir.file("c.sqlite")).interactions().map(\.timestamp).max())
        #expect(now <= Timestamp.now && now > Timestamp.now.adding(seconds: -7 * 86_400))
        let bad = try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "d.sqlite", "--end", "9999-01-01"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--end 9999-01-01 would date events outside 1970-2099; give a date from 1975-01-01 to 2095-12-31."), "\(bad.stderr)")
        #expect(!dir.exists("d.sqlite"), "a refused --end creates no store")
    }

    @Test func retractAnEventByItsId() async throws {
        let dir = Scratch()
        let cli = dir.cli
        #expect(try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "a.sqlite"]).status == 0)
        let store = try SQLiteStore(path: dir.file("a.sqlite"))
        let hire = try #require(try await store.interactions().last { $0.type == .hire })
        let id = try #require(hire.eventID)
        let before = try cli.run(["stats", "--store", "a.sqlite", "--json"]).stdout
        let first = try cli.run(["events", "retract", id, "--store", "a.sqlite"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("Retracted event '\(id)' (hire, \(hire.person) on \(hire.opportunity), \(hire.timestamp)) at "), "\(first.stdout)")
        let again = try cli.run(["events", "retract", id, "--store", "a.sqlite"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("was already retracted at"), "\(again.stdout)")
        let missing = try cli.run(["events", "retract", "nope", "--store", "a.sqlite"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("No event 'nope' in 'a.sqlite'"), "\(missing.stderr)")
        let log = try await store.interactions()
        #expect(log.filter { $0.type == .retract }.map(\.retracts) == [id])
        // Statistics count the standing events: the withdrawn hire no longer counts.
        let after = try cli.run(["stats", "--store", "a.sqlite", "--json"]).stdout
        let figures = try Self.snakeCase.decode(MarketplaceStatistics.self, from: Data(after.utf8))
        #expect(figures.scenario == .cleaning)
        #expect(after != before)
    }

    @Test func importRefusesEventsAheadOfTheClock() throws {
        let dir = Scratch()
        let cli = dir.cli
        #expect(try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "a.sqlite"]).status == 0)
        #expect(try cli.run(["export", "--store", "a.sqlite", "--out", "x"]).status == 0)
        let header = try #require(dir.read("x/interactions.csv").split(separator: "\n").first)
        let person = "cleaner-1", job = "job-1"
        let ahead = Timestamp.now.adding(seconds: 2 * 86_400 + 600)
        dir.write("future.csv", "\(header)\nf1,\(person),\(job),view,\(ahead.secondsSinceEpoch),,,,,\n")
        let refused = try cli.run(["import", "--store", "a.sqlite", "--interactions", "future.csv"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("future.csv, line 2, column 'timestamp'"), "\(refused.stderr)")
        #expect(refused.stderr.contains("is 2 days after this machine's clock"), "\(refused.stderr)")
        let allowed = try cli.run(["import", "--store", "a.sqlite", "--interactions", "future.csv", "--max-event-skew", "3d"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let bad = try cli.run(["import", "--store", "a.sqlite", "--interactions", "future.csv", "--max-event-skew", "soon"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--max-event-skew 'soon' is not a duration"))
    }
}
