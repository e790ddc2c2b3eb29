import Foundation
import MatchworkCore
import MatchworkStore
import MatchworkSynth

/// A fresh temporary directory, removed when the value is released.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "matchwork-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let p = file(name)
        try! text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    func read(_ name: String) -> String { try! String(contentsOfFile: file(name), encoding: .utf8) }

    func store(_ name: String = "store.sqlite") throws -> SQLiteStore { try SQLiteStore(path: file(name)) }
}

/// The shared data directory beside the project root.
let sharedData: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.deletingLastPathComponent().appendingPathComponent("shared/data").path
}()

func tinyMarketplace(_ scenario: ScenarioName, seed: UInt64 = 7) throws -> Marketplace {
    try MarketplaceGenerator.generate(scenario, seed: seed, size: .tiny, onetDirectory: sharedData + "/onet")
}

func batch(of m: Marketplace) -> RecordBatch {
    RecordBatch(people: m.people, opportunities: m.opportunities, interactions: m.interactions)
}
