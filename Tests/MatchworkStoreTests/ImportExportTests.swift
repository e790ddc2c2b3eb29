import Foundation
import MatchworkCore
import MatchworkStore
import MatchworkSynth
import Testing

@Suite("Import and export")
struct ImportExportTests {
    @Test(arguments: ScenarioName.allCases, RecordFileFormat.allCases)
    func exportThenImportIsLossless(scenario: ScenarioName, format: RecordFileFormat) async throws {
        let dir = TemporaryDirectory()
        let marketplace = try tinyMarketplace(scenario)
        let original = try dir.store("a.sqlite")
        try await original.setScenario(scenario)
        _ = try await original.write(batch(of: marketplace), progress: nil)
        try await original.setMetadata("attribution", marketplace.attribution ?? "none")
        _ = try await Exporter(store: original).export(to: dir.file("first"), format: format)

        let copy = try dir.store("b.sqlite")
        try await copy.setScenario(scenario)
        let ext = format.fileExtension
        let result = try await Importer(store: copy).run(ImportSources(
            people: dir.file("first/people.\(ext)"), opportunities: dir.file("first/opportunities.\(ext)"),
            interactions: dir.file("first/interactions.\(ext)")))
        #expect(result.rejected.isEmpty)
        #expect(result.committed)

        // Given the same records, the stores hold equal values and export identical files.
        #expect(try await copy.people() == marketplace.people)
        #expect(try await copy.opportunities() == marketplace.opportunities)
        #expect(try await copy.interactions() == marketplace.interactions)
        try await copy.setMetadata("attribution", marketplace.attribution ?? "none")
        _ = try await Exporter(store: copy).export(to: dir.file("second"), format: format)
        for name in ["people", "opportunities", "interactions"] {
            #expect(dir.read("first/\(name).\(ext)") == dir.read("second/\(name).\(ext)"), "\(name).\(ext) differs")
        }
        if scenario == .learning {
            #expect(dir.read("first/ATTRIBUTION.md").contains("O*NET"))
        }
    }

    static let people = """
        id,role,name,latitude,longitude,capacity,facets,skills,certifications,attributes,availability
        w1,worker,Ana,48.85,2.35,2,service=regular|deep;property_type=apartment,,insured=2027-01-01,hourly_rate=21.5,mon 08:00-12:00
        c1,client,"Dupont, Marie",48.86,2.34,,property_type=house,,,,

        """

    static let opportunities = """
        id,kind,client_id,title,latitude,longitude,starts_at,ends_at,slots,status,required,preferred,certifications,attributes
        j1,job,c1,Deep clean,48.86,2.34,2026-03-01T09:00:00Z,2026-03-01T13:00:00Z,1,open,service=deep,,insured,size_m2=80
        """

