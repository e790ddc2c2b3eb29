extension OpenAPIDocument { static let json = "{}" }
