import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

/// `/skill-gaps/analyze`, `/skill-gaps/predict` and `/learning-paths/generate`: a learner's (or
/// a cohort's) skill gaps against the postings, the predicted effect of a change, and the courses
/// that close the gaps, from the serving engine's data (``SkillKeeper``).
///
/// A request about a learner waits up to `fresh_wait` for the engine to include that learner's
/// own writes, as recommendations do; answers are kept per engine build, so a write drops them.
struct SkillsController: Sendable {
    let host: EngineHost
    let keeper: SkillKeeper
    let maxBodyBytes: Int
    let freshWait: Duration

    /// Path search nodes a request may ask for.
    static let nodeBudgets = 1...1_000_000

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let reads = api.group().add(middleware: RequireRole(role: .read))
        reads.post("skill-gaps/analyze") { request, _ in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let person = try fields.string("person_id")
            let cohort = try fields.string("cohort")
            let target = try Self.target(&fields)
            let limit = try fields.integer("limit", in: 0...100)
            try fields.finish()
            switch (person, cohort) {
            case (let person?, nil):
                let id = try Self.person(person)
                return try await answer(for: id, key: "analyze|\(person)|\(Self.describe(target))|\(limit ?? -1)") { market, _ in
                    try market.analyze(person: id, target: target, nearest: limit ?? SkillMarket.nearestTargetCount)
                }
            case (nil, let cohort?):
                guard target == nil else {
                    throw APIError.unprocessable("target_occupation and target_postings apply to one learner; a cohort's learners are measured against their own targets.", field: "target_occupation")
                }
                let filter: CohortFilter
                do throws(MatchworkError) { filter = try CohortFilter.parse(cohort, field: "cohort") } catch { throw APIError.unprocessable(error.message, field: "cohort") }
                return try await answer(for: nil, key: "cohort|\(filter)|\(limit ?? -1)") { market, _ in market.cohort(filter, top: limit ?? 20) }
            default:
                throw APIError.unprocessable("give exactly one of person_id (a learner's gaps) or cohort (all, occupation=CODE, FACET=VALUE,... or near=LAT:LON:KM).", field: "person_id")
            }
        }
        reads.post("skill-gaps/predict") { request, _ in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let id = try Self.person(try fields.string("person_id", required: "name the learner whose change to predict"))
            let target = try Self.target(&fields)
            var changes: [SkillChange] = []
            if var skills = try fields.object("skills") {
                guard skills.object.count <= 100 else { throw APIError.unprocessable("skills holds \(skills.object.count) skills; send at most 100.", field: "skills") }
                for name in skills.object.keys.sorted() {
                    guard let level = try skills.number(name, in: 0...SkillLevel.maximumLevel) else { continue }
                    changes.append(.skill(name, level: level))
                }
                try skills.finish()
            }
            if let courses = try fields.strings("courses") {
                guard courses.count <= 100 else { throw APIError.unprocessable("courses holds \(courses.count) ids; send at most 100.", field: "courses") }
                for (i, course) in courses.enumerated() { changes.append(.course(try Self.opportunity(course, field: "courses[\(i)]"))) }
            }
            if try fields.bool("path") == true { changes.append(.path) }
            try fields.finish()
            guard !changes.isEmpty else {
                throw APIError.unprocessable("no change to predict; give skills ({\"programming\": 4}), courses ([\"course-12\"]) or \"path\": true.", field: "skills")
            }
            let key = "predict|\(id)|\(Self.describe(target))|\(changes.map { "\($0)" }.joined(separator: ","))"
            let requested = changes
            return try await answer(for: id, key: key) { market, model in try market.impact(person: id, target: target, changes: requested, model: try model()) }
        }
        reads.post("learning-paths/generate") { request, _ in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let id = try Self.person(try fields.string("person_id", required: "name the learner to plan for"))
            let target = try Self.target(&fields)
            let objectiveText = try fields.string("objective") ?? PathObjective.hours.rawValue
            let maxHours = try fields.number("max_hours", in: 0.001...1_000_000)
            let budget = try fields.integer("node_budget", in: Self.nodeBudgets) ?? PathSettings().nodeBudget
            try fields.finish()
            let objective: PathObjective
            do throws(MatchworkError) { objective = try PathObjective.parse(objectiveText, field: "objective") } catch { throw APIError.unprocessable(error.message, field: "objective") }
            let settings = PathSettings(objective: objective, maxHours: maxHours, nodeBudget: budget)
            let key = "path|\(id)|\(Self.describe(target))|\(objective.rawValue)|\(maxHours ?? -1)|\(budget)"
            return try await answer(for: id, key: key) { market, _ in try market.path(person: id, target: target, settings: settings) }
        }
    }

    /// The answer for `key` from the engine that includes `person`'s writes (within
    /// `fresh_wait`), computed on one of the keeper's threads unless kept.
    func answer<T: Encodable & Sendable>(
        for person: PersonID?, key: String, _ body: @escaping @Sendable (SkillMarket, () throws -> HireProbabilityModel) throws -> T
    ) async throws -> Response {
        let (state, _, _) = try await host.current(for: person.map { .person($0.rawValue) }, patience: person == nil ? .zero : freshWait)
        if let kept = await keeper.answer(key, generation: state.generation) { return Reply.json(kept) }
        let market = try await keeper.market(for: state)
        // The hire model only when the body asks for it.
        let needsModel = key.hasPrefix("predict|")
        let model: HireProbabilityModel? = needsModel ? try await keeper.hireModel(for: state, market: market) : nil
        let value = try await keeper.run {
            try body(market) {
                guard let model else { throw MatchworkError(.invalidConfiguration, "the hire model was not fitted for this request.", field: nil) }
                return model
            }
        }
        let bytes = Array(try Reply.encoder.encode(value))
        await keeper.keep(bytes, for: key, generation: state.generation)
        return Reply.json(bytes)
    }

    static func person(_ text: String) throws(APIError) -> PersonID {
        do throws(MatchworkError) { return try PersonID.validated(text, field: "person_id") } catch { throw APIError.unprocessable(error.message, field: "person_id") }
    }

    static func opportunity(_ text: String, field: String) throws(APIError) -> OpportunityID {
        do throws(MatchworkError) { return try OpportunityID.validated(text, field: field) } catch { throw APIError.unprocessable(error.message, field: field) }
    }

    /// `target_occupation` or `target_postings` (not both), or neither.
    static func target(_ fields: inout JSONFields) throws(APIError) -> SkillTarget? {
        let occupation = try fields.string("target_occupation")
        let postings = try fields.strings("target_postings")
        switch (occupation, postings) {
        case (nil, nil): return nil
        case (let code?, nil):
            guard !code.isEmpty, code.utf8.count <= 64 else {
                throw APIError.unprocessable("target_occupation is '\(code)'; give an O*NET-SOC code such as 15-1252.00.", field: "target_occupation")
            }
            return .occupation(code)
        case (nil, let ids?):
            guard !ids.isEmpty, ids.count <= 1000 else { throw APIError.unprocessable("target_postings holds \(ids.count) ids; send 1 to 1000.", field: "target_postings") }
            return .postings(try ids.enumerated().map { (i, id) throws(APIError) in try opportunity(id, field: "target_postings[\(i)]") })
        default:
            throw APIError.unprocessable("give target_occupation or target_postings, not both.", field: "target_postings")
        }
    }

    static func describe(_ target: SkillTarget?) -> String {
        switch target {
        case nil: "-"
        case .occupation(let code)?: "o:\(code)"
        case .postings(let ids)?: "p:" + ids.map(\.rawValue).joined(separator: ",")
        }
    }
}
