import Foundation

/// Why a message was refused at ingest. Each case names what was wrong so a bot developer can fix it.
public enum IngestError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedJSON(detail: String)
    case invalidField(field: String, detail: String)
    case contentTooLong(length: Int, limit: Int)

    public var code: String {
        switch self {
        case .malformedJSON: "malformed_json"
        case .invalidField: "invalid_field"
        case .contentTooLong: "content_too_long"
        }
    }

    public var description: String {
        switch self {
        case .malformedJSON(let detail): "malformed JSON: \(detail)"
        case .invalidField(let field, let detail): "invalid field '\(field)': \(detail)"
        case .contentTooLong(let length, let limit): "content is \(length) characters; Discord's limit is \(limit)"
        }
    }
}

/// Decodes and validates Discord message JSON (the ingest stage).
public struct MessageDecoder: Sendable {
    /// Discord allows 4000 characters for Nitro members; anything longer is not a Discord message.
    public static let contentLimit = 4000

    public init() {}

    public func decode(_ data: Data) throws(IngestError) -> DiscordMessage {
        let message = try MessageJSONParser.parse(data)
        let length = message.content.count
        if length > Self.contentLimit { throw .contentTooLong(length: length, limit: Self.contentLimit) }
        return message
    }

    static func describe(_ error: DecodingError) -> IngestError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let ctx) where ctx.codingPath.isEmpty:
            let underlying = (ctx.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return .malformedJSON(detail: underlying ?? ctx.debugDescription)
        case .dataCorrupted(let ctx):
            return .invalidField(field: path(ctx.codingPath), detail: ctx.debugDescription)
        case .keyNotFound(let key, let ctx):
            return .invalidField(field: path(ctx.codingPath + [key]), detail: "is required")
        case .typeMismatch(_, let ctx) where ctx.codingPath.isEmpty:
            return .malformedJSON(detail: "expected a JSON object (a Discord message)")
        case .typeMismatch(let type, let ctx):
            return .invalidField(field: path(ctx.codingPath), detail: "expected \(type)")
        case .valueNotFound(let type, let ctx):
            return .invalidField(field: path(ctx.codingPath), detail: "expected \(type), found null")
        @unknown default:
            return .malformedJSON(detail: "\(error)")
        }
    }
}
