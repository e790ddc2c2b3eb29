import Foundation
import HTTPTypes
import Hummingbird
import MatchworkCore
import MatchworkDashboard
import MatchworkStore
import Synchronization

/// `/dashboard`: the operators' pages, server-rendered (``Dashboard``), behind a sign-in that
/// exchanges an API key for a session cookie.
///
/// - The cookie (`mw_session`) is HttpOnly, SameSite=Strict, scoped to `/dashboard`, and Secure
///   when the request came over TLS (`X-Forwarded-Proto: https` from a proxy). The session keeps
///   the key's hash on the server, never the key, and ends when the key is revoked, after
///   ``DashboardSessions/lifetime``, or on sign-out.
/// - Every form carries a token (`csrf`) that must equal the session's (before sign-in: a
///   `mw_csrf` cookie's, the double-submit pattern); a POST without it is refused with 403.
/// - Pages are sent with `Cache-Control: no-store` and a Content-Security-Policy that allows no
///   script, no frame and no form target but this service.
struct DashboardController: Sendable {
    let store: any ServiceStore
    let host: EngineHost
    let keys: KeyCache
    let cache: ResultCache
    let book: ExperimentBook
    let sessions: DashboardSessions
    let latency: LatencyRecorder
    let dashboard: Dashboard
    let registry: ModelRegistry
    let trends: TrendKeeper
    let skills: SkillKeeper
    let retractor: EventRetractor
    let cohorts = CohortCache()
    let maxFormBytes = 16_384
    /// A record edited as JSON can be longer than other forms.
    let maxEditBytes = 262_144

