import Foundation

/// Recommendation ids: time-ordered UUIDs (version 7, RFC 9562), so that the served lists'
/// unique index grows at its end. With random (version 4) ids every insert landed on a random
/// page of an index of millions of entries, and the served-list writer fell behind the
/// cache hits it records.
enum RecommendationIDs {
    /// A new id, lowercase hex with dashes: 48 bits of Unix milliseconds, then the version,
    /// 12 random bits, the variant and 62 random bits.
    static func next(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        let high = milliseconds << 16 | 0x7000 | (generator.next() & 0x0FFF)
        let low = (generator.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let hex = String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 16)
        let characters = Array(hex)
        return String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-" + String(characters[12..<16]) + "-"
            + String(characters[16..<20]) + "-" + String(characters[20..<32])
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
