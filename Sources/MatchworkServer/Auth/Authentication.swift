import Foundation
import HTTPTypes
public import Hummingbird
public import HummingbirdAuth
import MatchworkCore
public import MatchworkStore
import Synchronization

/// The request context: Hummingbird's core context and the authenticated key.
public struct MatchworkRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: APIKeyIdentity?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }
}

/// The key a request was authenticated with.
public struct APIKeyIdentity: Sendable, Hashable {
    public var id: String
    public var role: APIRole
    public var rateLimit: Int?
}

/// Finds the key in `X-API-Key` or `Authorization: Bearer`, checks it against the store (through a
/// short-lived cache, so that a key revoked with `matchwork keys revoke` stops working within
/// `cacheSeconds`) and, when a rate limit applies, counts the request against it.
///
/// No key → 401; an unknown or revoked key → 401; over the limit → 429 with `Retry-After`.
/// Neither the key nor its hash appears in any answer or log.
struct APIKeyAuthenticator: AuthenticatorMiddleware {
    typealias Context = MatchworkRequestContext
    let keys: KeyCache
    let limiter: RateLimiter?

    func authenticate(request: Request, context: Context) async throws -> APIKeyIdentity? {
        let presented = request.headers[HTTPField.Name("X-API-Key")!] ?? Self.bearerToken(request.headers[.authorization])
        guard let secret = presented?.trimmingCharacters(in: .whitespaces), !secret.isEmpty else {
            throw APIError(
                .unauthorized, code: "unauthorized",
                "An API key is needed: send it in X-API-Key or Authorization: Bearer. Create one with `matchwork keys create --role read`.")
        }
        guard APIKeySecret.isWellFormed(secret), let identity = try await keys.identity(for: secret) else {
            throw APIError(.unauthorized, code: "unauthorized", "The API key is not valid or was revoked; check it, or create a new one with `matchwork keys create`.")
        }
        if let limiter, let limit = identity.rateLimit ?? limiter.defaultLimit, let wait = limiter.admit(identity.id, perMinute: limit) {
            var error = APIError(
                .tooManyRequests, code: "rate_limited", "Key \(identity.id) is over its limit of \(limit) requests per minute; retry in \(Int(wait.rounded(.up))) s.")
            error.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            throw error
        }
        return identity
    }

    /// The token of `Authorization: Bearer TOKEN`; the scheme is matched without regard to case
    /// (RFC 9110 §11.1: `bearer`, `BEARER` are the same scheme).
    static func bearerToken(_ authorization: String?) -> String? {
        guard let authorization, let space = authorization.firstIndex(of: " ") else { return nil }
        guard authorization[..<space].lowercased() == "bearer" else { return nil }
        return String(authorization[space...].drop { $0 == " " })
    }
}

/// Active keys by hash, each remembered for `cacheSeconds`.
final class KeyCache: Sendable {
    let store: any ServiceStore
    let cacheSeconds: Double
    private let known = Mutex([String: (APIKeyIdentity?, Double)]())

    init(store: any ServiceStore, cacheSeconds: Double = 5) {
        self.store = store
        self.cacheSeconds = cacheSeconds
    }

    /// Forgets every remembered key (after a revocation through the API).
    func forgetAll() { known.withLock { $0.removeAll() } }

    func identity(for secret: String) async throws -> APIKeyIdentity? {
        try await identity(hash: APIKeySecret.hash(secret))
    }

    /// The active key whose secret hashes to `hash` (a dashboard session keeps the hash, never the secret).
    func identity(hash: String) async throws -> APIKeyIdentity? {
        let now = ResultCache.now()
        if let (identity, until) = known.withLock({ $0[hash] }), until > now { return identity }
        let record = try await store.activeKey(hash: hash)
        let identity = record.map { APIKeyIdentity(id: $0.id, role: $0.role, rateLimit: $0.rateLimit) }
        known.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[hash] = (identity, now + cacheSeconds)
        }
        return identity
    }
}

/// A token bucket per key: `perMinute` requests a minute, in bursts of up to that many.
final class RateLimiter: Sendable {
    let defaultLimit: Int?
    private let buckets = Mutex([String: (tokens: Double, at: Double)]())

    init(defaultLimit: Int?) { self.defaultLimit = defaultLimit }

    /// `nil` when the request is admitted, else the seconds until it would be.
    func admit(_ key: String, perMinute: Int) -> Double? {
        let now = ResultCache.now()
        let rate = Double(perMinute) / 60
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? (Double(perMinute), now)
            bucket.tokens = min(Double(perMinute), bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / rate
        }
    }
}

/// Lets a request through when its key's role allows `role`: 403 otherwise.
struct RequireRole: RouterMiddleware {
    typealias Context = MatchworkRequestContext
    let role: APIRole

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let identity = context.identity else {
            throw APIError(.unauthorized, code: "unauthorized", "An API key is needed: send it in X-API-Key or Authorization: Bearer.")
        }
        guard identity.role.allows(role) else {
            throw APIError(
                .forbidden, code: "forbidden",
                "Key \(identity.id) has the \(identity.role.rawValue) role; this route needs \(role.rawValue)\(role == .admin ? "" : " or higher"). Use a key with that role.")
        }
        return try await next(request, context)
    }
}
