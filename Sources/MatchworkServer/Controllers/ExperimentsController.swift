import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

/// `/experiments`: A/B tests of ranking settings on one kind of list (``Experiment``), created,
/// rolled out and stopped by admin keys, read and reported to read keys. The report
/// (``ExperimentReport``) comes from the lists served in the experiment and the outcomes and
/// feedback recorded on them.
struct ExperimentsController: Sendable {
    let store: any ServiceStore
    let host: EngineHost
    let book: ExperimentBook
    let registry: ModelRegistry
    let maxBodyBytes: Int

    struct ListResponse: Encodable {
        var experiments: [Experiment]
    }

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let reads = api.group().add(middleware: RequireRole(role: .read))
        let admin = api.group().add(middleware: RequireRole(role: .admin))
        reads.get("experiments") { request, _ in
            try QueryFields.none(request)
            return try Reply.encode(ListResponse(experiments: try await store.experiments()))
        }
        admin.post("experiments") { request, _ in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let experiment = try Self.experiment(&fields, now: .now)
            try fields.finish()
            // A pinned version must load now, not fail on the arm's first request.
            let scenario = try await store.scenario()
            for (i, arm) in experiment.arms.enumerated() {
                for (kind, version) in (arm.models ?? [:]).sorted(by: { $0.key < $1.key }) {
                    do { _ = try registry.load(version, scenario: scenario) } catch {
                        throw APIError.unprocessable(
                            "arms[\(i)].models.\(kind): \((error as? StoreError)?.message ?? "\(error)"); pin a version `matchwork models` lists as usable.", field: "arms[\(i)].models.\(kind)")
                    }
                }
            }
            try await store.createExperiment(experiment)
            book.invalidate()
            return try Reply.encode(experiment, status: .created)
        }
        reads.get("experiments/:name") { request, context in
            try QueryFields.none(request)
            return try Reply.encode(try await found(try context.pathParameter("name")))
        }
        admin.patch("experiments/:name") { request, context in
            try QueryFields.none(request)
            var experiment = try await found(try context.pathParameter("name"))
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let now = Timestamp.now
            if var shares = try fields.object("shares") {
                var given: [String: Double] = [:]
                for key in shares.object.keys.sorted() { given[key] = try shares.number(key, in: -1e9...1e9) }
                try shares.finish()
                experiment = try experiment.rolledOut(given, at: now)
            }
            if let end = try fields.timestamp("end") {
                experiment.end = end
                try experiment.validate()
            }
            if let description = try fields.string("description") { experiment.description = description }
            try fields.finish()
            try await store.updateExperiment(experiment)
            book.invalidate()
            return try Reply.encode(experiment)
        }
        admin.post("experiments/:name/stop") { request, context in
            try QueryFields.none(request)
            let experiment = try await found(try context.pathParameter("name"))
            guard experiment.status == .running else { return try Reply.encode(experiment) }
            let stopped = experiment.stopped(at: .now)
            try await store.updateExperiment(stopped)
            book.invalidate()
            return try Reply.encode(stopped)
        }
        reads.get("experiments/:name/report") { request, context in
            try QueryFields.none(request)
            let experiment = try await found(try context.pathParameter("name"))
            return try Reply.encode(try await report(experiment))
        }
    }

    func found(_ name: String) async throws -> Experiment {
        guard Experiment.isIdentifier(name) else {
            throw APIError.unprocessable("experiment name '\(name)' must be 1 to 64 lower-case letters, digits, '-' or '_'.", field: "name")
        }
        guard let experiment = try await store.experiment(named: name) else {
            throw APIError.notFound("no experiment is named '\(name)'; GET /api/v1/experiments lists them.", field: "name")
        }
        return experiment
    }

    /// The report as of now, with CUPED's pre-period from the serving engine's marketplace.
    func report(_ experiment: Experiment) async throws -> ExperimentReport {
        let observations = try await store.experimentObservations(experiment.name)
        let snapshot = try await host.current(for: nil, patience: .zero).state.engine.snapshot
        let preperiod = ExperimentReport.preperiod(snapshot, subjects: observations.lists.map(\.subject), start: experiment.start)
        return ExperimentReport(experiment: experiment, observations: observations, preperiod: preperiod, now: .now)
    }

    /// Reads a new experiment: `name`, `target`, `arms` (`name`, `mode`, optional `weights`,
    /// `learned_share` and `models`, registry versions by kind), optional `control` (the first arm), `shares` (by arm; equal by default),
    /// `start` (now), `end`, `description`, `guardrails` (`metric`, `max_drop`), `tau` and `alpha`.
    static func experiment(_ fields: inout JSONFields, now: Timestamp) throws -> Experiment {
        let name = try fields.string("name", required: "name the experiment (lower-case letters, digits, '-' or '_')")
        let targetText = try fields.string("target", required: "give the kind of list it tests: opportunities, people or applicants")
        guard let target = RankingTarget(rawValue: targetText) else {
            throw APIError.unprocessable("target '\(targetText)' is not a kind of list; use opportunities, people or applicants.", field: "target")
        }
        guard let items = try fields.array("arms") else { throw fields.missing("arms", "give 2 to 8 arms, such as [{\"name\": \"rule\", \"mode\": \"rule_based\"}, {\"name\": \"ranked\", \"mode\": \"ranked\"}]") }
        var arms: [ExperimentArm] = []
        for (i, item) in items.enumerated() {
            var a = try JSONFields(item, path: "arms[\(i)]")
            let armName = try a.string("name", required: "name the arm")
            let modeText = try a.string("mode", required: "give the arm's mode")
            let mode: RecommendationMode
            do { mode = try RecommendationMode.parse(modeText, field: "arms[\(i)].mode") } catch { throw APIError(error) }
            let weights = try a.string("weights")
            let share = try a.number("learned_share", in: -1e9...1e9)
            var models: [String: String]?
            if var m = try a.object("models") {
                var pins: [String: String] = [:]
                for kind in m.object.keys.sorted() { pins[kind] = try m.string(kind, required: "give the registry version, such as \(kind)-000004") }
                try m.finish()
                models = pins
            }
            try a.finish()
            arms.append(ExperimentArm(name: armName, mode: mode, weights: weights, learnedShare: share, models: models))
        }
        let control = try fields.string("control")
        var shares: [String: Double] = [:]
        if var s = try fields.object("shares") {
            for key in s.object.keys.sorted() { shares[key] = try s.number(key, in: -1e9...1e9) }
            try s.finish()
        } else {
            for arm in arms { shares[arm.name] = 1 / Double(max(1, arms.count)) }
        }
        let start = try fields.timestamp("start") ?? now
        let end = try fields.timestamp("end")
        let description = try fields.string("description")
        var guardrails = Guardrail.defaults
        if let items = try fields.array("guardrails") {
            guardrails = []
            for (i, item) in items.enumerated() {
                var g = try JSONFields(item, path: "guardrails[\(i)]")
                let metric = try g.string("metric", required: "give one of \(Guardrail.metrics.joined(separator: ", "))")
                let drop = try g.number("max_drop", in: -1e9...1e9) ?? 0.1
                try g.finish()
                guardrails.append(Guardrail(metric: metric, maxDrop: drop))
            }
        }
        let tau = try fields.number("tau", in: -1e9...1e9) ?? SequentialTest().tau
        let alpha = try fields.number("alpha", in: -1e9...1e9) ?? SequentialTest().alpha
        do {
            return try Experiment(
                name: name, description: description, target: target, arms: arms, control: control, shares: shares, start: start, end: end, guardrails: guardrails,
                sequential: SequentialTest(tau: tau, alpha: alpha), createdAt: now)
        } catch {
            throw APIError(error)
        }
    }
}
