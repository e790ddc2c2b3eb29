import Foundation
import Testing

/// `matchwork skill-gaps`, `skill-gaps predict`, `skill-gaps evaluate` and `path` on a generated
/// learning store (issue 24).
@Suite("matchwork skill-gaps and path")
struct SkillsCLITests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("a learner's gaps in words and JSON, a cohort's, a valid path, a prediction, and the truth check")
    func endToEnd() throws {
        let dir = Scratch()
        try TrendsCLITests.learningStore(dir)
        let text = try dir.cli.run(["skill-gaps", "--store", "l.sqlite", "--person", "learner-3"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("learner-3 → ") && lines[0].contains("stated target occupation"))
        #expect(lines.contains { $0.hasPrefix("gaps, heaviest first (weight = gap × importance × demand):") })
        #expect(lines.contains { $0.hasPrefix("   1. ") && $0.contains(": you have ") && $0.contains(" ask ") && $0.contains("[weight ") })

        let analysis = try Self.json(try dir.cli.run(["skill-gaps", "--store", "l.sqlite", "--person", "learner-3", "--json"]).stdout)
        let gaps = try #require(analysis["gaps"] as? [[String: Any]])
        #expect(!gaps.isEmpty && gaps.allSatisfy { ($0["gap"] as? Double ?? 0) > 0 })
        for gap in gaps {
            let expected = (gap["gap"] as! Double) * (gap["importance"] as! Double) * (gap["demand"] as! Double)
            #expect(abs((gap["weight"] as! Double) - expected) < 1e-9)
        }

        let cohort = try dir.cli.run(["skill-gaps", "--store", "l.sqlite", "--cohort", "all", "--top", "3"])
        #expect(cohort.status == 0 && cohort.stdout.contains(" learners in cohort all") && cohort.stdout.contains("   1. "), "\(cohort.stdout)\(cohort.stderr)")

        let path = try Self.json(try dir.cli.run(["path", "--store", "l.sqlite", "--person", "learner-3", "--objective", "price", "--json"]).stdout)
        #expect(path["objective"] as? String == "price")
        let steps = try #require(path["steps"] as? [[String: Any]])
        #expect(!steps.isEmpty)
        let courses = steps.compactMap { $0["course"] as? String }
        #expect(Set(courses).count == courses.count)
        let pathText = try dir.cli.run(["path", "--store", "l.sqlite", "--person", "learner-3"])
        #expect(pathText.status == 0 && pathText.stdout.contains("   1. course-") && pathText.stdout.contains("total: "), "\(pathText.stdout)")

        let predicted = try dir.cli.run(["skill-gaps", "predict", "--store", "l.sqlite", "--person", "learner-3", "--path"])
        #expect(predicted.status == 0 && predicted.stdout.contains("P(hired | applied)") && predicted.stdout.contains("not guarantees"), "\(predicted.stdout)\(predicted.stderr)")

        let evaluated = try Self.json(try dir.cli.run(["skill-gaps", "evaluate", "--store", "l.sqlite", "--learners", "20", "--json"]).stdout)
        let pathsReport = try #require(evaluated["paths"] as? [String: Any])
        // Every planned path is valid.
        #expect(pathsReport["valid"] as? Int == pathsReport["planned"] as? Int)
        let gapReport = try #require(evaluated["gaps"] as? [String: Any])
        #expect(((gapReport["by_gap_times_importance"] as? [String: Any])?["recall"] as? Double ?? 0) > 0.8)
    }

    @Test("refusals: unknown learner, both subjects, no change, a bad objective, a store without truth")
    func refusals() throws {
        let dir = Scratch()
        try TrendsCLITests.learningStore(dir)
        let unknown = try dir.cli.run(["skill-gaps", "--store", "l.sqlite", "--person", "nobody"])
        #expect(unknown.status == 1 && unknown.stderr.hasPrefix("error: person 'nobody' is not in the marketplace;"), "\(unknown.stderr)")
        #expect(try dir.cli.run(["skill-gaps", "--store", "l.sqlite", "--person", "learner-3", "--cohort", "all"]).status == 64)
        #expect(try dir.cli.run(["skill-gaps", "predict", "--store", "l.sqlite", "--person", "learner-3"]).status == 64)
        let level = try dir.cli.run(["skill-gaps", "predict", "--store", "l.sqlite", "--person", "learner-3", "--skill", "programming=9"])
        #expect(level.status == 1 && level.stderr.contains("level 9.0 of skill 'programming' is outside 0...7"), "\(level.stderr)")
        let objective = try dir.cli.run(["path", "--store", "l.sqlite", "--person", "learner-3", "--objective", "fastest"])
        #expect(objective.status == 1 && objective.stderr == "error: --objective 'fastest' is not an objective; use hours, price or expected_time.\n", "\(objective.stderr)")
        let target = try dir.cli.run(["path", "--store", "l.sqlite", "--person", "learner-3", "--target", "99-9999.00"])
        #expect(target.status == 1 && target.stderr.contains("target occupation '99-9999.00' has no postings"), "\(target.stderr)")
        #expect(try dir.cli.run(["init", "--store", "empty.sqlite", "--scenario", "learning"]).status == 0)
        let truthless = try dir.cli.run(["skill-gaps", "evaluate", "--store", "empty.sqlite"])
        #expect(truthless.status == 1 && truthless.stderr.contains("holds no generated learning marketplace"), "\(truthless.stderr)")
    }

    @Test("recommend --path-first: the path's next course first with its step; refused for an opportunity")
    func pathFirst() throws {
        let dir = Scratch()
        try TrendsCLITests.learningStore(dir)
        let path = try Self.json(try dir.cli.run(["path", "--store", "l.sqlite", "--person", "learner-3", "--node-budget", "20000", "--json"]).stdout)
        let next = try #require((path["steps"] as? [[String: Any]])?.first?["course"] as? String)
        let run = try dir.cli.run(["recommend", "--store", "l.sqlite", "--person", "learner-3", "--path-first", "--count", "3", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let items = try #require(try Self.json(run.stdout)["items"] as? [[String: Any]])
        #expect(items.count == 3 && items[0]["id"] as? String == next)
        let reasons = items[0]["reasons"] as? [String] ?? []
        #expect(reasons.first?.hasPrefix("Step 1 of ") == true, "\(reasons)")
        let text = try dir.cli.run(["recommend", "--store", "l.sqlite", "--person", "learner-3", "--path-first", "--count", "1"])
        #expect(text.stdout.contains(" 1. \(next) ") && text.stdout.contains("- Step 1 of "), "\(text.stdout)")
        let wrong = try dir.cli.run(["recommend", "--store", "l.sqlite", "--opportunity", "course-1", "--path-first"])
        #expect(wrong.status == 1 && wrong.stderr == "error: --path-first ranks a learner's courses by their learning path; use it with --person.\n", "\(wrong.stderr)")
    }

    @Test("pass-model on OULAD: fitted before 2014J, scored on it, rows written for the peers; refusals name the flag")
    func passModelOnOULAD() throws {
        let dir = Scratch()
        let run = try dir.cli.run(["skill-gaps", "pass-model", "--oulad", sharedData + "/oulad", "--features-out", "peers", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Self.json(run.stdout)
        let model = try #require(report["model"] as? [String: Any]), rate = try #require(report["course_rate"] as? [String: Any])
        #expect(report["test_terms"] as? [String] == ["2014J"])
        #expect(model["examples"] as? Int == 7_434 && model["positives"] as? Int == 5_457)
        #expect((model["auc"] as! Double) > (rate["auc"] as! Double) && (model["log_loss"] as! Double) < (rate["log_loss"] as! Double))
        let test = dir.read("peers/test.csv").split(separator: "\n")
        #expect(test.count == 7_435 && test[0] == "learner,course,term,passed,education,course_pass_rate,course_level,prerequisites_met,prerequisite_shortfall,learner_pass_rate,learner_results,hours")
        let predictions = dir.read("peers/predictions.csv").split(separator: "\n")
        #expect(predictions.count == 7_435)
        #expect(dir.exists("peers/oulad.ATTRIBUTION.md"))

        let unknown = try dir.cli.run(["skill-gaps", "pass-model", "--oulad", sharedData + "/oulad", "--test", "2015B"])
        #expect(unknown.status == 1 && unknown.stderr.hasPrefix("error: --test: run '2015B' is not in the history; its runs are 2013B, 2013J, 2014B, 2014J."), "\(unknown.stderr)")
        let policy = try dir.cli.run(["skill-gaps", "pass-model", "--oulad", sharedData + "/oulad", "--withdrawn", "drop"])
        #expect(policy.status == 1 && policy.stderr == "error: --withdrawn 'drop' is not a policy; give exclude or fail.\n", "\(policy.stderr)")
        let missing = try dir.cli.run(["skill-gaps", "pass-model", "--oulad", "nowhere"])
        #expect(missing.status == 1 && missing.stderr.contains("nowhere/courses.csv"), "\(missing.stderr)")
    }
}
