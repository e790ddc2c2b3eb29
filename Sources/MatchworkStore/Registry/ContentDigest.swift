internal import Crypto

/// SHA-256 through swift-crypto (BoringSSL's assembly on Linux, CryptoKit on Apple platforms):
/// API keys are stored by it, model artifacts checked with it, served lists' items stored once
/// under it. The hex form matches `sha256sum`'s.
enum ContentDigest {
    /// The SHA-256 of `bytes`, read in place when they are contiguous.
    static func sha256<C: Collection<UInt8>>(_ bytes: C) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ sha256(UnsafeRawBufferPointer($0)) }) { return digest }
        return Array(bytes).withUnsafeBytes { sha256($0) }
    }

    static func sha256(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bufferPointer: message)
        return Array(hasher.finalize())
    }

    /// The SHA-256 of `bytes` as 64 lowercase hex digits.
    static func sha256Hex<C: Collection<UInt8>>(_ bytes: C) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in sha256(bytes) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 15)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
