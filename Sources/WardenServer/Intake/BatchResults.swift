import Foundation

/// The body of `POST /v1/messages/batch`: `{"results": [...]}`, one element per message in its place,
/// its decision or `{"index": N, "error": {...}}`.
///
/// Decisions are embedded as the text the pipeline produced (a replayed message is answered with the
/// bytes of its first answer), so this is assembled from encoded parts rather than encoded in one go.
struct BatchResults {
    enum Entry {
        case judged(decisionJSON: String)
        case failed(index: Int, APIError)
    }

    private var results: [Entry?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    subscript(index: Int) -> Entry? {
        get { results[index] }
        set { results[index] = newValue }
    }

    func json() throws -> String {
        struct Failure: Encodable {
            struct Detail: Encodable { let code: String; let message: String }
            let index: Int
            let error: Detail
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let parts = try results.map { result -> String in
            switch result {
            case .judged(let json): return json
            case .failed(let index, let error):
                return String(decoding: try encoder.encode(Failure(index: index, error: .init(code: error.code, message: error.message))), as: UTF8.self)
            // Every element is judged or failed before the body is written; null keeps the positions if not.
            case nil: return "null"
            }
        }
        return "{\"results\":[" + parts.joined(separator: ",") + "]}"
    }
}
