import GRDB

/// Raw SQL access to a store file, for tests that check database-level guarantees.
struct GRDBProbe {
    let queue: DatabaseQueue
    init(path: String) throws { queue = try DatabaseQueue(path: path) }
    func execute(_ sql: String) throws { try queue.write { try $0.execute(sql: sql) } }
    func scalar(_ sql: String) throws -> Int { try queue.read { try Int.fetchOne($0, sql: sql) ?? 0 } }
    func strings(_ sql: String) throws -> [String] { try queue.read { try String.fetchAll($0, sql: sql) } }
    func integrityCheck() throws -> String { try queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "" } }
}