    @Test func badRowsImportNothingAndAreReportedExactly() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        try await store.setScenario(.cleaning)
        let people = dir.write("people.csv", Self.people + "w2,worker,,95,2.3,1,,,,,\nw3,robot,,,,,,,,,\n")
        let opportunities = dir.write("opportunities.csv", Self.opportunities)
        let interactions = dir.write("interactions.csv", """
            event_id,person_id,opportunity_id,type,timestamp,value
            e1,w1,j1,view,2026-02-20T10:00:00Z,
            e2,w1,j1,clik,1771581600,
            e3,w1,j1,bid,1771581700,
            e4,ghost,j1,view,1771581800,

            """)
        let result = try await Importer(store: store).run(ImportSources(people: people, opportunities: opportunities, interactions: interactions))
        #expect(!result.committed)
        #expect(result.rejectionReport() == """
            Nothing was imported: 5 rows are invalid.
              interactions.csv, line 3, column 'type', value 'clik': type 'clik' is not an event type; use one of view, click, apply, bid, shortlist, hire, decline, complete, cancel, no_show, rate, enroll, pass, fail, feedback, retract.
              interactions.csv, line 4, column 'value': a bid needs a positive amount in value, got nothing; give the amount offered, for example 85.5.
              interactions.csv, line 5, column 'person_id', value 'ghost': person_id 'ghost' is not a known person; import the person with --people first.
              people.csv, line 4, column 'latitude', value '95': latitude 95.0 is outside -90...90; give decimal degrees, for example 48.8566.
              people.csv, line 5, column 'role', value 'robot': role 'robot' is not a role; use one of worker, learner, client.
            Fix these rows and import again, or pass --skip-invalid to import the valid rows and write the rejected ones to a file.
            """)
        // The store is untouched.
        let counts = try await store.counts()
        #expect(counts.people == 0)
        #expect(counts.opportunities == 0)
        #expect(counts.interactions == 0)
    }

    @Test func theReportListsTwentyRowsThenACount() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        var text = "id,role\n"
        for i in 0..<25 { text += "p\(i),boss\n" }
        let result = try await Importer(store: store).run(ImportSources(people: dir.write("people.csv", text)))
        let report = result.rejectionReport().split(separator: "\n")
        #expect(report.count == 23)  // the headline, 20 rows, the count of the rest, the advice
        #expect(report[21] == "  … and 5 more.")
    }

    @Test func skipInvalidImportsTheGoodRowsAndWritesRejects() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        let people = dir.write("people.csv", Self.people + "w2,worker,,95,2.3,1,,,,,\n")
        let result = try await Importer(store: store).run(ImportSources(people: people), invalidRows: .skip)
        #expect(result.rejected.count == 1)
        #expect(result.committed)
        #expect(result.counts.peopleInserted == 2)
        try Exporter.writeRejects(result.rejected, to: dir.file("rejects.csv"))
        #expect(dir.read("rejects.csv") == """
            file,line,column,value,reason
            people.csv,4,latitude,95,"latitude 95.0 is outside -90...90; give decimal degrees, for example 48.8566."

