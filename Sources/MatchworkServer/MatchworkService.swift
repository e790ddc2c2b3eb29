public import Hummingbird
import HummingbirdAuth
public import Logging
import MatchworkCore
public import MatchworkStore
import MatchworkDashboard
import HTTPTypes
import NIOPosix
public import NIOCore
public import Prometheus
import ServiceLifecycle

/// The HTTP service: the engine behind the JSON API under `/api/v1`, with API keys, caching,
/// tracking of served lists and their outcomes, metrics and background retraining.
///
/// ```swift
/// let service = try await MatchworkService.open(configuration: configuration, store: store, metrics: registry, logger: logger)
/// try await service.application().runService()
/// ```
public struct MatchworkService: Sendable {
    public let configuration: ServerConfiguration
    let store: any ServiceStore
    let registry: ModelRegistry
    let engineConfiguration: EngineConfiguration
    let host: EngineHost
    let cache: ResultCache
    let recorder: ServedListRecorder
    let keys: KeyCache
    let limiter: RateLimiter?
    let pool: NIOThreadPool
    /// Scores cache misses on `pool`, several at a time.
    let batcher: ScoringBatcher
    /// One thread for background retraining, so that training never takes a scoring thread.
    let training: NIOThreadPool
    let metrics: ServiceMetrics
    let retrainer: Retrainer
    /// Demand trends, refitted on their own thread when an engine brings changed demand.
    let trends: TrendKeeper
    let trendPool: NIOThreadPool
    /// Skill gaps, impacts and paths, computed on their own thread.
    let skills: SkillKeeper
    let skillPool: NIOThreadPool
    let experiments: ExperimentBook
    let dashboard: Dashboard
    let sessions: DashboardSessions
    let latency: LatencyRecorder
    let logger: Logger

    /// Lists from the cache or the scoring threads.
    var lists: ListSource { ListSource(cache: cache, batcher: batcher) }
    /// Warms the cache for a build with other models, before it serves.
    var warming: CacheWarming {
        CacheWarming(
            lists: lists, store: store, limit: min(configuration.cacheWarm, configuration.cacheCapacity), defaultMode: configuration.recommendationMode,
            metrics: metrics, logger: logger)
    }

    /// Opens the service over `store`: checks the settings that depend on the store's scenario
    /// and builds the first engine (a failure there leaves the service not ready, and says why
    /// in the log and in `/health/ready`).
    public static func open(
        configuration: ServerConfiguration, store: any ServiceStore, registry: ModelRegistry, metrics: PrometheusCollectorRegistry, logger: Logger
    ) async throws -> MatchworkService {
        // The document answers 405s and /api/v1/openapi.json: without it the service does not start.
        _ = try OpenAPIDocument.loaded.get()
        let scenario = try await store.scenario()
        var engineConfiguration = EngineConfiguration()
        if !configuration.ensembleWeights.isEmpty {
            engineConfiguration.ensemble = try EnsembleConfiguration.parse(
                configuration.ensembleWeights, over: ScenarioFeatures.forScenario(scenario).ensemble, field: "MATCHWORK_ENSEMBLE_WEIGHTS")
        }
        try engineConfiguration.validate()
        let pool = NIOThreadPool(numberOfThreads: configuration.scoringThreads)
        pool.start()
        let training = NIOThreadPool(numberOfThreads: 1)
        training.start()
        let trendPool = NIOThreadPool(numberOfThreads: 1)
        trendPool.start()
        let trends = TrendKeeper(pool: trendPool, logger: logger)
        // Paths and predictions take tens of milliseconds each: as many threads as scoring.
        let skillPool = NIOThreadPool(numberOfThreads: configuration.scoringThreads)
        skillPool.start()
        let skills = SkillKeeper(pool: skillPool, trends: trends, logger: logger)
        let host = EngineHost(
            store: store, registry: registry, configuration: engineConfiguration, pool: pool, refreshInterval: configuration.refreshInterval, logger: logger)
        let serviceMetrics = ServiceMetrics(registry: metrics)
        let batcher = ScoringBatcher(pool: pool, workers: configuration.scoringThreads) { size in
            serviceMetrics.scoringBatches.increment()
            serviceMetrics.scoringBatchedRequests.increment(by: size)
        }
        let service = MatchworkService(
            configuration: configuration, store: store, registry: registry, engineConfiguration: engineConfiguration, host: host,
            cache: ResultCache(ttl: configuration.cacheTTL, capacity: configuration.cacheCapacity, memoryBudget: configuration.cacheMemory), recorder: ServedListRecorder(store: store, logger: logger, maximumBacklog: configuration.servedListBacklog),
            keys: KeyCache(store: store), limiter: RateLimiter(defaultLimit: configuration.rateLimit), pool: pool, batcher: batcher, training: training,
            metrics: serviceMetrics, retrainer: Retrainer(logger: logger), trends: trends, trendPool: trendPool, skills: skills, skillPool: skillPool,
            experiments: ExperimentBook(store: store, registry: registry, logger: logger), dashboard: try Dashboard.load(), sessions: DashboardSessions(), latency: LatencyRecorder(),
            logger: logger)
        await host.onInstall { state in trends.engineInstalled(state) }
        let scores = ScoreKeeper(store: store, pool: training, logger: logger)
        await host.onInstall { state in scores.engineInstalled(state) }
        let warming = service.warming
        await host.prepareSwitches { state, writes in
            await warming.run(for: state, subjectWrites: writes)
        }
        do {
            try await host.rebuild()
        } catch {
            logger.error("The engine could not be built; the service is not ready until a write or a retrain rebuilds it", metadata: ["error": "\(error)"])
        }
        return service
    }

