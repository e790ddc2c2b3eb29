import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkServer
import MatchworkStore

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the service's API keys.",
        discussion: """
            Roles: read asks for recommendations and reads the catalogue and tracking; write also \
            changes the catalogue and records events, outcomes and feedback; admin also manages \
            models and keys. A key is printed once, when created: the store keeps only its hash.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it (once).")

        @OptionGroup var options: StoreOptions

        @Option(help: ArgumentHelp("read, write or admin.", valueName: "ROLE"))
        var role: String

        @Option(help: ArgumentHelp("A label for the key (who or what uses it).", valueName: "TEXT"))
        var name: String?

        @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Requests per minute for this key (default: the service's).", valueName: "N"))
        var rateLimit: Int?

        func run() async throws {
            try await reportingErrors {
                guard let role = APIRole(rawValue: role) else {
                    throw MatchworkError(.invalidValue, "--role '\(role)' is not a role; use read, write or admin.", field: "--role")
                }
                if let rateLimit, !(1...1_000_000).contains(rateLimit) {
                    throw MatchworkError(.invalidValue, "--rate-limit \(rateLimit) must be 1-1000000 requests per minute.", field: "--rate-limit")
                }
                let store = try options.openExisting()
                let (secret, record) = try await MatchworkService.createKey(store: store, role: role, name: name, rateLimit: rateLimit)
                print(secret)
                if !options.quiet {
                    Terminal.writeError("Created \(record.id) with the \(role.rawValue) role. The key above is shown once; keep it secret (the store holds only its hash).\n")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (without their secrets).")

        @OptionGroup var options: StoreOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let keys = try await options.openExisting().keys()
                if json {
                    let encoder = CLIJSON.encoder()
                    print(String(decoding: try encoder.encode(keys), as: UTF8.self))
                    return
                }
                if keys.isEmpty {
                    print("No keys; create one with `matchwork keys create --role read`.")
                    return
                }
                print("id            role   created               state     rate limit  name")
                for key in keys {
                    let state = key.revokedAt.map { "revoked \($0.iso8601)" } ?? "active"
                    let limit = key.rateLimit.map { "\($0)/min" } ?? "default"
                    print(
                        "\(key.id.padding(toLength: 13, withPad: " ", startingAt: 0)) \(key.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(key.createdAt.iso8601.padding(toLength: 21, withPad: " ", startingAt: 0)) \(state.padding(toLength: 9, withPad: " ", startingAt: 0)) \(limit.padding(toLength: 11, withPad: " ", startingAt: 0)) \(key.name ?? "")"
                    )
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; requests with it are refused within seconds.")

        @OptionGroup var options: StoreOptions

        @Argument(help: ArgumentHelp("The key's id, as `keys list` shows it (key-…).", valueName: "ID"))
        var id: String

        func run() async throws {
            try await reportingErrors {
                let store = try options.openExisting()
                guard try await store.revokeKey(id: id, at: .now) else {
                    throw StoreError(.notFound, "No key '\(id)'; `matchwork keys list` shows the ids.")
                }
                if !options.quiet { Terminal.writeError("Revoked \(id).\n") }
            }
        }
    }
}