    func addRoutes(to router: Router<MatchworkRequestContext>) {
        let pages = router.group("dashboard")
        pages.get("sign-in") { request, _ in
            if let session = sessions.session(request), await alive(session) { return Self.redirect("/dashboard") }
            return signIn(request, message: nil)
        }
        pages.post("sign-in") { request, _ in
            let form = try await Self.form(request, limit: maxFormBytes)
            guard let cookie = request.cookies["mw_csrf"]?.value, let given = form["csrf"], DashboardSessions.same(cookie, given) else {
                return signIn(request, message: "The form expired; sign in again.", status: .forbidden)
            }
            guard let key = form["key"], !key.isEmpty else { return signIn(request, message: "Give an API key.", status: .unprocessableContent) }
            let hash = APIKeySecret.hash(key)
            let found: APIKeyIdentity?
            do { found = try await keys.identity(hash: hash) } catch {
                return signIn(request, message: "The store cannot be read; try again in a moment.", status: .serviceUnavailable)
            }
            guard let identity = found else { return signIn(request, message: "That key is unknown or revoked.", status: .unauthorized) }
            let name = try? await store.keys().first { $0.id == identity.id }?.name
            let session = sessions.open(hash: hash, identity: identity, keyName: name ?? identity.id)
            var response = Self.redirect("/dashboard")
            response.setCookie(sessions.cookie(session.token, secure: Self.isSecure(request)))
            response.setCookie(Self.expired("mw_csrf", secure: Self.isSecure(request)))
            return response
        }
        pages.post("sign-out") { request, _ in
            let form = try await Self.form(request, limit: maxFormBytes)
            guard let session = sessions.session(request), DashboardSessions.same(session.csrf, form["csrf"] ?? "") else {
                return Self.page(dashboard.render("error", MessagePage(layout: layout("Forbidden", nil), message: "The form expired; reload the page.")), status: .forbidden)
            }
            sessions.close(session.token)
            var response = Self.redirect("/dashboard/sign-in")
            response.setCookie(Self.expired("mw_session", secure: Self.isSecure(request)))
            return response
        }
        pages.get("") { request, _ in
            try await signedIn(request) { session in try await overview(session) }
        }
        pages.get("experiments") { request, _ in
            try await signedIn(request) { session in
                let page = ExperimentsPage(layout: layout("Experiments", session, page: "experiments"), experiments: try await store.experiments())
                return Self.page(dashboard.render("experiments", page))
            }
        }
        pages.get("models") { request, _ in
            try await signedIn(request) { session in
                let scenario = try await store.scenario()
                let entries = registry.entries(scenario: scenario)
                let page = ModelsPage(layout: layout("Models", session, page: "models"), entries: entries, serving: registry.servingVersions(among: entries))
                return Self.page(dashboard.render("models", page))
            }
        }
        pages.get("marketplace") { request, _ in
            try await signedIn(request) { session in
                let state = try await host.current(for: nil, patience: .zero).state
                let snapshot = state.engine.snapshot
                let scores = try await store.workerScores(PageRequest(limit: 20)).items
                // The fitted trends of the skills (learning) or of the facet values opportunities ask for.
                var fitted: [DemandTrend] = [], note = ""
                if let book = try? await trends.current(from: state) {
                    let skills = book.demand.keys(skills: true)
                    fitted = (try? await trends.trends(skills.isEmpty ? book.demand.facetKeys : skills, in: book, settings: TrendKeeper.defaults)) ?? []
                    note = "\(book.demand.dated) dated opportunities over \(book.demand.monthCount) months, fitted \(ISO8601DateFormatter().string(from: book.fittedAt))"
                } else {
                    note = "the trends could not be fitted yet"
                }
                let cohort = snapshot.preset?.name == .learning ? await cohortGaps(state) : nil
                let page = MarketplacePage(
                    layout: layout("Marketplace", session, page: "marketplace"), snapshot: snapshot, scores: scores, trends: fitted, trendsNote: note, cohort: cohort)
                return Self.page(dashboard.render("marketplace", page))
            }
        }
        for people in [true, false] {
            let kind = people ? "people" : "opportunities"
            pages.get(RouterPath(kind)) { request, _ in
                try await signedIn(request) { session in
                    let query = request.uri.queryParameters
                    let snapshot = try await host.current(for: nil, patience: .zero).state.engine.snapshot
                    let page = RecordsPage(
                        layout: layout(people ? "People" : "Opportunities", session, page: kind), snapshot: snapshot, people: people,
                        query: query["q"].map(String.init) ?? "", offset: query["offset"].flatMap { Int(String($0)) } ?? 0)
                    return Self.page(dashboard.render("records", page))
                }
            }
            pages.get(RouterPath("\(kind)/:id")) { request, context in
                let id = try context.parameters.require("id")
                return try await signedIn(request) { session in
                    let query = request.uri.queryParameters
                    return try await record(
                        id, people: people, request, session,
                        notice: query["retracted"].map { "Event \($0) was retracted." } ?? query["edited"].map { _ in "Saved." })
                }
            }
            pages.post(RouterPath("\(kind)/:id/edit")) { request, context in
                let id = try context.parameters.require("id")
                return try await edit(id, people: people, request)
            }
        }
        pages.post("events/:id/retract") { request, context in
            let id = try context.parameters.require("id")
            return try await retract(id, request)
        }
        pages.get("inspect") { request, _ in
            try await signedIn(request) { session in try await inspect(request, session) }
        }
        pages.get("experiments/:name") { request, context in
            let name = try context.parameters.require("name")
            return try await signedIn(request) { session in
                try await experiment(name, session, notice: request.uri.queryParameters["changed"].map { _ in "The experiment was changed." })
            }
        }
        pages.post("experiments/:name/shares") { request, context in
            let name = try context.parameters.require("name")
            return try await changing(request, name) { experiment, form in
                var shares: [String: Double] = [:]
                for arm in experiment.arms {
                    guard let text = form["share.\(arm.name)"] else { continue }
                    guard let share = Double(text) else {
                        throw MatchworkError(.invalidValue, "share '\(text)' for arm '\(arm.name)' is not a number; give a share from 0 to 1.", field: "shares.\(arm.name)")
                    }
                    shares[arm.name] = share
                }
                return try experiment.rolledOut(shares, at: .now)
            }
        }
        pages.post("experiments/:name/stop") { request, context in
            let name = try context.parameters.require("name")
            return try await changing(request, name) { experiment, _ in experiment.stopped(at: .now) }
        }
    }

    // MARK: Pages

    func layout(_ title: String, _ session: DashboardSessions.Session?, page: String = "", notice: String? = nil) -> Layout {
        Layout(title: title, page: page, role: session?.role.rawValue, keyName: session?.keyName, csrf: session?.csrf ?? "", notice: notice)
    }

