import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MatchworkServer

/// `/trends/forecast/{skill_id}`, `/trends/analyze` and the trends in `/models/status` (issue 23).
@Suite("Trend routes")
struct TrendRouteTests {
    @Test("a skill's forecast: the trend, its history and when it was fitted; horizon and level as asked")
    func forecast() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            let all = try await client.call(.post, "/api/v1/trends/analyze", key: fixture.read, json: #"{"limit":1}"#)
            #expect(all.status == .ok, "\(all.text)")
            let skill = try #require((all.object["items"] as? [[String: Any]])?.first?["key"] as? String)

            let answer = try await client.call(.get, "/api/v1/trends/forecast/\(skill)", key: fixture.read)
            #expect(answer.status == .ok, "\(answer.text)")
            let trend = try #require(answer.object["trend"] as? [String: Any])
            #expect(trend["key"] as? String == skill && trend["kind"] as? String == "skill")
            #expect((trend["summary"] as? String)?.contains(" over the next 12 months; ") == true)
            #expect((trend["forecast"] as? [[String: Any]])?.count == 12)
            let history = try #require(answer.object["history"] as? [String: Any])
            let months = try #require(history["months"] as? [String])
            #expect(months.count >= 24 && (history["values"] as? [Double])?.count == months.count && (history["counts"] as? [Int])?.count == months.count)
            #expect(answer.object["fitted_at"] is String)

            let short = try await client.call(.get, "/api/v1/trends/forecast/\(skill)?horizon=3&level=90", key: fixture.read)
            #expect(short.status == .ok, "\(short.text)")
            let steps = try #require((short.object["trend"] as? [String: Any])?["forecast"] as? [[String: Any]])
            #expect(steps.count == 3 && (steps[0]["lower"] as? [String: Double])?.keys.sorted() == ["90"])
            #expect(((short.object["trend"] as? [String: Any])?["summary"] as? String)?.contains("(90% interval ") == true)
        }
    }

    @Test("refusals: an unknown skill is 404 with the nearest names; bad parameters name themselves; no key is 401")
    func refusals() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            let unknown = try await client.call(.get, "/api/v1/trends/forecast/writting", key: fixture.read)
            #expect(unknown.status == .notFound && unknown.object["field"] as? String == "skill_id")
            #expect((unknown.object["message"] as? String)?.hasPrefix("skill_id 'writting' has no demand: no dated posting asks for it.") == true)
            #expect((unknown.object["message"] as? String)?.contains("the nearest are writing, ") == true)
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("?horizon=0", .unprocessableContent, "horizon"), ("?horizon=x", .badRequest, "horizon"), ("?level=100", .unprocessableContent, "level"),
                ("?level=8e1", .badRequest, "level"), ("?level=", .badRequest, "level"), ("?window=3", .badRequest, "window"),
            ]
            for (query, status, field) in cases {
                let answer = try await client.call(.get, "/api/v1/trends/forecast/writing\(query)", key: fixture.read)
                #expect(answer.status == status && answer.object["field"] as? String == field, "\(query): \(answer.text)")
            }
            #expect(try await client.call(.get, "/api/v1/trends/forecast/writing", key: nil).status == .unauthorized)
            let bodies: [(String, HTTPResponse.Status, String)] = [
                (#"{"skills":["writing","writting"]}"#, .unprocessableContent, "skills[1]"), (#"{"by":"service"}"#, .unprocessableContent, "by"),
                (#"{"skills":["writing"],"by":"occupation"}"#, .unprocessableContent, "by"), (#"{"cursor":"x1"}"#, .badRequest, "cursor"),
                (#"{"level":[80,100]}"#, .unprocessableContent, "level[1]"), (#"{"level":["80"]}"#, .badRequest, "level[0]"),
                (#"{"order":"up"}"#, .unprocessableContent, "order"), (#"{"limit":0}"#, .unprocessableContent, "limit"), (#"{"top":5}"#, .badRequest, "top"),
            ]
            for (body, status, field) in bodies {
                let answer = try await client.call(.post, "/api/v1/trends/analyze", key: fixture.read, json: body)
                #expect(answer.status == status && answer.object["field"] as? String == field, "\(body): \(answer.text)")
            }
        }
    }

    @Test("analyze pages through every skill once, fastest rising first; falling reverses; by occupation gives facet trends")
    func analyze() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            var keys: [String] = [], growths: [Double] = [], cursor: String?, total = 0
            repeat {
                let body = cursor.map { #"{"limit":7,"cursor":"\#($0)"}"# } ?? #"{"limit":7}"#
                let page = try await client.call(.post, "/api/v1/trends/analyze", key: fixture.read, json: body)
                #expect(page.status == .ok, "\(page.text)")
                let items = try #require(page.object["items"] as? [[String: Any]])
                #expect(items.count <= 7)
                keys += items.compactMap { $0["key"] as? String }
                growths += items.compactMap { ($0["growth"] as? [String: Any])?["mean"] as? Double }
                total = page.object["total"] as? Int ?? -1
                // Always there; null on the last page.
                #expect(page.object.keys.contains("next_cursor"))
                cursor = page.object["next_cursor"] as? String
            } while cursor != nil
            #expect(total >= 10 && keys.count == total && Set(keys).count == total)
            #expect(growths == growths.sorted(by: >))
            let falling = try await client.call(.post, "/api/v1/trends/analyze", key: fixture.read, json: #"{"order":"falling","limit":1000}"#)
            let fallingKeys = (falling.object["items"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
            #expect(fallingKeys == Array(keys.reversed()))
            let chosen = try await client.call(.post, "/api/v1/trends/analyze", key: fixture.read, json: #"{"skills":["\#(keys[2])","\#(keys[0])","\#(keys[2])"],"horizon":6,"level":[50]}"#)
            // Each skill once, ranked by its 6-month growth.
            let picked = try #require(chosen.object["items"] as? [[String: Any]])
            #expect(Set(picked.compactMap { $0["key"] as? String }) == [keys[0], keys[2]] && picked.count == 2, "\(chosen.text)")
            let sixMonth = picked.compactMap { ($0["growth"] as? [String: Any])?["mean"] as? Double }
            #expect(sixMonth == sixMonth.sorted(by: >) && (picked[0]["forecast"] as? [Any])?.count == 6)
            #expect(chosen.object["horizon"] as? Int == 6)
            let occupations = try await client.call(.post, "/api/v1/trends/analyze", key: fixture.read, json: #"{"by":"occupation","limit":3}"#)
            let items = try #require(occupations.object["items"] as? [[String: Any]])
            #expect(items.count == 3 && items.allSatisfy { $0["kind"] as? String == "facet" && $0["facet"] as? String == "occupation" })

            let status = try await client.call(.get, "/api/v1/models/status", key: fixture.read)
            let trends = try #require(status.object["trends"] as? [String: Any])
            #expect(trends["series"] as? Int == total && trends["fitted_at"] is String && (trends["months"] as? [String])?.count == 2)
            #expect(trends["method"] as? String == "count-trend" && trends["horizon"] as? Int == 12)
        }
    }

    @Test("a posting asking for a new skill is in the trends once the engine has it; a cleaning store has no skills but has services")
    func refit() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            let before = try await client.call(.get, "/api/v1/trends/forecast/welding", key: fixture.read)
            #expect(before.status == .notFound)
            let posted = try await client.call(
                .post, "/api/v1/opportunities", key: fixture.write,
                json: #"{"opportunities":[{"id":"weld-1","kind":"posting","starts_at":"2024-06-12T09:00:00Z","skills":{"welding":3.5}}]}"#)
            #expect(posted.status == .ok || posted.status == .created, "\(posted.text)")
            var found = false
            for _ in 0..<600 where !found {
                found = try await client.call(.get, "/api/v1/trends/forecast/welding", key: fixture.read).status == .ok
                if !found { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(found)
            let answer = try await client.call(.get, "/api/v1/trends/forecast/welding", key: fixture.read)
            let history = try #require(answer.object["history"] as? [String: Any])
            let months = try #require(history["months"] as? [String]), values = try #require(history["values"] as? [Double])
            #expect(values[try #require(months.firstIndex(of: "2024-06"))] == 3.5 && values.reduce(0, +) == 3.5)
        }
        let cleaning = try await ServiceFixture.make()
        try await cleaning.test { client in
            let skills = try await client.call(.post, "/api/v1/trends/analyze", key: cleaning.read, json: "{}")
            #expect(skills.status == .ok && skills.object["total"] as? Int == 0, "\(skills.text)")
            let services = try await client.call(.post, "/api/v1/trends/analyze", key: cleaning.read, json: #"{"by":"service"}"#)
            #expect(services.status == .ok && (services.object["total"] as? Int ?? 0) > 0, "\(services.text)")
        }
    }
}
