/// The release `matchwork --version` prints.
enum MatchworkVersion {
    static let current = "0.7.0"
}