    func signIn(_ request: Request, message: String?, status: HTTPResponse.Status = .ok) -> Response {
        let token = DashboardSessions.token()
        var layout = layout("Sign in", nil)
        layout.csrf = token
        var response = Self.page(dashboard.render("sign-in", MessagePage(layout: layout, message: message)), status: status)
        response.setCookie(Cookie(name: "mw_csrf", value: token, maxAge: 3600, path: "/dashboard", secure: Self.isSecure(request), httpOnly: true, sameSite: .strict))
        return response
    }

    func overview(_ session: DashboardSessions.Session) async throws -> Response {
        let state = try await host.current(for: nil, patience: .zero).state
        let snapshot = state.engine.snapshot
        let days = try await store.dailyTracking(since: Timestamp.now.adding(seconds: -30 * 86_400))
        let stats = cache.statistics
        let running = await book.experiments().filter { $0.isLive(at: .now) }.map(\.name)
        let page = OverviewPage(
            layout: layout("Overview", session, page: "overview"), scenario: snapshot.preset?.name.rawValue, generation: state.generation,
            builtAt: Timestamp(secondsSinceEpoch: Int64(state.builtAt.timeIntervalSince1970)).iso8601, modelKey: state.modelKey, people: snapshot.people.count,
            opportunities: snapshot.opportunities.count, events: snapshot.interactionCount, cache: (stats.hits, stats.misses), latency: latency.percentiles(),
            requests: latency.count(), days: days, running: running, routes: latency.routes())
        return Self.page(dashboard.render("overview", page))
    }

    /// The inspector: `kind` (person, opportunity, applicants), `id`, `count` and `mode` (repeatable).
    func inspect(_ request: Request, _ session: DashboardSessions.Session) async throws -> Response {
        let query = request.uri.queryParameters
        let modes = RecommendationMode.allCases.map(\.rawValue)
        var asked = query.getAll("mode").map { String($0) }.filter(modes.contains)
        if asked.isEmpty { asked = ["rule_based", "ensemble", "ranked"] }
        let kind = query["kind"].map(String.init) ?? "person"
        let id = query["id"].map(String.init) ?? ""
        let count = query["count"].flatMap { Int(String($0)) }.map { min(50, max(1, $0)) } ?? 10
        var results: [(mode: String, result: Result<Recommendations, MatchworkError>)] = []
        if !id.isEmpty {
            let subject: RecommendationSubject
            do {
                subject = kind == "person" ? .person(try PersonID.validated(id, field: "id")) : .opportunity(try OpportunityID.validated(id, field: "id"))
            } catch {
                let page = InspectorPage(layout: layout("Inspector", session, page: "inspect", notice: error.message), kind: kind, id: id, count: count, modes: modes, asked: asked, results: [])
                return Self.page(dashboard.render("inspect", page), status: .unprocessableContent)
            }
            let engine = try await host.current(for: SubjectKey(subject), patience: .zero).state.engine
            for mode in asked {
                guard let m = RecommendationMode(rawValue: mode) else { continue }
                let request = RecommendationRequest(subject, count: count, mode: m, pool: kind == "applicants" ? .applicants : .everyone, explain: true)
                results.append((mode, Result { () throws(MatchworkError) in try engine.recommend(request) }))
            }
        }
        let page = InspectorPage(layout: layout("Inspector", session, page: "inspect"), kind: kind, id: id, count: count, modes: modes, asked: asked, results: results)
        return Self.page(dashboard.render("inspect", page))
    }

