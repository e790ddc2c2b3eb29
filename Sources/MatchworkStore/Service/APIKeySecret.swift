/// API key secrets: how they are made, recognised and hashed.
///
/// A key reads `mwk_` followed by 40 hexadecimal digits (160 random bits from the system's
/// generator). Its public id is `key-` and 12 hexadecimal digits drawn separately (48 bits), so
/// that ids shown in listings, errors, logs and served lists reveal nothing of the secret. The
/// store keeps only the SHA-256 of the whole key, so a leaked store does not leak keys; a slow
/// password hash is not needed for secrets this long.
public enum APIKeySecret {
    public static let prefix = "mwk_"

    /// A new secret and its public id, drawn independently.
    public static func generate() -> (id: String, secret: String) {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        func hex(_ count: Int) -> String { String((0..<count).map { _ in digits[Int(generator.next(upperBound: UInt8(16)))] }) }
        let secret = prefix + hex(40)
        return ("key-" + hex(12), secret)
    }

    /// Whether `text` has the shape of a key (checked before any lookup).
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == prefix.utf8.count + 40 && text.hasPrefix(prefix)
            && text.utf8.dropFirst(prefix.utf8.count).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The hex SHA-256 of a key, as stored.
    public static func hash(_ secret: String) -> String { ContentDigest.sha256Hex(Array(secret.utf8)) }
}