    /// The Hummingbird application serving the API.
    public func application(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        var app = Application(
            router: routes(),
            server: .guardedHTTP1(
                maximumConnections: configuration.maxConnections, headerTimeout: configuration.headerTimeout, idleTimeout: configuration.idleTimeout),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "matchwork"),
            onServerRunning: onServerRunning,
            logger: logger)
        app.addServices(Shutdown(service: self), ServedListRetention(service: self))
        return app
    }

    /// The routes as the service answers them (HEAD wherever GET), for tests
    /// (`app.test(.router)`) and ``application(onServerRunning:)``.
    public func routes() -> HeadAwareRouter { HeadAwareRouter(router: router()) }

    /// The router: every route and middleware.
    public func router() -> Router<MatchworkRequestContext> {
        let router = Router(context: MatchworkRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: ErrorMiddleware())
        HealthController(store: store, host: host, recorder: recorder, cache: cache, metrics: metrics).addRoutes(to: router)
        let api = router.group("api/v1").add(middleware: RouteLatencyMiddleware<MatchworkRequestContext>(latency: latency))
        api.get("openapi.json") { _, _ in OpenAPIDocument.response() }
        let authenticated = api.group().add(middleware: APIKeyAuthenticator(keys: keys, limiter: limiter))
        let maxBodyBytes = configuration.maxBodyBytes
        CatalogueController(store: store, host: host, maxBodyBytes: maxBodyBytes).addRoutes(to: authenticated)
        EventsController(store: store, host: host, metrics: metrics, maxBodyBytes: maxBodyBytes, eventClock: configuration.eventClock,
            retractor: EventRetractor(store: store, host: host, metrics: metrics)).addRoutes(to: authenticated)
        recommendations.addRoutes(to: authenticated)
        TrackingController(
            store: store, host: host, recorder: recorder, metrics: metrics, maxBodyBytes: maxBodyBytes, eventClock: configuration.eventClock,
            servedListRetention: configuration.servedListRetention
        ).addRoutes(to: authenticated)
        ModelsController(
            store: store, host: host, registry: registry, engineConfiguration: engineConfiguration, training: training, retrainer: retrainer, trends: trends,
            metrics: metrics, maxBodyBytes: maxBodyBytes
        ).addRoutes(to: authenticated)
        TrendsController(host: host, keeper: trends, maxBodyBytes: maxBodyBytes).addRoutes(to: authenticated)
        SkillsController(host: host, keeper: skills, maxBodyBytes: maxBodyBytes, freshWait: .milliseconds(Int64((configuration.freshWait * 1000).rounded())))
            .addRoutes(to: authenticated)
        KeysController(store: store, keys: keys, maxBodyBytes: maxBodyBytes).addRoutes(to: authenticated)
        ExperimentsController(store: store, host: host, book: experiments, registry: registry, maxBodyBytes: maxBodyBytes).addRoutes(to: authenticated)
        DashboardController(store: store, host: host, keys: keys, cache: cache, book: experiments, sessions: sessions, latency: latency, dashboard: dashboard,
            registry: registry, trends: trends, skills: skills, retractor: EventRetractor(store: store, host: host, metrics: metrics))
            .addRoutes(to: router)
        BidsController(
            store: store, host: host, pool: pool, maxBodyBytes: maxBodyBytes, freshWait: .milliseconds(Int64((configuration.freshWait * 1000).rounded()))
        ).addRoutes(to: authenticated)
        return router
    }

    /// The recommendation routes, also answering lists to tests (``RecommendationsController/lists(for:)``).
    var recommendations: RecommendationsController {
        RecommendationsController(
            host: host, lists: lists, recorder: recorder, pool: pool, metrics: metrics, maxBodyBytes: configuration.maxBodyBytes,
            freshWait: .milliseconds(Int64((configuration.freshWait * 1000).rounded())), defaultMode: configuration.recommendationMode, experiments: experiments)
    }

    /// A list as the engine answered it, rendered once (see ``RenderedList``).
    typealias RenderedList = MatchworkServer.RenderedList

    /// The lists for `requests` from the serving engine (``RecommendationsController/lists(for:)``).
    func lists(for requests: [RecommendationRequest]) async -> [Result<(list: RenderedList, cached: Bool, stale: Bool), any Error>] {
        await recommendations.lists(for: requests)
    }

    /// Creates a key: its secret (to show once) and its stored record (``KeysController/createKey(store:role:name:rateLimit:)``).
    public static func createKey(store: any ServiceStore, role: APIRole, name: String?, rateLimit: Int?) async throws -> (secret: String, record: APIKeyRecord) {
        try await KeysController.createKey(store: store, role: role, name: name, rateLimit: rateLimit)
    }

    /// Writes the served lists still waiting and stops the scoring and training threads: what a
    /// graceful shutdown does once the last request is answered (and what a test does with a
    /// service it has finished with). Returns whether every served list was written.
    @discardableResult
    public func close() async -> Bool {
        let written = await recorder.flush()
        try? await pool.shutdownGracefully()
        try? await training.shutdownGracefully()
        try? await trendPool.shutdownGracefully()
        try? await skillPool.shutdownGracefully()
        return written
    }

}

