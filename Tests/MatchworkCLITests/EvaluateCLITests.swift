import Foundation
import Testing

@Suite("matchwork evaluate")
struct EvaluateCLITests {
    /// Users in 4 blocks of 10 items; split temporally by `matchwork split`.
    func splitFiles(_ dir: Scratch) throws {
        var text = "user,item,rating,timestamp\n"
        for u in 0..<80 { for k in 0..<8 { text += "u\(u),i\((u % 4) * 10 + (u + k * 3) % 10),1,\(1_000 + k)\n" } }
        dir.write("all.csv", text)
        #expect(try dir.cli.run(["split", "--input", "all.csv", "--method", "temporal", "--out", "s", "--quiet"]).status == 0)
    }

    @Test("Prints the contract's JSON object on stdout")
    func contractJSON() throws {
        let dir = Scratch()
        try splitFiles(dir)
        let result = try dir.cli.run(["evaluate", "--train", "s/train.csv", "--test", "s/test.csv", "--task", "ranking", "--model", "als", "--param", "factors=8", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["model", "task", "k", "params", "threads", "users_evaluated", "metrics", "fit_seconds", "recommend_ms_per_user"])
        #expect(object["model"] as? String == "als" && object["k"] as? Int == 10)
        #expect(object["params"] as? [String: String] == ["factors": "8"])
        #expect(object["users_evaluated"] as? Int == 80)
        let metrics = try #require(object["metrics"] as? [String: Double])
        #expect(Set(metrics.keys) == ["precision@10", "recall@10", "ndcg@10", "map@10", "hitrate@10", "coverage@10"])
        #expect((metrics["hitrate@10"] ?? 0) > 0.5)
    }

    @Test("--tune and auto: settings chosen on validation alone (the test file changes nothing of the search), each trial on stderr and in the JSON")
    func tuning() throws {
        let dir = Scratch()
        try splitFiles(dir)
        func run(_ arguments: [String], test: String = "s/test.csv") throws -> (object: [String: Any], stderr: String) {
            let result = try dir.cli.run(["evaluate", "--train", "s/train.csv", "--test", test, "--task", "ranking", "--json"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            return (try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]), result.stderr)
        }
        let tuned = try run(["--model", "item-knn", "--tune", "--budget", "6", "--seed", "3"])
        let tuning = try #require(tuned.object["tuning"] as? [String: Any])
        let trials = try #require(tuning["trials"] as? [[String: Any]])
        #expect(trials.count == 6 && trials.allSatisfy { $0["model"] as? String == "item-knn" })
        #expect(tuned.stderr.split(separator: "\n").filter { $0.hasPrefix("trial ") }.count == 6, "\(tuned.stderr)")
        let chosen = try #require(tuning["chosen"] as? [String: Any])
        #expect(tuned.object["params"] as? [String: String] == chosen["params"] as? [String: String])
        #expect(tuned.object["chosen_model"] as? String == "item-knn")
        // Another test file: the same search, the same choice; only the test figures move.
        var shuffled = dir.read("s/test.csv").split(separator: "\n").map(String.init)
        shuffled = [shuffled[0]] + shuffled.dropFirst().filter { !$0.hasPrefix("u1,") }
        dir.write("other-test.csv", shuffled.joined(separator: "\n") + "\n")
        let other = try run(["--model", "item-knn", "--tune", "--budget", "6", "--seed", "3"], test: "other-test.csv")
        let otherTuning = try #require(other.object["tuning"] as? [String: Any])
        #expect((otherTuning["trials"] as? [[String: Any]])?.map { $0["params"] as? [String: String] } == trials.map { $0["params"] as? [String: String] })
        #expect((otherTuning["chosen"] as? [String: Any])?["validation"] as? Double == chosen["validation"] as? Double)
        // The validation files of `split` give the same search as the pair made inside.
        let files = try run(["--model", "item-knn", "--tune", "--budget", "6", "--seed", "3", "--validation-train", "s/val_train.csv", "--validation-test", "s/val_test.csv"])
        #expect(((files.object["tuning"] as? [String: Any])?["chosen"] as? [String: Any])?["validation"] as? Double == chosen["validation"] as? Double)
        // auto: every model, and the best of them on validation.
        let auto = try run(["--model", "auto", "--budget", "16", "--param", "als.factors=8..16"])
        #expect(auto.object["model"] as? String == "auto")
        let autoTrials = try #require((auto.object["tuning"] as? [String: Any])?["trials"] as? [[String: Any]])
        #expect(Set(autoTrials.compactMap { $0["model"] as? String }).isSuperset(of: ["popularity", "item-knn", "rp3beta", "als"]))
        #expect(autoTrials.filter { $0["model"] as? String == "als" }.allSatisfy { (8...16).contains(Int(($0["params"] as? [String: String])?["factors"] ?? "0") ?? 0) })
        let best = autoTrials.compactMap { $0["validation"] as? Double }.max()
        #expect(((auto.object["tuning"] as? [String: Any])?["chosen"] as? [String: Any])?["validation"] as? Double == best)
    }

    @Test("--tune refuses what it cannot search, naming the option")
    func tuningRefusals() throws {
        let dir = Scratch()
        try splitFiles(dir)
        for (arguments, message) in [
            (["--model", "ensemble", "--tune"], "error: --tune searches one model's settings, and the ensemble has none of its own; use --model auto"),
            (["--model", "als", "--tune", "--budget", "soon"], "error: --budget 'soon' is neither a number of trials (30) nor a time (90s, 10m, 1h)."),
            (["--model", "auto", "--param", "factors=8"], "error: --param factors=8: with --model auto, name the model the setting is for, as MODEL.KEY"),
            (["--model", "als", "--tune", "--param", "factors=64..8"], "error: --param factors=64..8 is not a range of two integers, low..high, both above 0."),
            (["--model", "als", "--tune", "--validation-train", "s/val_train.csv"], "error: --validation-train and --validation-test go together"),
            (["--model", "auto", "--param", "als.nope=3", "--budget", "8"], "error: als: no setting with the given --param could be fitted on the validation files: unknown parameter 'nope' for model als"),
        ] {
            let result = try dir.cli.run(["evaluate", "--train", "s/train.csv", "--test", "s/test.csv", "--task", "ranking"] + arguments)
            #expect(result.status != 0)
            // The refusal is the last line (trials already run stay above it).
            let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.hasPrefix(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test("ensemble: weights chosen on train alone, said on stderr, scored like any model")
    func ensemble() throws {
        let dir = Scratch()
        try splitFiles(dir)
        let result = try dir.cli.run([
            "evaluate", "--train", "s/train.csv", "--test", "s/test.csv", "--task", "ranking", "--model", "ensemble",
            "--param", "components=item-knn,als", "--param", "als.factors=8", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["model"] as? String == "ensemble" && object["users_evaluated"] as? Int == 80)
        #expect(object["params"] as? [String: String] == ["components": "item-knn,als", "als.factors": "8"])
        #expect((try #require(object["metrics"] as? [String: Double])["hitrate@10"] ?? 0) > 0.5)
        #expect(result.stderr.hasPrefix("note: ensemble weights chosen on a temporal split of train (80 users): item-knn "), "\(result.stderr)")
        let fixed = try dir.cli.run([
            "evaluate", "--train", "s/train.csv", "--test", "s/test.csv", "--task", "ranking", "--model", "ensemble",
            "--param", "components=item-knn,als", "--param", "weights=3,1",
        ])
        #expect(fixed.status == 0)
        #expect(fixed.stderr == "note: ensemble weights as given: item-knn 0.75, als 0.25\n")
    }

    @Test(arguments: [
        (["--model", "magic"], "error: --model 'magic' does not rank; use one of popularity, item-knn, user-knn, rp3beta, ease, als, bpr, ensemble, auto.\n"),
        (["--model", "ensemble", "--param", "components=als,magic"], "error: component 'magic' is not a ranking model; use some of popularity, item-knn, user-knn, rp3beta, ease, als, bpr.\n"),
        (["--model", "ensemble", "--param", "als.factor=8"], "error: unknown parameter 'factor' for model als; its parameters are alpha, cg_steps, factors, iterations, regularization, seed.\n"),
        (["--model", "als", "--param", "factor=8"], "error: unknown parameter 'factor' for model als; its parameters are alpha, cg_steps, factors, iterations, regularization, seed.\n"),
        (["--model", "als", "--param", "factors=eight"], "error: parameter factors='eight' is not an integer.\n"),
        (["--model", "als", "--param", "factors=0"], "error: factors 0 must be between 1 and 1024.\n"),
    ])
    func badArgumentsAreNamed(extra: [String], message: String) throws {
        let dir = Scratch()
        try splitFiles(dir)
        let result = try dir.cli.run(["evaluate", "--train", "s/train.csv", "--test", "s/test.csv", "--task", "ranking"] + extra)
        #expect(result.status == 1)
        #expect(result.stderr == message)
        #expect(result.stdout.isEmpty)
    }
}

@Suite("matchwork evaluate --task rating")
struct EvaluateRatingCLITests {
    @Test("Prints RMSE, MAE and R² as the contract says, and notes the fallbacks on stderr", arguments: ["baseline", "mf", "knn-baseline"])
    func ratingJSON(model: String) throws {
        let dir = Scratch()
        var text = "user,item,rating,timestamp\n"
        for u in 0..<60 { for i in 0..<12 where (u + i) % 3 != 0 { text += "u\(u),i\(i),\(u % 2 == i % 2 ? 5 : 1),\(1_000 + i)\n" } }
        dir.write("all.csv", text)
        #expect(try dir.cli.run(["split", "--input", "all.csv", "--method", "random", "--out", "s", "--quiet"]).status == 0)
        dir.write("s/cold.csv", "user,item,rating,timestamp\nnew,i1,5,1\nu1,new,1,1\nu2,i2,5,1\n")
        let result = try dir.cli.run(["evaluate", "--train", "s/train.csv", "--test", "s/cold.csv", "--task", "rating", "--model", model, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["model", "task", "k", "params", "threads", "rows_evaluated", "metrics", "fit_seconds", "recommend_ms_per_user"])
        #expect(object["rows_evaluated"] as? Int == 3 && object["task"] as? String == "rating")
        let metrics = try #require(object["metrics"] as? [String: Double])
        #expect(Set(metrics.keys) == ["rmse", "mae", "r2"])
        #expect(result.stderr.contains("note: 1 of 3 test rows: user not in training: global mean + the item's bias"))
        #expect(result.stderr.contains("note: 1 of 3 test rows: item not in training: global mean + the user's bias"))
        let full = try dir.cli.run(["evaluate", "--train", "s/train.csv", "--test", "s/test.csv", "--task", "rating", "--model", model, "--json"])
        let fullMetrics = try #require((try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any])?["metrics"] as? [String: Double])
        // The planted parity pattern is learnable from the biases alone only in part.
        #expect((fullMetrics["rmse"] ?? 9) < 2.1, "\(fullMetrics)")
    }

    @Test(arguments: [
        (["--model", "als"], "error: --model 'als' does not predict ratings; use one of baseline, mf, knn-baseline, auto.\n"),
        (["--model", "mf", "--param", "decay=2"], "error: decay 2.0 must be in (0, 1].\n"),
        (["--model", "knn-baseline", "--param", "based=both"], "error: parameter based='both' is not one of item, user.\n"),
    ])
    func badArgumentsAreNamed(extra: [String], message: String) throws {
        let dir = Scratch()
        dir.write("t.csv", "user,item,rating,timestamp\na,x,4,1\nb,x,2,1\n")
        let result = try dir.cli.run(["evaluate", "--train", "t.csv", "--test", "t.csv", "--task", "rating"] + extra)
        #expect(result.status == 1)
        #expect(result.stderr == message)
    }

    /// 60 queries of 12 documents, 4 features; the grade (0-4) follows feature 1, feature 3 is noise.
    func letorFile(_ dir: Scratch, _ name: String, seed: Int) {
        var text = "", x = UInt64(seed)
        func next() -> Double {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return Double(x >> 11) / Double(1 << 53)
        }
        for q in 0..<60 {
            for _ in 0..<12 {
                let a = next(), b = next()
                let grade = min(4, Int(5 * a))
                text += "\(grade) qid:\(seed * 1000 + q) 1:\(String(format: "%.4f", a)) 3:\(String(format: "%.4f", b)) # doc\n"
            }
        }
        dir.write(name, text)
    }

    @Test("--task ltr: lambdamart on svmlight files, NDCG@1/3/5/10 in the contract's object; refusals")
    func learningToRank() throws {
        let dir = Scratch()
        letorFile(dir, "train.txt", seed: 1)
        letorFile(dir, "test.txt", seed: 2)
        let result = try dir.cli.run(["evaluate", "--train", "train.txt", "--test", "test.txt", "--task", "ltr", "--model", "lambdamart", "--param", "rounds=30", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["task"] as? String == "ltr" && object["queries_evaluated"] as? Int == 60)
        let metrics = try #require(object["metrics"] as? [String: Double])
        #expect(Set(metrics.keys) == ["ndcg@1", "ndcg@3", "ndcg@5", "ndcg@10"])
        #expect((metrics["ndcg@10"] ?? 0) > 0.9, "\(metrics)")
        let param = try dir.cli.run(["evaluate", "--train", "train.txt", "--test", "test.txt", "--task", "ltr", "--model", "lambdamart", "--param", "leaves=8"])
        #expect(param.status == 1 && param.stderr.contains("unknown parameter 'leaves' for model lambdamart"), "\(param.stderr)")
        let model = try dir.cli.run(["evaluate", "--train", "train.txt", "--test", "test.txt", "--task", "ltr", "--model", "als"])
        #expect(model.status == 1 && model.stderr.contains("--model 'als' does not learn to rank; use lambdamart."), "\(model.stderr)")
        dir.write("broken.txt", "1 qid:1 1:0.5\n2 qid:1 1:oops\n")
        let broken = try dir.cli.run(["evaluate", "--train", "broken.txt", "--test", "test.txt", "--task", "ltr", "--model", "lambdamart"])
        #expect(broken.status == 1 && broken.stderr.contains("broken.txt, line 2: '1:oops' is not index:value"), "\(broken.stderr)")
    }
}
