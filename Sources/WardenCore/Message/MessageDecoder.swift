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
        var message = try MessageJSONParser.parse(data)
        let length = message.content.count
        if length > Self.contentLimit { throw .contentTooLong(length: length, limit: Self.contentLimit) }
        // U+0000 cannot be stored by PostgreSQL (not in text, not in JSONB) and Discord never sends it;
        // it is dropped from the texts that are stored, so such a message cannot fail every batch it joins.
        if message.content.utf8.contains(0) { message.content.removeAll { $0 == "\u{0}" } }
        if let name = message.author.username, name.utf8.contains(0) { message.author.username = name.filter { $0 != "\u{0}" } }
        for index in message.attachments.indices {
            if let name = message.attachments[index].filename, name.utf8.contains(0) {
                message.attachments[index].filename = name.filter { $0 != "\u{0}" }
            }
        }
        for index in message.stickerItems.indices {
            if let name = message.stickerItems[index].name, name.utf8.contains(0) {
                message.stickerItems[index].name = name.filter { $0 != "\u{0}" }
            }
        }
        return message
    }
}
