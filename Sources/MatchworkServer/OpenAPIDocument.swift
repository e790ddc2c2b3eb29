import Hummingbird

/// The OpenAPI 3.1 document of the API, served at `/api/v1/openapi.json`.
enum OpenAPIDocument {
    static func response() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}