/// The router, answering HEAD wherever it answers GET (RFC 9110 §9.3.2): a HEAD request is
/// routed as a GET and answered with the same status and headers, without the body.
public struct HeadAwareRouter: HTTPResponderBuilder {
    let router: Router<MatchworkRequestContext>

    public func buildResponder() -> Responder { Responder(routes: router.buildResponder()) }

    public struct Responder: HTTPResponder {
        let routes: any HTTPResponder<MatchworkRequestContext>

        public func respond(to request: Request, context: MatchworkRequestContext) async throws -> Response {
            guard request.method == .head else { return try await routes.respond(to: request, context: context) }
            var head = request.head
            head.method = .get
            var response = try await routes.respond(to: Request(head: head, body: request.body), context: context)
            response.body = ResponseBody()
            return response
        }
    }
}

/// Sets `X-Request-ID` on every answer: the id the logs carry for the request.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[HTTPField.Name("X-Request-ID")!] = context.id
        return response
    }
}

/// One log line per answered request, at `info`, when it is answered: method, path, status and
/// time taken, with the request id (`hb.request.id`, also sent as `X-Request-ID`). Bodies,
/// query strings and headers (where keys travel) are never logged. `--log-level notice` leaves
/// these lines out.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.logger.logLevel <= .info else { return try await next(request, context) }
        let start = ContinuousClock.now
        let status: Int
        do {
            let response = try await next(request, context)
            status = response.status.code
            log(request, context: context, status: status, since: start)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context: context, status: error.status.code, since: start)
            throw error
        } catch {
            log(request, context: context, status: 500, since: start)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = start.duration(to: .now)
        let milliseconds = elapsed.inSeconds * 1000
        context.logger.info(
            "Answered",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(status)",
                "ms": "\((milliseconds * 100).rounded() / 100)",
            ])
    }
}

/// On graceful shutdown (SIGTERM), after the server has finished its in-flight requests:
/// writes the served lists still waiting and stops the scoring threads. Each write to the store
/// is a committed transaction, so nothing else is pending.
struct Shutdown: Service {
    let service: MatchworkService

    func run() async throws {
        try? await gracefulShutdown()
        // The group cancels its services as it stops; the last writes must not be cancelled.
        let service = service
        let written = await Task.detached { await service.close() }.value
        if written {
            service.logger.info("Stopped: every served list written; each event was committed when acknowledged")
        } else {
            service.logger.error("Stopped, but the last served lists could not be written (see above); events were committed when acknowledged")
        }
    }
}
