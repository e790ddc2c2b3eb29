import Testing

@testable import MatchworkStore

/// SHA-256 against digests from Python's hashlib, at every length where the padding changes
/// shape: empty, the last length that fits one padded block (55), the first that needs two (56),
/// whole blocks (64) and several blocks.
@Suite("SHA-256 through swift-crypto, against Python's hashlib") struct SHA256Tests {
    /// Bytes 7, 38, 69, … (`(31 i + 7) mod 256`), so that every length is a different message.
    static func message(_ count: Int) -> [UInt8] { (0..<count).map { UInt8((31 * $0 + 7) % 256) } }

    @Test(arguments: [
        (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (1, "ca358758f6d27e6cf45272937977a748fd88391db679ceda7dc7bf1f005ee879"),
        (55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b"),
        (56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63"),
        (63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076"),
        (64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd"),
        (65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0"),
        (119, "3d610547d68216dedf7435a4fb6260353911f6b3fd3f18805ddb8be285d726fe"),
        (120, "1f80156a804cb7862ad113e8200e9d74499723e7c7854d5f48776d3148e09656"),
        (1000, "5097e7d587352f5097062ae679f37bda5802d9f875aba14c8cb4d1a188ada179"),
    ])
    func matchesHashlib(count: Int, expected: String) {
        let bytes = Self.message(count)
        #expect(ContentDigest.sha256Hex(bytes) == expected)
        // A collection without contiguous storage takes the copying path and agrees.
        #expect(ContentDigest.sha256Hex(bytes.lazy.map { $0 }) == expected)
        // A slice that does not start at zero.
        let padded = [0xFF] + bytes + [0xFF]
        #expect(ContentDigest.sha256Hex(padded[1..<(count + 1)]) == expected)
    }

    @Test func standardVector() {
        #expect(ContentDigest.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
