import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MatchworkCore
import MatchworkStore
@testable import MatchworkServer
import Testing

/// The dashboard (issue 26): sign-in with a key for a session cookie (HttpOnly, SameSite=Strict,
/// Secure behind TLS), CSRF tokens on every form, roles, escaping, and the pages' figures.
@Suite("Dashboard")
struct DashboardTests {
    /// A browser's cookie jar, enough for one host and path.
    final class Browser: @unchecked Sendable {
        var cookies: [String: String] = [:]
        let client: any TestClientProtocol

        init(_ client: any TestClientProtocol) { self.client = client }

        func send(_ method: HTTPRequest.Method, _ uri: String, form: [String: String]? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
            var headers = extra
            if !cookies.isEmpty { headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
            var body: ByteBuffer?
            if let form {
                headers[.contentType] = "application/x-www-form-urlencoded"
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
                body = ByteBuffer(string: form.sorted { $0.key < $1.key }.map { "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
            }
            let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
            for line in response.headers[values: .setCookie] {
                let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
                if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
            }
            return response
        }

        /// The `csrf` field of the page's first form.
        static func csrf(_ html: String) -> String? {
            guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }

        func signIn(_ key: String) async throws -> TestResponse {
            let page = try await send(.get, "/dashboard/sign-in")
            return try await send(.post, "/dashboard/sign-in", form: ["key": key, "csrf": Self.csrf(page.text) ?? ""])
        }
    }

    @Test("Signing in exchanges a key for an HttpOnly, SameSite=Strict session cookie; pages need it; signing out ends it")
    func signInAndOut() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let browser = Browser(client)
            let before = try await browser.send(.get, "/dashboard")
            #expect(before.status == .seeOther && before.headers[.location] == "/dashboard/sign-in")
            let form = try await browser.send(.get, "/dashboard/sign-in")
            #expect(form.status == .ok && form.headers[.contentType] == "text/html; charset=utf-8")
            #expect(form.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true && form.headers[.cacheControl] == "no-store")
            // A wrong key, then a right one.
            let wrong = try await browser.send(.post, "/dashboard/sign-in", form: ["key": "mwk_nope", "csrf": Browser.csrf(form.text) ?? ""])
            #expect(wrong.status == .unauthorized && wrong.text.contains("That key is unknown or revoked."))
            let signed = try await browser.signIn(fixture.read)
            #expect(signed.status == .seeOther && signed.headers[.location] == "/dashboard")
            let cookie = try #require(signed.headers[values: .setCookie].first { $0.hasPrefix("mw_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/dashboard") && !cookie.contains("Secure"))
            #expect(!cookie.contains(fixture.read), "the key is not in the cookie")
            // Some API requests, each timed under its route with ids folded.
            let worker = try #require(fixture.marketplace.people.first { $0.role == .worker }).id.rawValue
            for _ in 0..<3 { _ = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(worker)"}"#) }
            _ = try await client.call(.get, "/api/v1/people/\(worker)/similar", key: fixture.read)
            _ = try await client.call(.get, "/api/v1/people/nobody-at-all", key: fixture.read)
            let overview = try await browser.send(.get, "/dashboard")
            #expect(overview.status == .ok)
            #expect(overview.text.contains(#"data-figure="people">people<b>\#(fixture.marketplace.people.count)</b>"#), "the page shows the marketplace's people")
            #expect(overview.text.contains(#"<tr data-route="POST /api/v1/recommendations/generate"><td><code>POST /api/v1/recommendations/generate</code></td><td class="n" data-count>3</td>"#))
            #expect(overview.text.contains(#"<tr data-route="GET /api/v1/people/{id}/similar">"#) && overview.text.contains(#"<tr data-route="GET /api/v1/people/{id}">"#))
            #expect(!overview.text.contains("nobody-at-all"), "ids are folded into {id}")
            #expect(!overview.text.contains(fixture.read) && !overview.text.contains(fixture.admin), "no key on a page")
            // Signing out needs the form's token.
            let token = try #require(Browser.csrf(overview.text))
            #expect(try await browser.send(.post, "/dashboard/sign-out", form: ["csrf": "forged"]).status == .forbidden)
            let out = try await browser.send(.post, "/dashboard/sign-out", form: ["csrf": token])
            #expect(out.status == .seeOther && browser.cookies["mw_session"] == nil)
            #expect(try await browser.send(.get, "/dashboard").status == .seeOther)
        }
    }

    @Test("Behind TLS the cookie is Secure; a sign-in without the form's token is refused")
    func secureAndCSRF() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let browser = Browser(client)
            let tls: HTTPFields = [HTTPField.Name("X-Forwarded-Proto")!: "https"]
            let page = try await browser.send(.get, "/dashboard/sign-in", headers: tls)
            #expect(page.headers[values: .setCookie].contains { $0.hasPrefix("mw_csrf=") && $0.contains("Secure") })
            let forged = try await browser.send(.post, "/dashboard/sign-in", form: ["key": fixture.read, "csrf": "0123"], headers: tls)
            #expect(forged.status == .forbidden && browser.cookies["mw_session"] == nil)
            let other = Browser(client)
            let noCookie = try await other.send(.post, "/dashboard/sign-in", form: ["key": fixture.read, "csrf": Browser.csrf(page.text) ?? ""], headers: tls)
            #expect(noCookie.status == .forbidden, "the token without its cookie (another site's form) is refused")
            // The refusal's page carries a new form, with a new token.
            let signed = try await browser.send(.post, "/dashboard/sign-in", form: ["key": fixture.read, "csrf": Browser.csrf(forged.text) ?? ""], headers: tls)
            #expect(signed.headers[values: .setCookie].contains { $0.hasPrefix("mw_session=") && $0.contains("Secure") })
        }
    }