    /// A person's or an opportunity's page: profile, events newest first (before `events_before`, a cursor), the
    /// latest lists served for it, a worker's score.
    func record(
        _ id: String, people: Bool, _ request: Request, _ session: DashboardSessions.Session, notice: String?, edited: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let notFound = { (message: String) in
            Self.page(dashboard.render("error", MessagePage(layout: layout("Not found", session, page: people ? "people" : "opportunities"), message: message)), status: .notFound)
        }
        let before = request.uri.queryParameters["events_before"].flatMap { Int64(String($0)) }
        let pageLayout = layout(id, session, page: people ? "people" : "opportunities", notice: notice)
        let canRetract = session.role.allows(.admin)
        if people {
            guard let pid = try? PersonID.validated(id, field: "id"), let person = try await store.person(pid) else {
                return notFound("No person is named '\(id)'; find one under People.")
            }
            let events = try await store.interactions(PageRequest(limit: 50, after: before, newestFirst: true), person: pid, opportunity: nil)
            let lists = try await withOutcomes(try await store.servedLists(PageRequest(limit: 20), subject: .person(pid)).items)
            let score = person.role == .client ? nil : try await store.workerScore(pid)
            let page = RecordPage(
                layout: pageLayout, person: person, events: events, lists: lists, score: score, canRetract: canRetract,
                editJSON: canRetract ? edited ?? Self.pretty { RecordJSON.write(person, into: &$0) } : nil)
            return Self.page(dashboard.render("record", page), status: status)
        }
        guard let oid = try? OpportunityID.validated(id, field: "id"), let opportunity = try await store.opportunity(oid) else {
            return notFound("No opportunity is named '\(id)'; find one under Opportunities.")
        }
        let events = try await store.interactions(PageRequest(limit: 50, after: before, newestFirst: true), person: nil, opportunity: oid)
        let lists = try await withOutcomes(try await store.servedLists(PageRequest(limit: 20), subject: .opportunity(oid)).items)
        let page = RecordPage(
            layout: pageLayout, opportunity: opportunity, events: events, lists: lists, score: nil, canRetract: canRetract,
            editJSON: canRetract ? edited ?? Self.pretty { RecordJSON.write(opportunity, into: &$0) } : nil)
        return Self.page(dashboard.render("record", page), status: status)
    }

    /// All learners' skill gaps, computed once per engine build.
    func cohortGaps(_ state: EngineHost.State) async -> SkillCohortAnalysis? {
        if let kept = cohorts.kept.withLock({ $0 }), kept.generation == state.generation { return kept.analysis }
        guard let market = try? await skills.market(for: state),
            let analysis = try? await skills.run({ market.cohort(CohortFilter(facets: [:], near: nil), top: 10) })
        else { return nil }
        cohorts.kept.withLock { $0 = (state.generation, analysis) }
        return analysis
    }

    /// Each list with the outcomes and feedback recorded against it (at most 200 of each).
    func withOutcomes(_ lists: [ServedList]) async throws -> [(list: ServedList, outcomes: [OutcomeRecord], feedback: [FeedbackRecord])] {
        let responses = try await store.responses(toLists: lists.map(\.id), limit: 200)
        return lists.map { ($0, responses.outcomes[$0.id] ?? [], responses.feedback[$0.id] ?? []) }
    }

