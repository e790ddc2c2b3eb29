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
        let importer = Importer(store: copy)
        let plan = try await importer.plan(ImportSources(
            people: dir.file("first/people.\(ext)"), opportunities: dir.file("first/opportunities.\(ext)"),
            interactions: dir.file("first/interactions.\(ext)")))
        #expect(plan.rejected.isEmpty)
        _ = try await importer.commit(plan)

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
        let importer = Importer(store: store)
        let plan = try await importer.plan(ImportSources(people: people, opportunities: opportunities, interactions: interactions))
        #expect(plan.rejectionReport() == """
            Nothing was imported: 5 rows are invalid.
              interactions.csv, line 3, column 'type', value 'clik': type 'clik' is not an event type; use one of view, click, apply, bid, shortlist, hire, decline, complete, cancel, no_show, rate, enroll, pass, fail, feedback.
              interactions.csv, line 4, column 'value': a bid needs a positive amount in value, got nothing; give the amount offered, for example 85.5.
              interactions.csv, line 5, column 'person_id', value 'ghost': person_id 'ghost' is not a known person; import the person with --people first.
              people.csv, line 4, column 'latitude', value '95': latitude 95.0 is outside -90...90; give decimal degrees, for example 48.8566.
              people.csv, line 5, column 'role', value 'robot': role 'robot' is not a role; use one of worker, learner, client.
            Fix these rows and import again, or pass --skip-invalid to import the valid rows and write the rejected ones to a file.
            """)
        // Nothing is written unless the caller commits; the store is untouched.
        #expect(try await store.counts().people == 0)
    }

    @Test func theReportListsTwentyRowsThenACount() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        var text = "id,role\n"
        for i in 0..<25 { text += "p\(i),boss\n" }
        let plan = try await Importer(store: store).plan(ImportSources(people: dir.write("people.csv", text)))
        let report = plan.rejectionReport().split(separator: "\n")
        #expect(report.count == 23)  // the headline, 20 rows, the count of the rest, the advice
        #expect(report[21] == "  … and 5 more.")
    }

    @Test func skipInvalidImportsTheGoodRowsAndWritesRejects() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        let people = dir.write("people.csv", Self.people + "w2,worker,,95,2.3,1,,,,,\n")
        let importer = Importer(store: store)
        let plan = try await importer.plan(ImportSources(people: people))
        #expect(plan.rejected.count == 1)
        let counts = try await importer.commit(plan)
        #expect(counts.peopleInserted == 2)
        try Exporter.writeRejects(plan.rejected, to: dir.file("rejects.csv"))
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
        #expect(try await importer.plan(sources).rejected.isEmpty)
        let first = try await importer.commit(try await importer.plan(sources))
        #expect(first.peopleInserted == 2)
        #expect(first.opportunitiesInserted == 1)
        #expect(first.interactionsInserted == 3)
        let second = try await importer.commit(try await importer.plan(sources))
        #expect(second.changedNothing)
        #expect(second.peopleUnchanged == 2)
        #expect(second.opportunitiesUnchanged == 1)
        #expect(second.interactionsDuplicate == 3)
        #expect(try await store.counts().interactions == 3)

        // Given a changed row, only that record is updated.
        dir.write("people.csv", Self.people.replacingOccurrences(of: "hourly_rate=21.5", with: "hourly_rate=23"))
        let third = try await importer.commit(try await importer.plan(sources))
        #expect(third.peopleUpdated == 1)
        #expect(third.peopleUnchanged == 1)
        #expect(try await store.person("w1")?.attributes["hourly_rate"] == 23)
    }

    @Test func ratingsFilesOfTheProtocolImport() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        let file = dir.write("ratings.csv", "user,item,rating,timestamp\nu1,i1,4,1000\nu1,i2,5,1001\nu2,i1,3.5,1002\n")
        let importer = Importer(store: store)
        let plan = try await importer.plan(ImportSources(interactions: file))
        #expect(plan.rejected.isEmpty)
        #expect(plan.createdFromRatings == 4)
        let counts = try await importer.commit(plan)
        #expect(counts.interactionsInserted == 3)
        #expect(try await store.interactions().map(\.value) == [4, 5, 3.5])
        let again = try await importer.commit(try await importer.plan(ImportSources(interactions: file)))
        #expect(again.changedNothing)
    }

    @Test func ratingsFilesRejectDuplicatePairsAndBadNumbers() async throws {
        let dir = TemporaryDirectory()
        let file = dir.write("ratings.csv", "user,item,rating,timestamp\nu1,i1,4,1000\nu1,i1,5,1001\nu2,i1,x,1002\nu3,i1,3,noon\n")
        let plan = try await Importer(store: try dir.store()).plan(ImportSources(interactions: file))
        #expect(plan.rejected.map(\.text) == [
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
        let plan = try await Importer(store: try dir.store()).plan(ImportSources(people: file))
        #expect(plan.batch.people.map(\.id) == ["w1"])
        #expect(plan.batch.people.first?.facets[.service] == ["deep", "regular"])
        #expect(plan.rejected.map(\.line) == [2, 3, 4])
    }

    @Test func badHeadersFailTheWholeFile() async throws {
        let dir = TemporaryDirectory()
        let file = dir.write("people.csv", "id,role,lat\np1,worker,3\n")
        await #expect(throws: StoreError.self) {
            try await Importer(store: try dir.store()).plan(ImportSources(people: file))
        }
        await #expect(throws: StoreError.self) {
            try await Importer(store: try dir.store()).plan(ImportSources(people: dir.file("missing.csv")))
        }
    }

    @Test func duplicateIdsInOneFileAreRejected() async throws {
        let dir = TemporaryDirectory()
        let file = dir.write("people.csv", "id,role\np1,worker\np1,client\n")
        let plan = try await Importer(store: try dir.store()).plan(ImportSources(people: file))
        #expect(plan.rejected.map(\.text) == ["people.csv, line 3, column 'id', value 'p1': person 'p1' is already on line 2; give each person once"])
    }

    @Test func quotedFieldsWithCommasAndNewlinesSurvive() async throws {
        let dir = TemporaryDirectory()
        let store = try dir.store()
        try await store.setScenario(.cleaning)
        let file = dir.write("people.csv", "id,role,name\np1,client,\"Dupont, \"\"Marie\"\"\nBâtiment B\"\n")
        let importer = Importer(store: store)
        _ = try await importer.commit(try await importer.plan(ImportSources(people: file)))
        #expect(try await store.person("p1")?.name == "Dupont, \"Marie\"\nBâtiment B")
    }
}