    @Test("The experiment page shows the report's figures, escapes what operators typed, and lets only admins change shares, with the token")
    func experimentPage() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        try await fixture.test { client in
            let body = #"{"name":"jobs-ab","target":"opportunities","description":"<script>alert(1)</script> & more","arms":[{"name":"rule","mode":"rule_based"},{"name":"pop","mode":"popularity"}]}"#
            #expect(try await client.call(.post, "/api/v1/experiments", key: fixture.admin, json: body).status == .created)
            var served = 0
            for worker in fixture.marketplace.people.filter({ $0.role == .worker }).prefix(12) {
                let reply = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(worker.id)"}"#)
                if reply.status == .ok { served += 1 }
            }
            // Served lists are written in the background: wait until the report has them all.
            var arms: [[String: Any]] = []
            for _ in 0..<200 {
                let report = try await client.call(.get, "/api/v1/experiments/jobs-ab/report", key: fixture.read)
                arms = (report.object["arms"] as? [[String: Any]]) ?? []
                if arms.reduce(0, { $0 + ($1["lists"] as? Int ?? 0) }) == served { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(served >= 6 && arms.reduce(0, { $0 + ($1["lists"] as? Int ?? 0) }) == served)

            let reader = Browser(client)
            _ = try await reader.signIn(fixture.read)
            let page = try await reader.send(.get, "/dashboard/experiments/jobs-ab")
            #expect(page.status == .ok)
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more") && !page.text.contains("<script>"), "the description is escaped")
            for arm in arms {
                let name = try #require(arm["name"] as? String), subjects = try #require(arm["subjects"] as? Int)
                #expect(page.text.contains(#"<tr data-arm="\#(name)">"#) && page.text.contains(#"data-figure="subjects">\#(subjects)</td>"#), "\(name): \(subjects) subjects as the API says")
            }
            #expect(page.text.contains("<svg") && page.text.contains("keep running"))
            #expect(!page.text.contains("Change the shares"), "a read key sees no form")
            let readerToken = try #require(Browser.csrf(page.text))
            let refused = try await reader.send(.post, "/dashboard/experiments/jobs-ab/shares", form: ["csrf": readerToken, "share.rule": "0", "share.pop": "1"])
            #expect(refused.status == .forbidden && refused.text.contains("needs an admin key"))

            let admin = Browser(client)
            _ = try await admin.signIn(fixture.admin)
            let adminPage = try await admin.send(.get, "/dashboard/experiments/jobs-ab")
            #expect(adminPage.text.contains("Change the shares"))
            let token = try #require(Browser.csrf(adminPage.text))
            #expect(try await admin.send(.post, "/dashboard/experiments/jobs-ab/shares", form: ["share.rule": "0.2", "share.pop": "0.8"]).status == .forbidden)
            let bad = try await admin.send(.post, "/dashboard/experiments/jobs-ab/shares", form: ["csrf": token, "share.rule": "0.7", "share.pop": "0.8"])
            #expect(bad.status == .unprocessableContent && bad.text.contains("shares sum to 1.5"))
            let changed = try await admin.send(.post, "/dashboard/experiments/jobs-ab/shares", form: ["csrf": token, "share.rule": "0.2", "share.pop": "0.8"])
            #expect(changed.status == .seeOther)
            let after = try await client.call(.get, "/api/v1/experiments/jobs-ab", key: fixture.read)
            #expect((after.object["rollout"] as? [Any])?.count == 2)
            #expect(((after.object["rollout"] as? [[String: Any]])?.last?["shares"] as? [String: Double])?["pop"] == 0.8)
            #expect(try await admin.send(.get, "/dashboard/experiments/nope").status == .notFound)
            let list = try await admin.send(.get, "/dashboard/experiments")
            #expect(list.status == .ok && list.text.contains(#"<a href="/dashboard/experiments/jobs-ab">jobs-ab</a>"#))
        }
    }

    @Test("People and opportunities can be searched and opened with their events and lists; an admin retracts an event with the token, a reader cannot")
    func recordsAndRetraction() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let worker = try #require(fixture.marketplace.people.first { $0.role == .worker })
            let job = try #require(fixture.marketplace.opportunities.first { $0.status == .open })
            let sent = try await client.call(
                .post, "/api/v1/events", key: fixture.write,
                json: #"{"event_id":"dash-1","person_id":"\#(worker.id)","opportunity_id":"\#(job.id)","type":"view","timestamp":"2026-01-02T10:00:00Z"}"#)
            #expect(sent.status == .created)
            #expect(try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(worker.id)"}"#).status == .ok)

            let reader = Browser(client)
            _ = try await reader.signIn(fixture.read)
            // Search by id and by name; everyone without a query, a page at a time.
            let all = try await reader.send(.get, "/dashboard/people")
            let people = fixture.marketplace.people.count
            #expect(all.status == .ok && all.text.contains("1-\(min(50, people)) of \(people)"), "every person, 50 to a page")
            let found = try await reader.send(.get, "/dashboard/people?q=\(worker.id.rawValue.uppercased())")
            #expect(found.text.contains(#"<tr data-id="\#(worker.id)">"#), "ids match whatever the case")
            if let name = worker.name {
                let byName = try await reader.send(.get, "/dashboard/people?q=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
                #expect(byName.text.contains(#"<tr data-id="\#(worker.id)">"#), "found by name")
            }
            let none = try await reader.send(.get, "/dashboard/opportunities?q=%3Cscript%3E")
            #expect(none.status == .ok && none.text.contains("none") && none.text.contains("value=\"&lt;script&gt;\"") && !none.text.contains("<script>"))
            // Served lists are written in the background.
            var page = try await reader.send(.get, "/dashboard/people/\(worker.id)")
            for _ in 0..<200 where !page.text.contains("<tr data-list=") {
                try await Task.sleep(for: .milliseconds(25))
                page = try await reader.send(.get, "/dashboard/people/\(worker.id)")
            }
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<tr data-event="dash-1" data-type="view">"#), "the event sent")
            #expect(page.text.contains("<tr data-list="), "the list served")
            #expect(page.text.contains(#"href="/dashboard/opportunities/\#(job.id)""#), "links to the other side")
            #expect(!page.text.contains("Retract"), "a read key sees no retract button")
            let readerToken = try #require(Browser.csrf(page.text))
            let refused = try await reader.send(.post, "/dashboard/events/dash-1/retract", form: ["csrf": readerToken, "back": "/dashboard/people/\(worker.id)"])
            #expect(refused.status == .forbidden && refused.text.contains("needs an admin key"))
            let jobPage = try await reader.send(.get, "/dashboard/opportunities/\(job.id)")
            #expect(jobPage.status == .ok && jobPage.text.contains(#"<tr data-event="dash-1""#))
            #expect(try await reader.send(.get, "/dashboard/people/nobody-here").status == .notFound)

            let admin = Browser(client)
            _ = try await admin.signIn(fixture.admin)
            let adminPage = try await admin.send(.get, "/dashboard/people/\(worker.id)")
            #expect(adminPage.text.contains(#"action="/dashboard/events/dash-1/retract""#))
            let token = try #require(Browser.csrf(adminPage.text))
            #expect(try await admin.send(.post, "/dashboard/events/dash-1/retract", form: ["back": "/dashboard/people/\(worker.id)"]).status == .forbidden, "no token")
            #expect(try await admin.send(.post, "/dashboard/events/nope/retract", form: ["csrf": token]).status == .notFound)
            let retracted = try await admin.send(.post, "/dashboard/events/dash-1/retract", form: ["csrf": token, "back": "https://elsewhere.example/"])
            #expect(retracted.status == .seeOther && retracted.headers[.location] == "/dashboard?retracted=dash-1", "an outside address is not followed")
            let log = try await client.call(.get, "/api/v1/events?person_id=\(worker.id)", key: fixture.read)
            let types = ((log.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["type"] as? String }
            #expect(types.contains("retract"), "the retraction is in the log: \(types)")
            let again = try await admin.send(.get, "/dashboard/people/\(worker.id)?retracted=dash-1")
            #expect(again.text.contains("Event dash-1 was retracted."))
            #expect(!again.text.contains(#"action="/dashboard/events/dash-1-retract"#))

            // Editing: the record as JSON; a bad one comes back with what is wrong, a good one is saved.
            #expect(!page.text.contains("<textarea"), "a read key sees no edit form")
            #expect(again.text.contains(#"<form method="post" action="/dashboard/people/\#(worker.id)/edit">"#))
            let current = try await client.call(.get, "/api/v1/people/\(worker.id)", key: fixture.read)
            var record = current.object
            record["name"] = "Renamed <b>Worker</b>"
            let edited = String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
            let editPath = "/dashboard/people/\(worker.id)/edit"
            #expect(try await reader.send(.post, editPath, form: ["csrf": readerToken, "record": edited]).status == .forbidden)
            #expect(try await admin.send(.post, editPath, form: ["record": edited]).status == .forbidden, "no token")
            let broken = try await admin.send(.post, editPath, form: ["csrf": token, "record": "{\"name\": "])
            #expect(broken.status == .unprocessableContent && broken.text.contains("not a JSON object") && broken.text.contains("{&quot;name&quot;: </textarea>"), "the text comes back to correct")
            var moved = record
            moved["id"] = "someone-else"
            let renamed = try await admin.send(.post, editPath, form: ["csrf": token, "record": String(decoding: try JSONSerialization.data(withJSONObject: moved), as: UTF8.self)])
            #expect(renamed.status == .unprocessableContent && renamed.text.contains("id cannot change"))
            var invalid = record
            invalid["capacity"] = -3
            let refusedValue = try await admin.send(.post, editPath, form: ["csrf": token, "record": String(decoding: try JSONSerialization.data(withJSONObject: invalid), as: UTF8.self)])
            #expect(refusedValue.status == .unprocessableContent && refusedValue.text.contains("capacity"), "the field is named")
            let saved = try await admin.send(.post, editPath, form: ["csrf": token, "record": edited])
            #expect(saved.status == .seeOther && saved.headers[.location] == "/dashboard/people/\(worker.id)?edited=1")
            let after = try await client.call(.get, "/api/v1/people/\(worker.id)", key: fixture.read)
            #expect(after.object["name"] as? String == "Renamed <b>Worker</b>")
            let shown = try await admin.send(.get, "/dashboard/people/\(worker.id)?edited=1")
            #expect(shown.text.contains("Saved.") && shown.text.contains("Renamed &lt;b&gt;Worker&lt;/b&gt;") && !shown.text.contains("<b>Worker"))
        }
    }

    @Test("The marketplace page forecasts demand with intervals, and on the learning marketplace shows the learners' skill gaps as the API ranks them")
    func marketplaceForecastsAndGaps() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            let gaps = try await client.call(.post, "/api/v1/skill-gaps/analyze", key: fixture.read, json: #"{"cohort":"all","limit":10}"#)
            let apiSkills = ((gaps.object["skills"] as? [[String: Any]]) ?? []).compactMap { $0["label"] as? String }
            #expect(!apiSkills.isEmpty, "\(gaps.text)")
            let trends = try await client.call(.post, "/api/v1/trends/analyze", key: fixture.read, json: #"{"by":"skill","limit":1}"#)
            let top = try #require((trends.object["items"] as? [[String: Any]])?.first)
            let reader = Browser(client)
            _ = try await reader.signIn(fixture.read)
            let page = try await reader.send(.get, "/dashboard/marketplace")
            #expect(page.status == .ok)
            let rows = page.text.components(separatedBy: "<tr data-skill=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(rows == Array(apiSkills.prefix(10)), "the page's skills \(rows), the API's \(apiSkills)")
            #expect(page.text.contains(#"<table id="demand">"#) && page.text.contains("Forecast demand growth"), "the forecasts and their chart")
            // The fastest-growing skill first, with the API's growth.
            let label = try #require(top["label"] as? String ?? (top["key"] as? String))
            let growth = try #require((top["growth"] as? [String: Any])?["mean"] as? Double)
            let firstRow = try #require(page.text.components(separatedBy: "<tr data-series=\"").dropFirst().first)
            #expect(firstRow.hasPrefix(label) && firstRow.contains(#"data-figure="growth">\#(Int((100 * growth).rounded()))%<"#), "first row \(firstRow.prefix(200)), API \(label) \(growth)")
        }
    }

    @Test("A revoked key ends its sessions")
    func revocation() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let (secret, record) = try await MatchworkService.createKey(store: fixture.store, role: .read, name: "temp", rateLimit: nil)
            let browser = Browser(client)
            _ = try await browser.signIn(secret)
            #expect(try await browser.send(.get, "/dashboard").status == .ok)
            #expect(try await client.call(.delete, "/api/v1/keys/\(record.id)", key: fixture.admin).status == .noContent)
            #expect(try await browser.send(.get, "/dashboard").status == .seeOther, "a revoked key's session sends the browser to sign in")
        }
    }
}