    /// JSON `write` produces, indented for the edit form.
    static func pretty(_ write: (inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = []
        write(&bytes)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Saves a record edited as JSON: signed in with an admin key, with the session's token; the
    /// page again with the error when the JSON is not a valid record.
    func edit(_ id: String, people: Bool, _ request: Request) async throws -> Response {
        let form = try await Self.form(request, limit: maxEditBytes)
        guard let session = sessions.session(request), await alive(session) else { return Self.redirect("/dashboard/sign-in") }
        func refused(_ message: String, _ status: HTTPResponse.Status) -> Response {
            Self.page(dashboard.render("error", MessagePage(layout: layout("Forbidden", session), message: message)), status: status)
        }
        guard DashboardSessions.same(session.csrf, form["csrf"] ?? "") else { return refused("The form expired; reload the page and try again.", .forbidden) }
        guard session.role.allows(.admin) else { return refused("Editing a record needs an admin key; this session signed in with a \(session.role.rawValue) key.", .forbidden) }
        let text = form["record"] ?? ""
        let kind = people ? "people" : "opportunities"
        func again(_ message: String) async throws -> Response {
            try await signedIn(request) { session in
                try await record(id, people: people, request, session, notice: "Not saved: \(message)", edited: text, status: .unprocessableContent)
            }
        }
        guard let parsed = JSONReader.parse(Array(text.utf8)), var object = parsed.members else {
            return try await again("the record is not a JSON object; correct it and save again.")
        }
        if case .string(let given)? = object["id"], given != id {
            return try await again("id cannot change; it is '\(id)'. Create a new record with POST /api/v1/\(kind) instead.")
        }
        object["id"] = .string(id)
        do {
            if people {
                let pid = try PersonID.validated(id, field: "id")
                guard try await store.person(pid) != nil else { return refused("No person is named '\(id)'.", .notFound) }
                let person = try RecordJSON.person(object)
                _ = try await store.write(RecordBatch(people: [person]), progress: nil)
                await host.noteWrite([.person(id)])
            } else {
                let oid = try OpportunityID.validated(id, field: "id")
                guard try await store.opportunity(oid) != nil else { return refused("No opportunity is named '\(id)'.", .notFound) }
                let opportunity = try RecordJSON.opportunity(object)
                _ = try await store.write(RecordBatch(opportunities: [opportunity]), progress: nil)
                await host.noteWrite([.opportunity(id)])
            }
        } catch let error as MatchworkError {
            return try await again(error.message)
        } catch let error as StoreError {
            return try await again(error.message)
        }
        return Self.redirect("/dashboard/\(kind)/\(RecordsPage.pathSegment(id))?edited=1")
    }

    /// Retracts an event from a record's page: signed in with an admin key, with the session's
    /// token; back to the page it came from (a dashboard path).
    func retract(_ id: String, _ request: Request) async throws -> Response {
        let form = try await Self.form(request, limit: maxFormBytes)
        guard let session = sessions.session(request), await alive(session) else { return Self.redirect("/dashboard/sign-in") }
        func refused(_ title: String, _ message: String, _ status: HTTPResponse.Status) -> Response {
            Self.page(dashboard.render("error", MessagePage(layout: layout(title, session), message: message)), status: status)
        }
        guard DashboardSessions.same(session.csrf, form["csrf"] ?? "") else { return refused("Forbidden", "The form expired; reload the page and try again.", .forbidden) }
        guard session.role.allows(.admin) else {
            return refused("Forbidden", "Retracting an event needs an admin key; this session signed in with a \(session.role.rawValue) key.", .forbidden)
        }
        let back = form["back"].flatMap { $0.hasPrefix("/dashboard/") && !$0.contains("//") && !$0.contains("?") ? $0 : nil } ?? "/dashboard"
        let eventID: String
        do { eventID = try ExternalIdentifier.validate(id, field: "id") } catch { return refused("Not retracted", error.message, .unprocessableContent) }
        let outcome: Retraction
        do { outcome = try await retractor.retract(eventID) } catch {
            return refused("Unavailable", "The store could not record the retraction: \(error.message)", .serviceUnavailable)
        }
        switch outcome {
        case .notFound: return refused("Not found", EventRetractor.notFound(eventID), .notFound)
        case .isRetraction: return refused("Not retracted", EventRetractor.isRetraction(eventID), .conflict)
        case .alreadyRetracted, .retracted: return Self.redirect("\(back)?retracted=\(RecordsPage.pathSegment(eventID))")
        }
    }

    func experiment(_ name: String, _ session: DashboardSessions.Session, notice: String? = nil) async throws -> Response {
        guard Experiment.isIdentifier(name), let experiment = try await store.experiment(named: name) else {
            return Self.page(
                dashboard.render("error", MessagePage(layout: layout("Not found", session), message: "No experiment is named '\(name)'.")), status: .notFound)
        }
        let observations = try await store.experimentObservations(name)
        let snapshot = try await host.current(for: nil, patience: .zero).state.engine.snapshot
        let report = ExperimentReport(
            experiment: experiment, observations: observations,
            preperiod: ExperimentReport.preperiod(snapshot, subjects: observations.lists.map(\.subject), start: experiment.start), now: .now)
        let page = ExperimentPage(
            layout: layout("Experiment \(name)", session, page: "experiments", notice: notice), experiment: experiment, report: report, canEdit: session.role.allows(.admin))
        return Self.page(dashboard.render("experiment", page))
    }

    /// A change to an experiment from a form: signed in with an admin key, with the session's token.
    func changing(_ request: Request, _ name: String, _ change: @Sendable (Experiment, [String: String]) throws -> Experiment) async throws -> Response {
        let form = try await Self.form(request, limit: maxFormBytes)
        guard let session = sessions.session(request), await alive(session) else { return Self.redirect("/dashboard/sign-in") }
        guard DashboardSessions.same(session.csrf, form["csrf"] ?? "") else {
            return Self.page(dashboard.render("error", MessagePage(layout: layout("Forbidden", session), message: "The form expired; reload the page and try again.")), status: .forbidden)
        }
        guard session.role.allows(.admin) else {
            return Self.page(
                dashboard.render("error", MessagePage(layout: layout("Forbidden", session), message: "Changing an experiment needs an admin key; this session signed in with a \(session.role.rawValue) key.")),
                status: .forbidden)
        }
        guard Experiment.isIdentifier(name), let experiment = try await store.experiment(named: name) else {
            return Self.page(dashboard.render("error", MessagePage(layout: layout("Not found", session), message: "No experiment is named '\(name)'.")), status: .notFound)
        }
        do {
            try await store.updateExperiment(try change(experiment, form))
        } catch let error as MatchworkError {
            return Self.page(dashboard.render("error", MessagePage(layout: layout("Not changed", session), message: error.message)), status: .unprocessableContent)
        }
        book.invalidate()
        return Self.redirect("/dashboard/experiments/\(name)?changed=1")
    }

    /// Runs `body` for a signed-in session, or sends the browser to sign in.
    func signedIn(_ request: Request, _ body: (DashboardSessions.Session) async throws -> Response) async throws -> Response {
        guard let session = sessions.session(request), await alive(session) else { return Self.redirect("/dashboard/sign-in") }
        do {
            return try await body(session)
        } catch let error as StoreError {
            return Self.page(dashboard.render("error", MessagePage(layout: layout("Unavailable", session), message: "The store could not answer: \(error.message)")), status: .serviceUnavailable)
        } catch let error as APIError {
            return Self.page(dashboard.render("error", MessagePage(layout: layout("Unavailable", session), message: error.message)), status: error.status)
        }
    }

    /// Whether the session's key is still active (a revoked key ends its sessions).
    func alive(_ session: DashboardSessions.Session) async -> Bool {
        guard let identity = try? await keys.identity(hash: session.hash), identity.id == session.keyID else {
            sessions.close(session.token)
            return false
        }
        return true
    }

    // MARK: HTTP

    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func isSecure(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    static func expired(_ name: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/dashboard", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The fields of an `application/x-www-form-urlencoded` body (a field given twice keeps the first).
    static func form(_ request: Request, limit: Int) async throws -> [String: String] {
        var body = try await request.body.collect(upTo: limit)
        let text = body.readString(length: body.readableBytes) ?? ""
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let key = decode(parts[0])
            if out[key] == nil { out[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return out
    }
}

/// The dashboard's sign-in sessions, in memory: a token (the cookie) per session, with the key it
/// was opened with (its hash and id, its role), a form token, and its expiry.
final class DashboardSessions: Sendable {
    struct Session: Sendable {
        let token: String
        let hash: String
        let keyID: String
        let keyName: String
        let role: APIRole
        let csrf: String
        let expires: Double
    }

    /// Twelve hours.
    static let lifetime = 12.0 * 3600
    static let maximum = 10_000
    private let sessions = Mutex([String: Session]())

    /// 32 random bytes as hex, from the system's secure generator.
    static func token() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", rng.next() as UInt64) }.joined()
    }

    /// Whether two tokens are equal, in time independent of where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    func open(hash: String, identity: APIKeyIdentity, keyName: String) -> Session {
        let now = ResultCache.now()
        let session = Session(token: Self.token(), hash: hash, keyID: identity.id, keyName: keyName, role: identity.role, csrf: Self.token(), expires: now + Self.lifetime)
        sessions.withLock { all in
            all = all.filter { $0.value.expires > now }
            if all.count >= Self.maximum, let oldest = all.min(by: { $0.value.expires < $1.value.expires }) { all[oldest.key] = nil }
            all[session.token] = session
        }
        return session
    }

    func close(_ token: String) { sessions.withLock { _ = $0.removeValue(forKey: token) } }

    /// The live session of the request's `mw_session` cookie.
    func session(_ request: Request) -> Session? {
        guard let token = request.cookies["mw_session"]?.value, !token.isEmpty else { return nil }
        let now = ResultCache.now()
        return sessions.withLock { all in
            guard let s = all[token] else { return nil }
            guard s.expires > now else {
                all[token] = nil
                return nil
            }
            return s
        }
    }

    func cookie(_ token: String, secure: Bool) -> Cookie {
        Cookie(name: "mw_session", value: token, maxAge: Int(Self.lifetime), path: "/dashboard", secure: secure, httpOnly: true, sameSite: .strict)
    }
}

/// The durations of the latest recommendation requests (up to 10,000), for the dashboard's percentiles.
final class LatencyRecorder: Sendable {
    /// The latest durations of one route, in milliseconds, and how many were timed.
    struct Ring {
        var samples: [Double] = []
        var next = 0
        var count = 0

        mutating func add(_ ms: Double) {
            if samples.count < LatencyRecorder.capacity { samples.append(ms) } else { samples[next] = ms }
            next = (next + 1) % LatencyRecorder.capacity
            count += 1
        }
    }

    /// The route the overview's latency figure is of.
    static let recommendations = "POST /api/v1/recommendations/generate"
    private let state = Mutex([String: Ring]())
    static let capacity = 10_000

    /// Times one request of `route` (``route(method:path:)``).
    func record(_ duration: Duration, route: String = LatencyRecorder.recommendations) {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        state.withLock { $0[route, default: Ring()].add(ms) }
    }

    /// How many requests of `route` were timed since the start.
    func count(_ route: String = LatencyRecorder.recommendations) -> Int { state.withLock { $0[route]?.count ?? 0 } }

    /// p50, p95 and p99 in milliseconds of `route`'s latest requests, `nil` before any.
    func percentiles(_ route: String = LatencyRecorder.recommendations) -> (p50: Double, p95: Double, p99: Double)? {
        guard let samples = state.withLock({ $0[route]?.samples }) else { return nil }
        return Self.percentiles(samples)
    }

    /// Every route timed, the busiest first, with its count and percentiles.
    func routes() -> [(route: String, count: Int, p50: Double, p95: Double, p99: Double)] {
        let rings = state.withLock { $0 }
        return rings.compactMap { route, ring in
            Self.percentiles(ring.samples).map { (route, ring.count, $0.p50, $0.p95, $0.p99) }
        }.sorted { ($0.count, $1.route) > ($1.count, $0.route) }
    }

    static func percentiles(_ samples: [Double]) -> (p50: Double, p95: Double, p99: Double)? {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return nil }
        func at(_ q: Double) -> Double { sorted[max(0, min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1))] }
        return (at(0.5), at(0.95), at(0.99))
    }

    /// The route pattern of a request: its method and path with ids as `{id}`
    /// (`GET /api/v1/people/{id}/similar`), from the API's fixed path words.
    static func route(method: String, path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return "\(method) /\(parts.prefix(2).joined(separator: "/"))" }
        var out = ["api", "v1"]
        for (k, part) in parts.dropFirst(2).enumerated() {
            out.append(k == 0 || fixedWords.contains(String(part)) ? String(part) : "{id}")
        }
        return "\(method) /" + out.joined(separator: "/")
    }

    /// The words of the API's paths after the collection (`openapi.json`), kept as they are.
    static let fixedWords: Set<String> = [
        "analyze", "batch", "calibration", "forecast", "generate", "predict", "retrain", "status", "suggest", "suggestions", "outcome", "report", "score", "similar", "stop",
    ]
}

/// Times every API request by its route (``LatencyRecorder``), refused ones included.
struct RouteLatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let latency: LatencyRecorder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let route = LatencyRecorder.route(method: request.method.rawValue, path: request.uri.path)
        defer { latency.record(started.duration(to: .now), route: route) }
        return try await next(request, context)
    }
}

/// The learners' skill gaps the marketplace page shows, kept for one engine build.
final class CohortCache: Sendable {
    let kept = Mutex<(generation: Int, analysis: SkillCohortAnalysis)?>(nil)
}
