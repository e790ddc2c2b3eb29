import Foundation
import Testing

@Suite("matchwork train, models, refresh")
struct TrainCLITests {
    @Test func trainsListsPinsAndFallsBackWhenTheModelIsCorrupted() throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "small", "--seed", "3", "--quiet"]).status == 0)
        let small = ["--param", "embedding_width=8", "--param", "epochs=4", "--param", "windows=3"]

        // Before training: neural mode falls back to rule_based and says so (for the first
        // cleaner with an eligible job).
        var cleaner = ""
        for n in 1...30 {
            let before = try dir.cli.run(["recommend", "--person", "cleaner-\(n)", "--mode", "neural"])
            #expect(before.status == 0, "\(before.stderr)")
            if before.stdout.contains(" 1. job-") {
                #expect(before.stdout.contains("answered by rule_based;"))
                #expect(before.stdout.contains("(neural could not answer: no trained model is loaded; run `matchwork train --model neural`"))
                cleaner = "cleaner-\(n)"
                break
            }
        }
        #expect(!cleaner.isEmpty)

        let trained = try dir.cli.run(["train", "--model", "neural"] + small)
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stdout.contains("Trained neural-000001"))
        #expect(trained.stdout.contains("collaborative part alone"))
        #expect(dir.exists("matchwork.sqlite.models/neural-000001.mwm"))
        let metadata = try #require(try JSONSerialization.jsonObject(with: Data(dir.read("matchwork.sqlite.models/neural-000001.json").utf8)) as? [String: Any])
        for key in ["version", "createdAt", "data", "hyperParameters", "metrics", "alpha", "idMaps", "sha256"] { #expect(metadata[key] != nil, "metadata has \(key)") }
        // The values, not only the members: its own version, the artifact's digest and the data it saw.
        #expect(metadata["version"] as? String == "neural-000001")
        let artifact = try Data(contentsOf: URL(fileURLWithPath: dir.file("matchwork.sqlite.models/neural-000001.mwm")))
        #expect((metadata["sha256"] as? String)?.count == 64 && metadata["bytes"] as? Int == artifact.count)
        let data = try #require(metadata["data"] as? [String: Int])
        #expect(data["windows"] == 3 && (data["examples"] ?? 0) > 100 && (data["people"] ?? 0) > 100, "\(data)")

        let refreshed = try dir.cli.run(["refresh"] + small)
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        #expect(refreshed.stdout.contains("Rebuilt derived data"))
        #expect(refreshed.stdout.contains("Trained neural-000002"))
        #expect(try dir.cli.run(["models"]).stdout.contains("neural-000002  ") )
        #expect(try dir.cli.run(["models"]).stdout.contains("* serving"))

        // A corrupted newest version: refused with a note, the previous one serves.
        let newest = URL(fileURLWithPath: dir.file("matchwork.sqlite.models/neural-000002.mwm"))
        var bytes = try Data(contentsOf: newest)
        bytes[100] ^= 0x01
        try bytes.write(to: newest)
        let listing = try dir.cli.run(["models"])
        #expect(listing.stdout.contains("neural-000002  REFUSED: model neural-000002: the artifact's SHA-256 differs"))
        let ranked = try dir.cli.run(["recommend", "--person", cleaner, "--mode", "neural"])
        #expect(ranked.status == 0, "\(ranked.stderr)")
        #expect(ranked.stderr.contains("note: model neural-000002 was refused"))
        #expect(ranked.stderr.contains("neural-000001 serves instead"))
        #expect(ranked.stdout.contains("answered by neural (model neural-000001)"))

        // Pinning: a refused version is not pinned; a good one is.
        let badPin = try dir.cli.run(["models", "use", "neural-000002"])
        #expect(badPin.status == 1)
        #expect(badPin.stderr.hasPrefix("error: model neural-000002: the artifact's SHA-256 differs"))
        #expect(try dir.cli.run(["models", "use", "neural-000001"]).status == 0)
        #expect(try dir.cli.run(["models"]).stdout.contains("* serving (pinned)"))

        // Every kind at once, with scoped parameters: each saved as its own version; the bid
        // head suggests a bid; the collaborative component serves the registry's ALS.
        let all = try dir.cli.run(
            ["train", "--model", "all", "--param", "als.factors=8", "--param", "bpr.factors=8", "--param", "mf.factors=4", "--param", "item-knn.neighbours=30"]
                + small.map { $0.hasPrefix("--") ? $0 : "neural." + $0 })
        #expect(all.status == 0, "\(all.stderr)")
        for (n, kind) in ["als", "bpr", "item-knn", "mf", "neural", "ranker"].enumerated() {
            #expect(all.stdout.contains("Trained \(kind)-00000\(n + 3)"), "\(kind) trained")
        }
        #expect(all.stdout.contains("hit@3"))
        #expect(all.stdout.contains("R² "))
        #expect(all.stdout.contains("bid head:"))
        let als = try #require(try JSONSerialization.jsonObject(with: Data(dir.read("matchwork.sqlite.models/als-000003.json").utf8)) as? [String: Any])
        #expect((als["hyperParameters"] as? [String: String])?["factors"] == "8")
        let listed = try dir.cli.run(["models"]).stdout
        for version in ["als-000003", "bpr-000004", "item-knn-000005", "mf-000006"] { #expect(listed.contains("\(version)  "), "\(version) listed") }
        #expect(listed.contains("held out: precision@10"))
        try #require(try dir.cli.run(["models", "unpin", "neural"]).status == 0)
        let withBid = try dir.cli.run(["recommend", "--person", cleaner, "--json"])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(withBid.stdout.utf8)) as? [String: Any])
        let items = try #require(answer["items"] as? [[String: Any]])
        let bid = try #require(items.first?["suggested_bid"] as? [String: Double])
        #expect(bid["minimum"]! <= bid["optimal"]! && bid["optimal"]! <= bid["maximum"]!)
        // (The first cleaner with a history the collaborative component can answer for.)
        var servedByALS = false
        for n in 1...30 where !servedByALS {
            let collaborative = try dir.cli.run(["recommend", "--person", "cleaner-\(n)", "--mode", "collaborative"])
            servedByALS = collaborative.stdout.contains("answered by collaborative (model als-000003)")
        }
        #expect(servedByALS)
        // refresh retrains the collaborative kinds in the registry with their saved settings.
        let again = try dir.cli.run(["refresh"] + small)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Trained neural-000009") && again.stdout.contains("Trained als-000010") && again.stdout.contains("Trained mf-000013"), "\(again.stdout)")
        // The ranker last, with its saved settings, against the new neural model.
        #expect(again.stdout.contains("Trained ranker-000014"), "\(again.stdout)")
        let refreshedRanker = try #require(try JSONSerialization.jsonObject(with: Data(dir.read("matchwork.sqlite.models/ranker-000014.json").utf8)) as? [String: Any])
        #expect((refreshedRanker["hyperParameters"] as? [String: String])?["ensemble_neural"] == "neural-000009")
        let refreshedALS = try #require(try JSONSerialization.jsonObject(with: Data(dir.read("matchwork.sqlite.models/als-000010.json").utf8)) as? [String: Any])
        #expect((refreshedALS["hyperParameters"] as? [String: String])?["factors"] == "8")
        let badKind = try dir.cli.run(["models", "unpin", "svd"])
        #expect(badKind.stderr == "error: kind 'svd' is not a model kind; use one of neural, als, bpr, item-knn, mf, ranker.\n")

        // Bad input is named, and saves nothing.
        let registryBefore = try Set(FileManager.default.contentsOfDirectory(atPath: dir.file("matchwork.sqlite.models")))
        let badParam = try dir.cli.run(["train", "--param", "epochs=zero"])
        #expect(badParam.status == 1)
        #expect(badParam.stderr == "error: parameter epochs='zero' is not an integer.\n")
        let badModel = try dir.cli.run(["train", "--model", "svd"])
        #expect(badModel.stderr == "error: --model 'svd' is not a model matchwork trains; use one of neural, als, bpr, item-knn, mf, ranker or all.\n")
        let unscoped = try dir.cli.run(["train", "--model", "all", "--param", "factors=8"])
        #expect(unscoped.status == 1)
        #expect(unscoped.stderr == "error: parameter 'factors' does not name its model; with --model all write MODEL.KEY=VALUE (als.factors=64, neural.epochs=20), MODEL one of als, bpr, item-knn, mf, neural, ranker.\n")
        let badHoldout = try dir.cli.run(["train", "--model", "als", "--param", "holdout=1.5"])
        #expect(badHoldout.stderr == "error: parameter holdout=1.5 must be between 0 and 1 (exclusive); 0.2 holds out a fifth.\n")
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: dir.file("matchwork.sqlite.models"))) == registryBefore, "nothing is saved after bad input")
        let badShare = try dir.cli.run(["recommend", "--person", "cleaner-1", "--learned-share", "2"])
        #expect(badShare.stderr == "error: learned share 2.0 must be between 0 and 1 (0 leaves the trained model out of the ensemble).\n")
    }

    @Test func allTrainsWhatTheDataAllowsAndSaysWhatItSkipped() throws {
        let dir = Scratch()
        let cli = dir.cli
        #expect(try cli.run(["generate", "cleaning", "--size", "tiny", "--store", "full.sqlite"]).status == 0)
        #expect(try cli.run(["export", "--store", "full.sqlite", "--out", "x"]).status == 0)
        // The same marketplace without its reviews: mf has nothing to learn from.
        let lines = dir.read("x/interactions.csv").split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.filter { !$0.contains(",rate,") }
        #expect(kept.count < lines.count)
        dir.write("x/interactions.csv", kept.joined(separator: "\n"))
        #expect(try cli.run(["init", "--scenario", "cleaning"]).status == 0)
        let imported = try cli.run(["import", "--people", "x/people.csv", "--opportunities", "x/opportunities.csv", "--interactions", "x/interactions.csv"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let all = try cli.run(["train", "--model", "all", "--param", "neural.epochs=3"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stderr.contains("Skipped mf: "), "\(all.stderr)")
        #expect(all.stdout.contains("Trained 5 of 6 models (als-000001, bpr-000002, item-knn-000003, neural-000004, ranker-000005); skipped mf, for the reasons above."), "\(all.stdout)")
        #expect(!dir.exists("matchwork.sqlite.models/mf-000004.mwm"))

        // Only what the engine serves is marked serving.
        let listed = try cli.run(["models"]).stdout
        let line = { (version: String) in listed.split(separator: "\n").first { $0.contains(version + "  ") }.map(String.init) ?? "" }
        #expect(line("neural-000004").hasSuffix("* serving"), "\(listed)")
        #expect(line("als-000001").hasSuffix("* serving"))
        #expect(line("bpr-000002").hasSuffix("newest bpr (the engine does not serve bpr; `evaluate` compares it)"), "\(listed)")
        #expect(!listed.contains("\\/"))
        let json = try cli.run(["models", "--json"]).stdout
        #expect(!json.contains("\\/") && json.contains(dir.path.split(separator: "/").last.map(String.init) ?? "?"))

        // unpin says what it unpinned.
        #expect(try cli.run(["models", "use", "als-000001"]).status == 0)
        #expect(try cli.run(["models", "unpin"]).stdout == "Unpinned als-000001; the newest usable version of each kind serves.\n")
        #expect(try cli.run(["models", "unpin", "neural"]).stdout == "Nothing was pinned for neural; the newest usable neural version serves.\n")

        // Nothing trainable: the command fails and says why for each kind.
        #expect(try cli.run(["init", "--scenario", "cleaning", "--store", "empty.sqlite"]).status == 0)
        let none = try cli.run(["train", "--model", "all", "--store", "empty.sqlite"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("No model could be trained on 'empty.sqlite': als: "), "\(none.stderr)")
    }
}
