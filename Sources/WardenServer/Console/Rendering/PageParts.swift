import Foundation
import Hummingbird
import WardenCore

/// The small pieces several pages show. Text that a member or a model wrote is made visible here once
/// (``ConsoleText/visible(_:)``: invisible and bidirectional characters as `[U+202E]` markers), so no page can
/// forget it; Mustache then escapes it for HTML.
struct Fact {
    let label: String
    let value: String
    init(_ label: String, _ value: String) { self.label = label; self.value = ConsoleText.visible(value) }
}

/// One option of a filter's `<select>`.
struct Option {
    let value: String
    let label: String
    let selected: Bool
}

/// One piece of evidence: the view it matched in, what matched, and the text in that view.
struct EvidenceRow {
    let view: String
    let what: String
    let text: String

    /// The rows and the spans (Unicode scalar offsets in the original message) of an evidence array as logged.
    static func read(_ evidence: [JSONValue]) -> (rows: [EvidenceRow], spans: [Range<Int>]) {
        var rows: [EvidenceRow] = []
        var spans: [Range<Int>] = []
        for item in evidence {
            guard let object = item.objectValue else { continue }
            rows.append(EvidenceRow(view: object["view"]?.stringValue ?? "—", what: ConsoleText.visible(what(object)),
                                    text: ConsoleText.visible(object["text"]?.stringValue ?? "")))
            if let start = object["start"]?.numberValue, let end = object["end"]?.numberValue, start >= 0, end > start, end < 1_000_000 {
                spans.append(Int(start)..<Int(end))
            }
        }
        return (rows, spans)
    }

    /// What one piece of evidence says matched: the keyword, pattern, detector, category or attachment.
    static func what(_ evidence: [String: JSONValue]) -> String {
        for key in ["keyword", "pattern", "detector", "category", "attachment"] {
            if let value = evidence[key]?.stringValue { return "\(key) \(value)" }
        }
        return "match"
    }
}

/// A GET form's fields. Browsers send spaces in a query as `+`, which the router's query parameters keep; the
/// console reads its queries as the forms they are.
struct ConsoleQuery {
    let form: ConsoleForm

    init(_ request: Request) throws {
        form = try ConsoleForm(parsing: request.uri.query ?? "")
    }

    /// A field's value, nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = form.fields[name], !value.isEmpty else { return nil }
        return value
    }

    /// A field that must be a row id or snowflake, nil when absent (anything else is ignored: these only
    /// carry notices and cursors the console wrote itself).
    func id(_ name: String) -> Int64? { self[name].flatMap(RequestID.parse) }
}

extension WardenRequestContext {
    /// The signed-in console session (every signed-in page has one; ``ConsoleAuthenticator`` put it there).
    func session() throws -> ConsoleSession {
        guard let console else { throw APIError.unauthorized }
        return console
    }

    /// To whom a console action is attributed: the token's Discord user (`--user`), or 0 for a token without one.
    var actor: Int64 { console?.principal.user ?? 0 }
}
