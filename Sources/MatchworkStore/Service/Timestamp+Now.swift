internal import Foundation
public import MatchworkCore

extension Timestamp {
    /// The current time, to the second.
    public static var now: Timestamp { Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)) }
}
