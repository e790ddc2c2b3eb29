import Foundation
import Mustache

/// The dashboard's templates, loaded once from the target's resources, and the rendering of a
/// page: the page's template inside the layout (`header` and `footer` partials).
///
/// Mustache escapes every `{{value}}` for HTML; the only unescaped values (`{{{svg}}}`) are the
/// charts this target draws, which escape their own text (``SVG/escape(_:)``).
public struct Dashboard: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let library: MustacheLibrary

    /// The templates from the bundled `Templates` folder.
    /// - Throws: ``Failure`` naming a template that is missing or does not parse.
    public static func load() throws -> Dashboard {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw Failure(description: "the dashboard's templates are missing from the build (Templates in MatchworkDashboard's resources); rebuild matchwork.")
        }
        var templates: [String: MustacheTemplate] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for file in names.sorted() where file.hasSuffix(".mustache") {
            let name = String(file.dropLast(".mustache".count))
            do {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                templates[name] = try MustacheTemplate(string: text)
            } catch {
                throw Failure(description: "the dashboard template \(file) cannot be read: \(error).")
            }
        }
        for page in Self.pages where templates[page] == nil {
            throw Failure(description: "the dashboard template \(page).mustache is missing; rebuild matchwork.")
        }
        return Dashboard(library: MustacheLibrary(templates: templates))
    }

    /// The templates every build must have.
    static let pages = ["header", "footer", "sign-in", "overview", "experiments", "experiment", "models", "inspect", "marketplace", "records", "record", "error"]

    /// The page `template` rendered with `context`.
    public func render(_ template: String, _ context: Any) -> String {
        library.render(context, withTemplate: template) ?? "<!doctype html><title>Matchwork</title><p>The page \(SVG.escape(template)) could not be drawn.</p>"
    }
}
