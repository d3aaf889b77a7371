import Foundation

/// One line of `fixtures/tickets/tickets.jsonl` as clustering sees it: the ticket id, its topic label and
/// the recorded model summary. Shared by the clustering tests and `warden-bench --clustering`.
public struct FixtureSummary: Decodable, Sendable {
    public struct Summary: Decodable, Sendable {
        public var summary: String
        public var similarity_key: String
        public var category: String
    }
    public var id: Int64
    public var topic: String
    public var summary: Summary

    /// The file's lines in order, blank lines skipped.
    public static func load(from url: URL) throws -> [FixtureSummary] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.isEmpty }.map {
            try JSONDecoder().decode(FixtureSummary.self, from: Data($0.utf8))
        }
    }
}
