internal import Foundation
import MatchworkCore

/// Writes a store's records to `people`, `opportunities` and `interactions` files in the same
/// formats the importer reads, so that export then import is lossless.
public struct Exporter: Sendable {
    public let store: any Store

    public init(store: any Store) { self.store = store }

    /// What an export wrote.
    public struct Summary: Sendable {
        public var files: [String] = []
        public var people = 0
        public var opportunities = 0
        public var interactions = 0
    }

    /// Writes the three files into `directory` (created when missing). Each file is written to a
    /// temporary name and renamed into place, so a reader never sees half a file. When the
    /// store holds data derived from a licensed source, its attribution is written beside them.
    public func export(to directory: String, format: RecordFileFormat) async throws(StoreError) -> Summary {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.unreadableFile, "Cannot create the directory '\(directory)': \(error.localizedDescription). Choose a writable --out directory.")
        }
        var summary = Summary()
        let people = try await store.people()
        summary.people = people.count
        summary.files.append(try write(PersonFormat.self, people, name: "people", directory: directory, format: format))
        let opportunities = try await store.opportunities()
        summary.opportunities = opportunities.count
        summary.files.append(try write(OpportunityFormat.self, opportunities, name: "opportunities", directory: directory, format: format))
        let interactions = try await store.interactions()
        summary.interactions = interactions.count
        summary.files.append(try write(InteractionFormat.self, interactions, name: "interactions", directory: directory, format: format))
        if let attribution = try await store.metadata("attribution") {
            summary.files.append(try Exporter.writeAtomically(Array(attribution.utf8), to: (directory as NSString).appendingPathComponent("ATTRIBUTION.md")))
        }
        return summary
    }

    private func write<F: RecordFormat>(_ format: F.Type, _ records: [F.Record], name: String, directory: String, format fileFormat: RecordFileFormat) throws(StoreError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(records.count * 64)
        switch fileFormat {
        case .csv:
            var writer = CSVWriter()
            writer.writeRow(F.columns)
            for record in records { writer.writeRow(F.encode(record)) }
            out = writer.take()
        case .jsonLines:
            for record in records {
                JSONValue.object(F.json(record)).write(into: &out)
                out.append(0x0A)
            }
        }
        let path = (directory as NSString).appendingPathComponent("\(name).\(fileFormat.fileExtension)")
        return try Exporter.writeAtomically(out, to: path)
    }

    /// Writes `bytes` to `path` through a temporary file and a rename, creating the directories
    /// it names when they do not exist.
    @discardableResult
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(StoreError) -> String {
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw StoreError(.unreadableFile, "Cannot write '\(path)': \(error.localizedDescription). Check that the directory is writable and the disk is not full.")
        }
        return path
    }

    /// Writes rejected rows as CSV: `file,line,column,value,reason`.
    public static func writeRejects(_ rows: [RejectedRow], to path: String) throws(StoreError) {
        var writer = CSVWriter()
        writer.writeRow(["file", "line", "column", "value", "reason"])
        for row in rows { writer.writeRow([row.file, String(row.line), row.column ?? "", row.value ?? "", row.reason]) }
        try writeAtomically(writer.take(), to: path)
    }
}
