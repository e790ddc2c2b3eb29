public import Hummingbird
import MatchworkCore
import MatchworkStore
import NIOCore

/// An error the API answers with: an HTTP status and a JSON body `{code, message, field}`.
///
/// Messages name the value at fault and what to do, and never include a key, a hash or a
/// stored value that the caller did not send.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`invalid_value`, `not_found`, `unauthorized`…).
    public var code: String
    public var message: String
    /// The input field at fault (`count`, `events[3].person_id`…), when one is.
    public var field: String?
    /// Extra response headers (`Retry-After` for 429).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count + 64)
        out.append(contentsOf: #"{"code":"#.utf8)
        RecordJSON.writeString(code, into: &out)
        out.append(contentsOf: #","message":"#.utf8)
        RecordJSON.writeString(message, into: &out)
        out.append(contentsOf: #","field":"#.utf8)
        if let field { RecordJSON.writeString(field, into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(UInt8(ascii: "}"))
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: out)))
    }

    static func unprocessable(_ message: String, field: String?) -> APIError {
        APIError(.unprocessableContent, code: "invalid_value", message, field: field)
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, code: "bad_request", message, field: field)
    }

    static func notFound(_ message: String, field: String? = nil) -> APIError {
        APIError(.notFound, code: "not_found", message, field: field)
    }

    /// A domain validation error: 404 for an unknown id, 400 for a body that breaks the schema
    /// (an unknown member, a wrong type, a missing member), 422 for a value out of range.
    init(_ error: MatchworkError, prefix: String? = nil) {
        let field = error.field.map { f in prefix.map { "\($0).\(f)" } ?? f }
        if error.code == .unknownIdentifier {
            self.init(.notFound, code: "not_found", error.message, field: field)
        } else if error.code == .unknownField || error.code == .invalidType || error.code == .missingValue {
            self.init(.badRequest, code: error.code.description, error.message, field: field)
        } else {
            self.init(.unprocessableContent, code: error.code.description, error.message, field: field)
        }
    }

    /// A storage error: 422 for refused input, 503 when the store cannot answer.
    init(_ error: StoreError, batch: String? = nil) {
        if error.code == .invalidInput || error.code == .scenarioMismatch {
            let field = error.field.map { f in batch.map { b in error.record.map { "\(b)[\($0)].\(f)" } ?? "\(b).\(f)" } ?? f }
            self.init(.unprocessableContent, code: error.code.description, error.message, field: field)
        } else if error.code == .notFound {
            self.init(.notFound, code: "not_found", error.message)
        } else if error.code == .conflict {
            self.init(.conflict, code: "conflict", error.message, field: error.field)
        } else {
            self.init(.serviceUnavailable, code: "store_unavailable", "The store could not answer: \(error.message) Retry later; nothing was changed by this request.")
        }
    }
}

/// Turns every error escaping a route into a JSON error: Hummingbird's own HTTP errors (404 for
/// an unknown route, 413 for a body over the limit) keep their status; anything unexpected is
/// logged with the request id and answered 500 without details.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            return try Self.translate(error, request: request).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try Self.translate(HTTPError(error.status), request: request).response(from: request, context: context)
        } catch let error as MatchworkError {
            return try APIError(error).response(from: request, context: context)
        } catch let error as StoreError {
            return try APIError(error).response(from: request, context: context)
        } catch {
            context.logger.error("Unexpected error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return try APIError(.internalServerError, code: "internal", "The service failed unexpectedly; the request id in the logs identifies the failure.")
                .response(from: request, context: context)
        }
    }

    static func translate(_ error: HTTPError, request: Request) -> APIError {
        switch error.status {
        case .notFound:
            if let allowed = OpenAPIDocument.methods(at: request.uri.path) {
                var error = APIError(
                    .methodNotAllowed, code: "method_not_allowed",
                    "\(request.uri.path) does not take \(request.method.rawValue); it takes \(allowed.joined(separator: ", ")).")
                error.headers[.allow] = allowed.joined(separator: ", ")
                return error
            }
            return APIError(.notFound, code: "not_found", "No route \(request.method.rawValue) \(request.uri.path); the API is described at /api/v1/openapi.json.")
        case .contentTooLarge:
            return APIError(.contentTooLarge, code: "body_too_large", "The request body is larger than the service accepts; send smaller batches.")
        case .unauthorized:
            return APIError(.unauthorized, code: "unauthorized", "An API key is needed: send it in X-API-Key or Authorization: Bearer. Create one with `matchwork keys create`.")
        default:
            var api = APIError(error.status, code: String(error.status.reasonPhrase.lowercased().map { $0 == " " ? "_" : $0 }), error.body ?? error.status.reasonPhrase)
            api.headers = error.headers
            return api
        }
    }
}
