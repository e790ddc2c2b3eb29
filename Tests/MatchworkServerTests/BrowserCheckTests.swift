import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MatchworkCore
import Testing

/// The dashboard in a real browser (issue 26): headless Chromium signs in, loads every page of a
/// service over the small cleaning marketplace with an experiment running, fails on any console
/// error (a script error, a load that failed, something the content security policy blocked),
/// checks the figures shown against the API's, and saves a screenshot of each page into
/// `.build/dashboard-screenshots` (or `MATCHWORK_SCREENSHOTS`). Skipped, saying so, when no
/// Chromium is installed (`make test` installs Debian's `chromium-headless-shell`).
@Suite("Dashboard in a browser")
struct BrowserCheckTests {
    static let folder: URL = {
        if let path = ProcessInfo.processInfo.environment["MATCHWORK_SCREENSHOTS"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/dashboard-screenshots")
    }()

    @Test("every page loads without a console error, shows the API's figures, and is saved as a screenshot",
          .enabled(if: Chromium.executable != nil, "no Chromium installed: apt-get install chromium-headless-shell (make test installs it)"))
    func everyPage() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        try await fixture.live { client, port in
            // First (before the outcomes below, which would end its history today) a trained neural model, for the models page's metrics, α and curves.
            #expect(try await client.call(.post, "/api/v1/models/retrain", key: fixture.admin, json: #"{"models":["neural"]}"#).status == .accepted)
            let status = try await RecommendationRouteTests.finishedRetrain(client, key: fixture.read)
            #expect((status["retrain"] as? [String: Any])?["state"] as? String == "succeeded", "\(status["retrain"] ?? "-")")
            // An experiment with lists served and a hire, so that its page has figures to show.
            let body = #"{"name":"bidders","target":"opportunities","description":"rule-based against popularity on job lists","arms":[{"name":"rule","mode":"rule_based"},{"name":"pop","mode":"popularity"}]}"#
            #expect(try await client.call(.post, "/api/v1/experiments", key: fixture.admin, json: body).status == .created)
            var lists: [(id: String, item: String)] = []
            for worker in fixture.marketplace.people.filter({ $0.role == .worker }).prefix(20) {
                let reply = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(worker.id)"}"#)
                if let id = reply.object["recommendation_id"] as? String, let item = (reply.object["items"] as? [[String: Any]])?.first?["id"] as? String { lists.append((id, item)) }
            }
            for list in lists.prefix(3) {
                _ = try await client.call(.post, "/api/v1/recommendations/\(list.id)/outcome", key: fixture.write, json: #"{"item_id":"\#(list.item)","outcome":"hired"}"#)
            }
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            let base = "http://127.0.0.1:\(port)"
            let browser = try Chromium()
            try await browser.openPage()

            try await browser.navigate("\(base)/dashboard/sign-in")
            try Self.save(try await browser.screenshot(), "sign-in")
            _ = try await browser.evaluate(
                "document.querySelector('input[name=key]').value = '\(fixture.admin)'; document.querySelector('form[action=\"/dashboard/sign-in\"]').submit(); true")
            _ = try await browser.wait(what: "the page after signing in") { $0["method"] as? String == "Page.loadEventFired" }
            #expect(try await browser.evaluate("location.pathname") as? String == "/dashboard")
            #expect(browser.errors() == [], "sign-in")

            // The overview's figures against the API's.
            try await browser.navigate("\(base)/dashboard")
            let figures = try #require(try await browser.evaluate(
                "JSON.stringify(Object.fromEntries([...document.querySelectorAll('[data-figure]')].map(e => [e.dataset.figure, e.querySelector('b').textContent])))") as? String)
            let shown = try #require(try JSONSerialization.jsonObject(with: Data(figures.utf8)) as? [String: String])
            var people = 0, cursor: String?
            repeat {
                let page = try await client.call(.get, "/api/v1/people?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? ""), key: fixture.read)
                people += (page.object["items"] as? [Any])?.count ?? 0
                cursor = page.object["next_cursor"] as? String
            } while cursor != nil
            #expect(shown["people"] == "\(people)", "overview people \(shown["people"] ?? "-") against the API's \(people)")
            #expect(shown["scenario"] == "cleaning")
            #expect(try await browser.evaluate("document.querySelectorAll('svg.chart').length") as? Int == 2, "the conversion and feedback charts")
            #expect(browser.errors() == [], "overview")
            try Self.save(try await browser.screenshot(), "overview")

            try await browser.navigate("\(base)/dashboard/experiments")
            #expect(try await browser.evaluate("document.querySelectorAll('tbody tr').length") as? Int == 1)
            #expect(browser.errors() == [], "experiments")
            try Self.save(try await browser.screenshot(), "experiments")

            // The experiment's subjects per arm and verdicts against its report.
            try await browser.navigate("\(base)/dashboard/experiments/bidders")
            var report: [String: Any] = [:]
            for _ in 0..<200 {
                report = try await client.call(.get, "/api/v1/experiments/bidders/report", key: fixture.read).object
                if ((report["arms"] as? [[String: Any]]) ?? []).reduce(0, { $0 + ($1["lists"] as? Int ?? 0) }) == lists.count { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            try await browser.navigate("\(base)/dashboard/experiments/bidders")
            let cells = try #require(try await browser.evaluate(
                "JSON.stringify(Object.fromEntries([...document.querySelectorAll('#arms tbody tr')].map(r => [r.dataset.arm, r.querySelector('[data-figure=subjects]').textContent])))") as? String)
            let subjects = try #require(try JSONSerialization.jsonObject(with: Data(cells.utf8)) as? [String: String])
            for arm in (report["arms"] as? [[String: Any]]) ?? [] {
                let name = arm["name"] as? String ?? "?"
                #expect(subjects[name] == "\(arm["subjects"] as? Int ?? -1)", "arm \(name): page \(subjects[name] ?? "-"), API \(arm["subjects"] ?? "-")")
            }
            let verdict = try await browser.evaluate("document.querySelector('#treatments [data-figure=verdict]').textContent") as? String
            #expect(verdict == ((report["treatments"] as? [[String: Any]])?.first?["sequential"] as? [String: Any])?["decision"] as? String)
            #expect(try await browser.evaluate("document.querySelectorAll('svg.chart').length") as? Int == 2, "the interval and lift charts")
            #expect(browser.errors() == [], "experiment")
            try Self.save(try await browser.screenshot(), "experiment")

            // The models page: a section per version the API lists, the neural one with its curves.
            try await browser.navigate("\(base)/dashboard/models")
            let versions = try #require(try await browser.evaluate("JSON.stringify([...document.querySelectorAll('section.model')].map(s => s.dataset.version))") as? String)
            let listed = ((status["models"] as? [[String: Any]]) ?? []).compactMap { $0["version"] as? String }
            #expect(Set((try JSONSerialization.jsonObject(with: Data(versions.utf8)) as? [String]) ?? []) == Set(listed), "models page \(versions), API \(listed)")
            #expect(try await browser.evaluate("document.querySelectorAll('section.model svg.chart').length") as? Int ?? 0 >= 1, "the training curves")
            #expect(browser.errors() == [], "models")
            try Self.save(try await browser.screenshot(), "models")

            // The inspector: an open job's bidders in two modes side by side, the rule-based one as the API ranks it.
            let m = fixture.marketplace
            let open = Set(m.opportunities.filter { $0.status == .open }.map(\.id))
            let bidCounts = Dictionary(grouping: m.interactions.filter { $0.type == .bid && open.contains($0.opportunity) }, by: \.opportunity).mapValues { Set($0.map(\.person)).count }
            let job = try #require(bidCounts.filter { $0.value >= 3 }.keys.map(\.rawValue).sorted().first)
            try await browser.navigate("\(base)/dashboard/inspect?kind=applicants&id=\(job)&count=5&mode=rule_based&mode=popularity")
            #expect(try await browser.evaluate("document.querySelectorAll('section.column').length") as? Int == 2)
            let api = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(job)","pool":"applicants","mode":"rule_based","count":5}"#)
            let apiIDs = ((api.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            #expect(apiIDs.count >= 3)
            let pageIDs = try #require(try await browser.evaluate(
                "JSON.stringify([...document.querySelectorAll('section.column[data-mode=rule_based] li[data-item]')].map(li => li.dataset.item))") as? String)
            #expect((try JSONSerialization.jsonObject(with: Data(pageIDs.utf8)) as? [String]) == apiIDs, "inspector \(pageIDs), API \(apiIDs)")
            #expect(browser.errors() == [], "inspector")
            try Self.save(try await browser.screenshot(), "inspector")

            // The marketplace: the worker scores as the API lists them, supply against demand.
            var top: [[String: Any]] = []
            for _ in 0..<200 {
                top = (try await client.call(.get, "/api/v1/scores?limit=20", key: fixture.read).object["items"] as? [[String: Any]]) ?? []
                if !top.isEmpty { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            try await browser.navigate("\(base)/dashboard/marketplace")
            let shownScores = try #require(try await browser.evaluate(
                "JSON.stringify([...document.querySelectorAll('#scores tbody tr')].map(r => [r.dataset.person, r.querySelector('[data-figure=overall]').textContent]))") as? String)
            let expected = top.map { [$0["person"] as? String ?? "", String(format: "%.1f", $0["overall"] as? Double ?? -1)] }
            #expect(((try JSONSerialization.jsonObject(with: Data(shownScores.utf8))) as? [[String]]) == expected, "marketplace scores \(shownScores)")
            #expect(try await browser.evaluate("document.querySelectorAll('table.facet').length") as? Int ?? 0 >= 1, "supply and demand")
            #expect(try await browser.evaluate("document.querySelectorAll('#demand tbody tr').length") as? Int ?? 0 >= 1, "demand forecasts")
            #expect(browser.errors() == [], "marketplace")
            try Self.save(try await browser.screenshot(), "marketplace")

            // People: a search as the API lists them, and a cleaner's page with their events and score.
            let cleaner = try #require(top.first?["person"] as? String)
            try await browser.navigate("\(base)/dashboard/people?q=\(cleaner)")
            let rows = try #require(try await browser.evaluate("JSON.stringify([...document.querySelectorAll('#records tbody tr')].map(r => r.dataset.id))") as? String)
            #expect(((try JSONSerialization.jsonObject(with: Data(rows.utf8))) as? [String])?.contains(cleaner) == true, "people search \(rows)")
            #expect(browser.errors() == [], "people")
            try Self.save(try await browser.screenshot(), "people")
            try await browser.navigate("\(base)/dashboard/people/\(cleaner)")
            let events = try await client.call(.get, "/api/v1/events?person_id=\(cleaner)&limit=50", key: fixture.read)
            let apiEvents = ((events.object["items"] as? [[String: Any]]) ?? []).count
            #expect(try await browser.evaluate("document.querySelectorAll('#events tbody tr').length") as? Int == apiEvents, "the API's \(apiEvents) events")
            let overall = try await browser.evaluate("document.querySelector('[data-figure=overall] b').textContent") as? String
            #expect(overall == String(format: "%.1f", top.first?["overall"] as? Double ?? -1), "the stored score")
            #expect(try await browser.evaluate("!!document.querySelector('textarea[name=record]')") as? Bool == true, "an admin can edit")
            #expect(browser.errors() == [], "person")
            try Self.save(try await browser.screenshot(), "person")
            try await browser.navigate("\(base)/dashboard/opportunities/\(job)")
            #expect(try await browser.evaluate("document.querySelectorAll('#events tbody tr').length") as? Int ?? 0 >= 3, "the job's bids")
            #expect(browser.errors() == [], "opportunity")
            try Self.save(try await browser.screenshot(), "opportunity")

            // The same page on a phone's width.
            try await browser.call("Emulation.setDeviceMetricsOverride", ["width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true])
            try await browser.navigate("\(base)/dashboard")
            #expect(try await browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1") as? Bool == true, "no sideways scrolling on a phone")
            #expect(browser.errors() == [], "overview on a phone")
            try Self.save(try await browser.screenshot(), "overview-phone")
        }
    }

    static func save(_ png: Data, _ name: String) throws {
        try png.write(to: folder.appendingPathComponent("\(name).png"))
    }
}
