import Foundation
import MatchworkCore
import MatchworkStore
import Testing

/// `matchwork experiments` and `matchwork scores` end to end (issue 26).
@Suite("Experiments and scores on the command line")
struct ExperimentsCLITests {
    @Test func experimentsAreCreatedRolledOutReportedAndStopped() throws {
        let dir = Scratch()
        let cli = dir.cli
        #expect(try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "a.sqlite"]).status == 0)
        let created = try cli.run([
            "experiments", "create", "jobs", "--store", "a.sqlite", "--target", "opportunities", "--arm", "rule=rule_based", "--arm", "tuned=ensemble",
            "--weights", "tuned:rule_based=0.6,similarity=0.4", "--share", "rule=0.9", "--share", "tuned=0.1",
        ])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("tuned: ensemble weights rule_based=0.6,similarity=0.4, share 10.0%"), "\(created.stdout)")
        let again = try cli.run(["experiments", "create", "other", "--store", "a.sqlite", "--target", "opportunities", "--arm", "a=rule_based", "--arm", "b=popularity"])
        #expect(again.status == 1 && again.stderr.contains("experiment 'jobs' already runs on opportunities lists"), "\(again.stderr)")
        let bad = try cli.run(["experiments", "create", "x", "--store", "a.sqlite", "--target", "people", "--arm", "a=rule_based", "--arm", "b=nope"])
        #expect(bad.status == 1 && bad.stderr.contains("--arm 2 'nope' is not a recommendation mode"), "\(bad.stderr)")
        let unpinned = try cli.run(["experiments", "create", "y", "--store", "a.sqlite", "--target", "people", "--arm", "a=rule_based", "--arm", "b=neural", "--pin", "b:neural-000042"])
        #expect(unpinned.status == 1 && unpinned.stderr.hasPrefix("error: --pin 'b:neural-000042': model neural-000042") && unpinned.stderr.contains("matchwork models"), "\(unpinned.stderr)")
        let noArm = try cli.run(["experiments", "create", "y", "--store", "a.sqlite", "--target", "people", "--arm", "a=rule_based", "--arm", "b=neural", "--pin", "c:neural-000042"])
        #expect(noArm.status == 1 && noArm.stderr.contains("is not NAME:VERSION for an arm given with --arm"), "\(noArm.stderr)")
        let rolled = try cli.run(["experiments", "update", "jobs", "--store", "a.sqlite", "--share", "tuned=0.25", "--share", "rule=0.75"])
        #expect(rolled.status == 0 && rolled.stdout.contains("rollout: "), "\(rolled.stdout)\(rolled.stderr)")
        let report = try cli.run(["experiments", "report", "jobs", "--store", "a.sqlite", "--json"])
        #expect(report.status == 0, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect((json["arms"] as? [[String: Any]])?.map { $0["name"] as? String } == ["rule", "tuned"])
        #expect(try cli.run(["experiments", "stop", "jobs", "--store", "a.sqlite"]).stdout.contains("Stopped jobs"))
        #expect(try cli.run(["experiments", "list", "--store", "a.sqlite"]).stdout.contains("jobs  opportunities  stopped"))
        let missing = try cli.run(["experiments", "report", "nope", "--store", "a.sqlite"])
        #expect(missing.status == 1 && missing.stderr.contains("no experiment is named 'nope'"))
    }

    @Test func scoresAreComputedStoredAndShown() async throws {
        let dir = Scratch()
        let cli = dir.cli
        #expect(try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "a.sqlite"]).status == 0)
        let update = try cli.run(["scores", "update", "--store", "a.sqlite", "--json"])
        #expect(update.status == 0, "\(update.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(update.stdout.utf8)) as? [String: Any])
        let store = try SQLiteStore(path: dir.file("a.sqlite"))
        let workers = try await store.people().filter { $0.role != .client }
        #expect(json["updated"] as? Int == workers.count && json["failed"] as? Int == 0)
        let listed = try cli.run(["scores", "list", "--store", "a.sqlite", "--limit", "3"])
        #expect(listed.stdout.split(separator: "\n").count == 3)
        let worker = try #require(workers.first).id.rawValue
        let shown = try cli.run(["scores", "show", "--store", "a.sqlite", "--person", worker])
        #expect(shown.status == 0 && shown.stdout.hasPrefix("\(worker): ") && shown.stdout.contains(" of 100 (quality "), "\(shown.stdout)")
        let client = try #require(try await store.people().first { $0.role == .client }).id.rawValue
        let refused = try cli.run(["scores", "show", "--store", "a.sqlite", "--person", client])
        #expect(refused.status == 1 && refused.stderr.contains("no stored score for '\(client)'"))
    }
}
