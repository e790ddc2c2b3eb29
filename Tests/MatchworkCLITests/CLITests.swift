import Foundation
import MatchworkCore
import MatchworkStore
import Testing

@Suite("matchwork command line", .serialized)
struct CLITests {
    @Test func generateStatsExportImportRoundTrip() throws {
        let dir = Scratch()
        let cli = dir.cli
        let generated = try cli.run(["generate", "cleaning", "--size", "tiny", "--seed", "3", "--store", "a.sqlite"])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(generated.stdout.contains("Generated cleaning seed=3 size=tiny"))
        // Generating the same again is a no-op; another scenario into the same store is refused.
        #expect(try cli.run(["generate", "cleaning", "--size", "tiny", "--seed", "3", "--store", "a.sqlite"]).stdout.contains("nothing to do"))
        let clash = try cli.run(["generate", "missions", "--size", "tiny", "--store", "a.sqlite"])
        #expect(clash.status == 1)
        #expect(clash.stderr.contains("already holds data"))

        let stats = try cli.run(["stats", "--store", "a.sqlite"])
        #expect(stats.status == 0)
        #expect(stats.stdout.contains("cleaners premium mean rating"))
        let json = try cli.run(["stats", "--store", "a.sqlite", "--json"])
        let decoded = try Self.snakeCase.decode(MarketplaceStatistics.self, from: Data(json.stdout.utf8))
        #expect(decoded.scenario == .cleaning)

        #expect(try cli.run(["export", "--store", "a.sqlite", "--out", "one"]).status == 0)
        let imported = try cli.run(["import", "--store", "b.sqlite", "--people", "one/people.csv", "--opportunities", "one/opportunities.csv", "--interactions", "one/interactions.csv"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try cli.run(["export", "--store", "b.sqlite", "--out", "two"]).status == 0)
        for name in ["people.csv", "opportunities.csv", "interactions.csv"] {
            #expect(dir.read("one/" + name) == dir.read("two/" + name))
        }
        // Re-importing changes nothing.
        let again = try cli.run(["import", "--store", "b.sqlite", "--people", "one/people.csv", "--opportunities", "one/opportunities.csv", "--interactions", "one/interactions.csv"])
        #expect(again.stdout.contains("events: 0 new"))
    }

    @Test func sameSeedGivesByteIdenticalExports() throws {
        let dir = Scratch()
        for name in ["x", "y"] {
            #expect(try dir.cli.run(["generate", "learning", "--size", "tiny", "--seed", "9", "--store", "\(name).sqlite", "--onet", sharedData + "/onet", "--quiet"]).status == 0)
            #expect(try dir.cli.run(["export", "--store", "\(name).sqlite", "--out", name, "--format", "jsonl", "--quiet"]).status == 0)
        }
        for file in ["people.jsonl", "opportunities.jsonl", "interactions.jsonl", "ATTRIBUTION.md"] {
            #expect(!dir.read("x/" + file).isEmpty)
            #expect(dir.read("x/" + file) == dir.read("y/" + file))
        }
    }

    @Test func badRowsImportNothingAndExitNonZero() throws {
        let dir = Scratch()
        dir.write("people.csv", "id,role,latitude,longitude\np1,worker,48.8,2.3\np2,worker,95,2.3\n")
        let result = try dir.cli.run(["import", "--people", "people.csv"])
        #expect(result.status == 1)
        #expect(result.stderr == """
            Nothing was imported: 1 row is invalid.
              people.csv, line 3, column 'latitude', value '95': latitude 95.0 is outside -90...90; give decimal degrees, for example 48.8566.
            Fix these rows and import again, or pass --skip-invalid to import the valid rows and write the rejected ones to a file.

            """)
        #expect(try dir.cli.run(["stats", "--json"]).stdout.contains("\"people_by_role\" : {\n\n  }"))

        let skipped = try dir.cli.run(["import", "--people", "people.csv", "--skip-invalid", "--rejects", "bad.csv"])
        #expect(skipped.status == 0)
        #expect(skipped.stdout.contains("1 invalid rows skipped, written to bad.csv"))
        #expect(dir.read("bad.csv").contains("people.csv,3,latitude,95,"))
    }

    @Test(arguments: [
        (["generate", "boats"], "error: scenario 'boats' is not a scenario; use one of missions, cleaning, learning.\n"),
        (["generate", "cleaning", "--size", "huge"], "error: size 'huge' is not tiny, small, default, large or a number such as 2.5.\n"),
        (["stats", "--store", "nowhere.sqlite"], "error: There is no store at 'nowhere.sqlite'; run `matchwork init` or `matchwork generate` first, or pass --store.\n"),
        (["import", "--people", "missing.csv"], "error: File 'missing.csv' does not exist; check the path.\n"),
        (["init", "--scenario", "farm"], "error: --scenario 'farm' is not a scenario; use one of missions, cleaning, learning.\n"),
    ])
    func errorsSayWhatIsWrongAndExitNonZero(arguments: [String], message: String) throws {
        let dir = Scratch()
        let result = try dir.cli.run(arguments)
        #expect(result.status == 1)
        #expect(result.stderr == message)
    }

    @Test func everySubcommandHasHelp() throws {
        let dir = Scratch()
        for command in ["init", "generate", "import", "export", "stats"] {
            let result = try dir.cli.run([command, "--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("--store"))
        }
    }

    /// Writes a catalogue and an events file of `count` events.
    func prepareCrashFixture(_ dir: Scratch, count: Int) throws {
        dir.write("people.csv", "id,role\n" + (0..<50).map { "p\($0),worker\n" }.joined())
        dir.write("opportunities.csv", "id,kind\n" + (0..<50).map { "o\($0),job\n" }.joined())
        var events = "event_id,person_id,opportunity_id,type,timestamp,value,sub_scores,reason,comment\n"
        events.reserveCapacity(count * 40)
        for n in 0..<count { events += "e\(n),p\(n % 50),o\(n / 50 % 50),view,\(1_700_000_000 + n),,,,\n" }
        dir.write("events.csv", events)
        let catalogue = try dir.cli.run(["import", "--people", "people.csv", "--opportunities", "opportunities.csv", "--quiet"])
        #expect(catalogue.status == 0)
    }

    func storedEvents(_ dir: Scratch) async throws -> (count: Int, integrity: String) {
        let store = try SQLiteStore(path: dir.file("matchwork.sqlite"))
        return (try await store.counts().interactions, try await store.integrityCheck())
    }

    @Test func killDashNineInsideTheImportTransactionLeavesNothing() async throws {
        let dir = Scratch()
        try prepareCrashFixture(dir, count: 120_000)
        // Given an import paused inside its transaction after 50,000 events,
        let process = try dir.cli.start(["import", "--interactions", "events.csv"], environment: ["MATCHWORK_FAULT_PAUSE_AFTER_EVENTS": "50000"], stderrPath: dir.file("stderr"))
        let deadline = Date().addingTimeInterval(300)
        while !dir.read("stderr").contains("paused inside the import transaction"), process.isRunning, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(dir.read("stderr").contains("paused inside the import transaction"))
        // when it is killed with SIGKILL,
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        // then the store is consistent and holds none of the batch,
        let after = try await storedEvents(dir)
        #expect(after.count == 0)
        #expect(after.integrity == "ok")
        // and the same import then succeeds whole.
        #expect(try dir.cli.run(["import", "--interactions", "events.csv", "--quiet"]).status == 0)
        #expect(try await storedEvents(dir).count == 120_000)
    }

    @Test func killDashNineAtAnyMomentLeavesAllOrNothing() async throws {
        // Killed once the import has written 1 byte, 256 KiB, 1 MiB and 4 MiB of its transaction
        // to the write-ahead log (or once it has finished): moments measured by its progress, not
        // by a clock, so that a slow machine cannot make every kill land before the store opens.
        var killedWhileWriting = 0
        for threshold in [1, 256 << 10, 1 << 20, 4 << 20] {
            let dir = Scratch()
            // 100,000 events: a transaction long enough that the log passes every threshold while
            // it is written even when the machine is busy (with 40,000, under the full suite's
            // load, only one kill landed inside it).
            try prepareCrashFixture(dir, count: 100_000)
            let wal = dir.file("matchwork.sqlite-wal")
            func walBytes() -> Int { ((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int) ?? 0 }
            let before = walBytes()
            let process = try dir.cli.start(["import", "--interactions", "events.csv", "--quiet"], stderrPath: dir.file("stderr"))
            let deadline = Date().addingTimeInterval(300)
            while process.isRunning, walBytes() < before + threshold, Date() < deadline { try await Task.sleep(for: .milliseconds(1)) }
            let running = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if running, process.terminationReason == .uncaughtSignal { killedWhileWriting += 1 }
            let after = try await storedEvents(dir)
            #expect(after.count == 0 || after.count == 100_000, "after \(threshold) bytes of log: \(after.count) events")
            #expect(after.integrity == "ok")
        }
        #expect(killedWhileWriting >= 2, "only \(killedWhileWriting) of the kills landed while the import was writing")
    }

    @Test("Usage: negative numbers are values, group options may precede the subcommand, usage errors exit 64", arguments: [
        (["recommend", "--person", "cleaner-1", "--max-distance", "-5"], Int32(1), "error: max distance -5.0 km must be a positive number of kilometres, at most 20040."),
        (["generate", "cleaning", "--size", "-1", "--store", "other.sqlite"], 1, "error: size -1.0 must be a positive scale factor up to 1000 (1 = the scenario's default size)."),
        (["recommend", "--person", "cleaner-1", "--count", "-1"], 1, "error: count -1 must be between 1 and 1000."),
        (["models", "--store", "matchwork.sqlite", "unpin"], 0, ""),
        (["keys", "--quiet", "list"], 0, ""),
        (["recommend", "--person"], 64, "Error: Missing value for '--person <ID>'"),
    ])
    func usage(arguments: [String], status: Int32, stderr: String) throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "tiny", "--quiet"]).status == 0)
        let result = try dir.cli.run(arguments)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(stderr), "\(result.stderr)")
    }

    @Test func versionIsPrinted() throws {
        let dir = Scratch()
        let result = try dir.cli.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: ".").count == 3)
    }

    @Test func statsLabelsAreWholeAndImportRatesCountWrittenEvents() throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "tiny", "--quiet"]).status == 0)
        let stats = try dir.cli.run(["stats"]).stdout
        #expect(stats.contains("clients medium-budget picked the cheapest bid "), "\(stats)")
        #expect(try dir.cli.run(["export", "--out", "x"]).status == 0)
        // Every event is stored already: nothing written, no rate.
        let again = try dir.cli.run(["import", "--interactions", "x/interactions.csv"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("events: 0 new"))
        #expect(!again.stdout.contains("events/s"), "\(again.stdout)")
        let help = try dir.cli.run(["recommend", "--help"]).stdout
        #expect(help.contains("neural or ensemble"))
        #expect(!(try dir.cli.run(["train", "--help"]).stdout.contains("--anti-congestion")))
        #expect(!(try dir.cli.run(["refresh", "--help"]).stdout.contains("--rule-weights")))
    }
}
