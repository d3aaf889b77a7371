import Foundation

/// Why a message was refused at ingest. Each case names what was wrong so a bot developer can fix it.
public enum IngestError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedJSON(detail: String)
    case invalidField(field: String, detail: String)
    case contentTooLong(length: Int, limit: Int)
    /// A text of the message holds a control character Warden does not store (``TextPolicy``).
    case invalidText(InvalidText)

    public var code: String {
        switch self {
        case .malformedJSON: "malformed_json"
        case .invalidField: "invalid_field"
        case .contentTooLong: "content_too_long"
        case .invalidText(let error): error.code
        }
    }

    public var description: String {
        switch self {
        case .malformedJSON(let detail): "malformed JSON: \(detail)"
        case .invalidField(let field, let detail): "invalid field '\(field)': \(detail)"
        case .contentTooLong(let length, let limit): "content is \(length) characters; Discord's limit is \(limit)"
        case .invalidText(let error): error.description
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
        // Characters are never more than UTF-8 bytes, so counting them (grapheme breaking, the costliest
        // thing decoding would do) is needed only for long texts.
        if message.content.utf8.count > Self.contentLimit {
            let length = message.content.count
            if length > Self.contentLimit { throw .contentTooLong(length: length, limit: Self.contentLimit) }
        }
        // The texts of a message that are stored (automod log, spam history) follow the one text policy:
        // a control character refuses the message, naming the field, rather than being cut or dropped.
        do throws(InvalidText) {
            try TextPolicy.check(message.content, field: "content")
            if let name = message.author.username { try TextPolicy.check(name, field: "author.username") }
            for (index, attachment) in message.attachments.enumerated() {
                if let name = attachment.filename { try TextPolicy.check(name, field: "attachments[\(index)].filename") }
                if let type = attachment.contentType { try TextPolicy.check(type, field: "attachments[\(index)].content_type") }
            }
            for (index, sticker) in message.stickerItems.enumerated() {
                if let name = sticker.name { try TextPolicy.check(name, field: "sticker_items[\(index)].name") }
            }
        } catch {
            throw .invalidText(error)
        }
        return message
    }
}
