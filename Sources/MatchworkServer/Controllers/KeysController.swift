import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

/// `/keys` (admin role): creating, listing and revoking API keys.
struct KeysController: Sendable {
    let store: any ServiceStore
    let keys: KeyCache
    let maxBodyBytes: Int

    struct CreatedKey: Encodable {
        /// The secret, shown this once: only its hash is stored.
        var key: String
        var record: APIKeyRecord
    }

    struct KeyList: Encodable {
        var items: [APIKeyRecord]
    }

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let admin = api.group().add(middleware: RequireRole(role: .admin))
        admin.get("keys") { request, _ in
            try QueryFields.none(request)
            return try Reply.encode(KeyList(items: try await store.keys()))
        }
        admin.post("keys") { request, _ in try await create(request) }
        admin.delete("keys/:id") { request, context in
            try QueryFields.none(request)
            let id = try context.pathParameter("id")
            // A key cannot revoke itself: an admin would lock themselves out by mistake.
            if id == context.identity?.id {
                throw APIError(.conflict, code: "own_key", "Key '\(id)' is the key of this request; revoke it with another admin key (or `matchwork keys revoke \(id)`).", field: "id")
            }
            guard try await store.revokeKey(id: id, at: .now) else {
                throw APIError.notFound("No key '\(id)'; list keys with GET /api/v1/keys.", field: "id")
            }
            keys.forgetAll()
            return Response(status: .noContent)
        }
    }

    /// `POST /keys`: a new key, its secret shown this once.
    func create(_ request: Request) async throws -> Response {
        try QueryFields.none(request)
        var fields = try await JSONInput.object(request, limit: maxBodyBytes)
        let roleText = try fields.string("role", required: "give read, write or admin")
        let name = try fields.string("name")
        let rateLimit = try fields.integer("rate_limit", in: 1...1_000_000)
        try fields.finish()
        guard let role = APIRole(rawValue: roleText) else {
            throw APIError.unprocessable("role '\(roleText)' is not a role; use read, write or admin.", field: "role")
        }
        let created = try await Self.createKey(store: store, role: role, name: name, rateLimit: rateLimit)
        return try Reply.encode(CreatedKey(key: created.secret, record: created.record), status: .created)
    }

    /// Creates a key: its secret (to show once) and its stored record.
    static func createKey(store: any ServiceStore, role: APIRole, name: String?, rateLimit: Int?) async throws -> (secret: String, record: APIKeyRecord) {
        if let name, name.unicodeScalars.count > 200 || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw MatchworkError(.invalidValue, "name is \(name.unicodeScalars.count) characters or holds a control character; give one line of at most 200 characters.", field: "name")
        }
        let (id, secret) = APIKeySecret.generate()
        let record = APIKeyRecord(id: id, role: role, name: name, rateLimit: rateLimit, createdAt: .now)
        try await store.createKey(record, hash: APIKeySecret.hash(secret))
        return (secret, record)
    }
}