            """)
    }

    @Test func reimportingTheSameFilesChangesNothing() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        let sources = ImportSources(
            people: dir.write("people.csv", Self.people), opportunities: dir.write("opportunities.csv", Self.opportunities),
            interactions: dir.write("interactions.csv", """
                event_id,person_id,opportunity_id,type,timestamp,value,sub_scores
                e1,w1,j1,bid,1771581700,88,
                ,w1,j1,view,1771581600,,
                e2,w1,j1,rate,1771600000,9,quality=9;timeliness=10
                """))
        let importer = Importer(store: store)
        let firstRun = try await importer.run(sources)
        #expect(firstRun.rejected.isEmpty)
        let first = firstRun.counts
        #expect(first.peopleInserted == 2)
        #expect(first.opportunitiesInserted == 1)
        #expect(first.interactionsInserted == 3)
        let second = try await importer.run(sources).counts
        #expect(second.changedNothing)
        #expect(second.peopleUnchanged == 2)
        #expect(second.opportunitiesUnchanged == 1)
        #expect(second.interactionsDuplicate == 3)
        #expect(try await store.counts().interactions == 3)

        // Given a changed row, only that record is updated.
        dir.write("people.csv", Self.people.replacingOccurrences(of: "hourly_rate=21.5", with: "hourly_rate=23"))
        let third = try await importer.run(sources).counts
        #expect(third.peopleUpdated == 1)
        #expect(third.peopleUnchanged == 1)
        #expect(try await store.person("w1")?.attributes["hourly_rate"] == 23)
    }

    @Test func ratingsFilesOfTheProtocolImport() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        let file = dir.write("ratings.csv", "user,item,rating,timestamp\nu1,i1,4,1000\nu1,i2,5,1001\nu2,i1,3.5,1002\n")
        let importer = Importer(store: store)
        let result = try await importer.run(ImportSources(interactions: file))
        #expect(result.rejected.isEmpty)
        #expect(result.createdFromRatings == 4)
        #expect(result.counts.interactionsInserted == 3)
        #expect(try await store.interactions().map(\.value) == [4, 5, 3.5])
        let again = try await importer.run(ImportSources(interactions: file))
        #expect(again.counts.changedNothing)
    }

    @Test func ratingsFilesRejectDuplicatePairsAndBadNumbers() async throws {
        let dir = TemporaryDirectory()
        let file = dir.write("ratings.csv", "user,item,rating,timestamp\nu1,i1,4,1000\nu1,i1,5,1001\nu2,i1,x,1002\nu3,i1,3,noon\n")
        let result = try await Importer(store: try dir.store()).run(ImportSources(interactions: file))
        #expect(result.rejected.map(\.text) == [
            "ratings.csv, line 3: the pair (user 'u1', item 'i1') is already on line 2; keep one row per pair",
            "ratings.csv, line 4, column 'rating', value 'x': rating is not a number; write the rating, or 1 for an implicit event",
            "ratings.csv, line 5, column 'timestamp', value 'noon': timestamp is not integer Unix seconds",
        ])
    }

    @Test func jsonLinesRowsAreCheckedLikeCSV() async throws {
        let dir = TemporaryDirectory()
        let file = dir.write("people.jsonl", """
            {"id":"w1","role":"worker","facets":{"service":["deep","regular"]},"attributes":{"hourly_rate":20}}
            {"id":"w2","role":"worker","latitude":200,"longitude":2}
            not json
            {"id":"w3","role":"worker","colour":"blue"}
            """)
        let store = try dir.store()
        let result = try await Importer(store: store).run(ImportSources(people: file), invalidRows: .skip)
        #expect(try await store.people().map(\.id) == ["w1"])
        #expect(try await store.person("w1")?.facets[.service] == ["deep", "regular"])
        #expect(result.rejected.map(\.line) == [2, 3, 4])
    }

    @Test func badHeadersFailTheWholeFile() async throws {
        let dir = TemporaryDirectory()
        let file = dir.write("people.csv", "id,role,lat\np1,worker,3\n")
        await #expect(throws: StoreError.self) {
            try await Importer(store: try dir.store()).run(ImportSources(people: file))
        }
        await #expect(throws: StoreError.self) {
            try await Importer(store: try dir.store()).run(ImportSources(people: dir.file("missing.csv")))
        }
    }

    @Test func duplicateIdsInOneFileAreRejected() async throws {
        let dir = TemporaryDirectory()
        let file = dir.write("people.csv", "id,role\np1,worker\np1,client\n")
        let result = try await Importer(store: try dir.store()).run(ImportSources(people: file))
        #expect(result.rejected.map(\.text) == ["people.csv, line 3, column 'id', value 'p1': person 'p1' is already on line 2; give each person once"])
    }

    @Test func quotedFieldsWithCommasAndNewlinesSurvive() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        try await store.setScenario(.cleaning)
        let file = dir.write("people.csv", "id,role,name\np1,client,\"Dupont, \"\"Marie\"\"\nBâtiment B\"\n")
        _ = try await Importer(store: store).run(ImportSources(people: file))
        #expect(try await store.person("p1")?.name == "Dupont, \"Marie\"\nBâtiment B")
    }

    @Test func invalidRowsInAnyChunkRollBackTheWholeImport() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        let people = dir.write("people.csv", "id,role\n" + (0..<20).map { "p\($0),worker\n" }.joined())
        let opportunities = dir.write("opportunities.csv", "id,kind\n" + (0..<20).map { "o\($0),job\n" }.joined())
        var events = "event_id,person_id,opportunity_id,type,timestamp\n"
        for n in 0..<80_000 {
            let type = n == 7 || n == 79_000 ? "peek" : "view"
            events += "e\(n),p\(n % 20),o\(n % 17),\(type),\(1_700_000_000 + n)\n"
        }
        let file = dir.write("events.csv", events)
        let sources = ImportSources(people: people, opportunities: opportunities, interactions: file)
        // Given bad rows in the first and the last chunk of a file of several chunks,
        let result = try await Importer(store: store).run(sources)
        // the import is refused whole and both rows are reported with their lines,
        #expect(!result.committed)
        #expect(result.rejected.map(\.line) == [9, 79_002])
        #expect(result.eventsRead == 80_000)
        let counts = try await store.counts()
        #expect(counts.people == 0)
        #expect(counts.interactions == 0)
        // while skipping invalid rows imports the rest, in file order.
        let skipped = try await Importer(store: store).run(sources, invalidRows: .skip)
        #expect(skipped.committed)
        #expect(skipped.counts.interactionsInserted == 79_998)
        let stored = try await store.interactions()
        #expect(stored.count == 79_998)
        #expect(stored.map(\.timestamp) == stored.map(\.timestamp).sorted())
    }
}
