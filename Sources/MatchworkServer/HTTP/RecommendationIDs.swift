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
        let hex = Array(String(format: "%016llx%016llx", high, low))
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-" + String(hex[12..<16]) + "-" + String(hex[16..<20]) + "-" + String(hex[20..<32])
    }
}

