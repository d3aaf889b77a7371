import Foundation

/// The OpenAPI 3.1 description of every route, kept beside the code in `openapi.json` (a test checks that
/// it lists exactly the routes the router serves).
public enum OpenAPIDocument {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "openapi.json is missing from the WardenServer bundle" }
    }

    /// The document's text.
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else { throw Missing() }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
