import Foundation

/// A single-pass parser for Discord's Message JSON that reads only the fields moderation needs and skips
/// the rest. Foundation's `JSONDecoder` costs about 12 µs for a typical message on Linux, more than every
/// other stage together; this costs a small fraction of that. The tests check that it reads every valid
/// message exactly as `JSONDecoder` does; on malformed input it is the stricter of the two (it checks
/// the grammar of fields it skips, nesting depth and UTF-8). Errors name the field (`author.id`) or the byte.
struct MessageJSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    /// Nesting of the value being read. Deeper than `maximumDepth` is refused rather than recursed into,
    /// so a line of ten thousand `[` cannot exhaust the stack (JSONDecoder's limit is the same).
    private var depth = 0
    static let maximumDepth = 512

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func parse(_ data: Data) throws(IngestError) -> DiscordMessage {
        let result: Result<DiscordMessage, IngestError> = data.withUnsafeBytes { raw in
            var parser = MessageJSONParser(raw.bindMemory(to: UInt8.self))
            do throws(IngestError) { return .success(try parser.message()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    // MARK: The message

    mutating func message() throws(IngestError) -> DiscordMessage {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            if atEnd { throw .malformedJSON(detail: "empty input") }
            if peek() == UInt8(ascii: "[") || peek() == UInt8(ascii: "\"") || isNumberStart(peek()) {
                // Make sure it is JSON at all before saying it is the wrong kind of JSON.
                try skipValue(); skipWhitespace()
                guard atEnd else { throw unexpected() }
                throw .malformedJSON(detail: "expected a JSON object (a Discord message)")
            }
            throw unexpected()
        }
        var id: Snowflake?, guild: Snowflake?, channel: Snowflake?, author: DiscordMessage.Author?
        var member: DiscordMessage.Member?, content = "", mentions: [DiscordMessage.UserRef] = []
        var mentionRoles: [Snowflake] = [], everyone = false, attachments: [DiscordMessage.Attachment] = []
        var embeds = 0, timestamp: Date?, stickers: [DiscordMessage.StickerItem] = []
        try object { parser, key throws(IngestError) in
            if key == "id" { id = try parser.snowflake("id") }
            else if key == "content" { content = try parser.nullable { p throws(IngestError) in try p.string("content") } ?? "" }
            else if key == "author" { author = try parser.author() }
            else if key == "channel_id" { channel = try parser.snowflake("channel_id") }
            else if key == "guild_id" { guild = try parser.nullable { p throws(IngestError) in try p.snowflake("guild_id") } }
            else if key == "timestamp" {
                if let seconds = parser.quotedTimestamp() { timestamp = Date(timeIntervalSince1970: seconds); return }
                let text = try parser.string("timestamp")
                guard let date = DiscordTimestamp.parse(text) else {
                    throw .invalidField(field: "timestamp", detail: "not an ISO 8601 timestamp: \"\(text.prefix(40))\"")
                }
                timestamp = date
            }
            else if key == "member" { member = try parser.nullable { p throws(IngestError) in try p.member() } }
            else if key == "mentions" {
                mentions = try parser.nullable { p throws(IngestError) in
                    try p.array("mentions") { p, index throws(IngestError) in try p.userRef("mentions[\(index)]") }
                } ?? []
            }
            else if key == "mention_roles" {
                mentionRoles = try parser.nullable { p throws(IngestError) in
                    try p.array("mention_roles") { p, index throws(IngestError) in try p.snowflake("mention_roles[\(index)]") }
                } ?? []
            }
            else if key == "mention_everyone" { everyone = try parser.nullable { p throws(IngestError) in try p.bool("mention_everyone") } ?? false }
            else if key == "attachments" {
                attachments = try parser.nullable { p throws(IngestError) in
                    try p.array("attachments") { p, index throws(IngestError) in try p.attachment("attachments[\(index)]") }
                } ?? []
            }
            else if key == "sticker_items" {
                stickers = try parser.nullable { p throws(IngestError) in
                    try p.array("sticker_items") { p, index throws(IngestError) in try p.stickerItem("sticker_items[\(index)]") }
                } ?? []
            }
            else if key == "embeds" {
                embeds = try parser.nullable { p throws(IngestError) in
                    try p.array("embeds") { p, _ throws(IngestError) in try p.skipValue() }.count
                } ?? 0
            }
            else { try parser.skipValue() }
        }
        skipWhitespace()
        guard atEnd else { throw unexpected() }
        guard let id else { throw .invalidField(field: "id", detail: "is required") }
        guard let guild else { throw .invalidField(field: "guild_id", detail: "is required (direct messages are not moderated)") }
        guard let channel else { throw .invalidField(field: "channel_id", detail: "is required") }
        guard let author else { throw .invalidField(field: "author", detail: "is required") }
        guard let timestamp else { throw .invalidField(field: "timestamp", detail: "is required") }
        return DiscordMessage(id: id, guildID: guild, channelID: channel, author: author, member: member, content: content,
                              mentions: mentions, mentionRoles: mentionRoles, mentionEveryone: everyone,
                              attachments: attachments, embedCount: embeds, stickerItems: stickers, timestamp: timestamp)
    }

    mutating func author() throws(IngestError) -> DiscordMessage.Author {
        var id: Snowflake?, username: String?, bot: Bool?
        try expectObject("author")
        try object { p, key throws(IngestError) in
            if key == "id" { id = try p.snowflake("author.id") }
            else if key == "username" { username = try p.nullable { p throws(IngestError) in try p.string("author.username") } }
            else if key == "bot" { bot = try p.nullable { p throws(IngestError) in try p.bool("author.bot") } }
            else { try p.skipValue() }
        }
        guard let id else { throw .invalidField(field: "author.id", detail: "is required") }
        return DiscordMessage.Author(id: id, username: username, bot: bot)
    }

    mutating func member() throws(IngestError) -> DiscordMessage.Member {
        var roles: [Snowflake] = []
        try expectObject("member")
        try object { p, key throws(IngestError) in
            if key == "roles" {
                roles = try p.array("member.roles") { p, index throws(IngestError) in try p.snowflake("member.roles[\(index)]") }
            } else {
                try p.skipValue()
            }
        }
        return DiscordMessage.Member(roles: roles)
    }

    mutating func userRef(_ field: String) throws(IngestError) -> DiscordMessage.UserRef {
        var id: Snowflake?
        try expectObject(field)
        try object { p, key throws(IngestError) in
            if key == "id" { id = try p.snowflake(field + ".id") } else { try p.skipValue() }
        }
        guard let id else { throw .invalidField(field: field + ".id", detail: "is required") }
        return DiscordMessage.UserRef(id: id)
    }

    mutating func attachment(_ field: String) throws(IngestError) -> DiscordMessage.Attachment {
        var a = DiscordMessage.Attachment()
        try expectObject(field)
        try object { p, key throws(IngestError) in
            if key == "id" { a.id = try p.snowflake(field + ".id") }
            else if key == "filename" { a.filename = try p.nullable { p throws(IngestError) in try p.string(field + ".filename") } }
            else if key == "size" {
                // Some libraries send sizes as floats (1024.0): keep integral values, ignore the rest.
                a.size = try p.nullable { p throws(IngestError) -> Int? in
                    p.skipWhitespace()
                    guard p.isNumberStart(p.peek()) else { throw .invalidField(field: field + ".size", detail: "expected a number") }
                    return Int(exactly: try p.number())
                } ?? nil
            }
            else if key == "content_type" { a.contentType = try p.nullable { p throws(IngestError) in try p.string(field + ".content_type") } }
            else { try p.skipValue() }
        }
        return a
    }

    mutating func stickerItem(_ field: String) throws(IngestError) -> DiscordMessage.StickerItem {
        var sticker = DiscordMessage.StickerItem()
        try expectObject(field)
        try object { p, key throws(IngestError) in
            if key == "id" { sticker.id = try p.nullable { p throws(IngestError) in try p.snowflake(field + ".id") } }
            else if key == "name" { sticker.name = try p.nullable { p throws(IngestError) in try p.string(field + ".name") } }
            else if key == "format_type" {
                // As for attachment sizes: integral numbers only, as JSONDecoder reads an Int.
                sticker.formatType = try p.nullable { p throws(IngestError) -> Int? in
                    p.skipWhitespace()
                    guard p.isNumberStart(p.peek()) else { throw .invalidField(field: field + ".format_type", detail: "expected a number") }
                    return Int(exactly: try p.number())
                } ?? nil
            }
            else { try p.skipValue() }
        }
        return sticker
    }

    // MARK: Values

    mutating func snowflake(_ field: String) throws(IngestError) -> Snowflake {
        skipWhitespace()
        // Fast path: a quoted run of at most 19 digits, read without making a String.
        if peek() == UInt8(ascii: "\""), let value = quotedDigits() { return Snowflake(value) }
        if peek() == UInt8(ascii: "\"") {
            let text = try string(field)
            guard let value = Snowflake(string: text) else {
                throw .invalidField(field: field, detail: "not a snowflake: \"\(text.prefix(40))\"")
            }
            return value
        }
        guard isNumberStart(peek()) else { throw .invalidField(field: field, detail: "expected a snowflake (string or integer)") }
        let value = try integer(field)
        guard value >= 0 else { throw .invalidField(field: field, detail: "a snowflake must be from 0 to 2^63-1") }
        return Snowflake(UInt64(value))
    }

    /// Reads a quoted timestamp in Discord's fixed layout straight from the bytes; nil (position unchanged)
    /// for anything else, which then takes the general path.
    mutating func quotedTimestamp() -> Double? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        var j = i + 1
        while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\"), j - i < 40 { j += 1 }
        guard j < bytes.count, bytes[j] == UInt8(ascii: "\""),
              let seconds = DiscordTimestamp.parseFixed(UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j])) else { return nil }
        i = j + 1
        return seconds
    }

    /// Reads `"digits"` as a value below 2^63 and moves past it; leaves the position alone otherwise.
    mutating func quotedDigits() -> UInt64? {
        var j = i + 1
        var value: UInt64 = 0
        while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57, j - i <= 19 {
            value = value &* 10 &+ UInt64(bytes[j] - 48)
            j += 1
        }
        guard j > i + 1, j - i - 1 <= 19, j < bytes.count, bytes[j] == UInt8(ascii: "\""), value <= UInt64(Int64.max) else { return nil }
        i = j + 1
        return value
    }

    /// A JSON number per the grammar (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`), as a Double.
    mutating func number() throws(IngestError) -> Double {
        let start = i
        func digits() -> Int { var n = 0; while let c = peek(), c >= 48, c <= 57 { i += 1; n += 1 }; return n }
        if peek() == UInt8(ascii: "-") { i += 1 }
        if peek() == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { throw unexpected() }
        if peek() == UInt8(ascii: ".") { i += 1; guard digits() > 0 else { throw unexpected() } }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            i += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw unexpected() }
        }
        if let c = peek(), (c >= 48 && c <= 57) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            throw unexpected()   // "0123", "1.2.3", "1-2"
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        return Double(text) ?? 0
    }

    mutating func integer(_ field: String) throws(IngestError) -> Int64 {
        skipWhitespace()
        let start = i
        if peek() == UInt8(ascii: "-") { i += 1 }
        var value: Int64 = 0
        var digits = 0
        while let b = peek(), b >= 48, b <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b - 48))
            guard !o1 && !o2 else { throw .invalidField(field: field, detail: "integer out of range") }
            value = s; i += 1; digits += 1
        }
        guard digits > 0 else { i = start; throw .invalidField(field: field, detail: "expected an integer") }
        let first = bytes[start] == UInt8(ascii: "-") ? start + 1 : start
        if digits > 1, bytes[first] == UInt8(ascii: "0") { i = first + 1; throw unexpected() }
        if let b = peek(), b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
            throw .invalidField(field: field, detail: "expected an integer")
        }
        return bytes[start] == UInt8(ascii: "-") ? -value : value
    }

    mutating func bool(_ field: String) throws(IngestError) -> Bool {
        skipWhitespace()
        if literal("true") { return true }
        if literal("false") { return false }
        throw .invalidField(field: field, detail: "expected true or false")
    }

    /// A JSON string; escapes decoded, invalid UTF-8 replaced.
    mutating func string(_ field: String) throws(IngestError) -> String {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else {
            if atEnd || !isValueStart(peek()) { throw unexpected() }
            throw .invalidField(field: field, detail: "expected a string")
        }
        i += 1
        let start = i
        // Fast path: no escapes.
        var isASCII = true
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") {
            guard bytes[i] >= 0x20 else { throw .malformedJSON(detail: "control character in a string at byte \(i)") }
            if bytes[i] >= 0x80 { isASCII = false }
            i += 1
        }
        guard i < bytes.count else { throw .malformedJSON(detail: "unterminated string starting at byte \(start - 1)") }
        if bytes[i] == UInt8(ascii: "\"") {
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<i])
            // ASCII is valid UTF-8: decoding it cannot repair anything, and it skips the generic validation.
            if isASCII { i += 1; return String(decoding: raw, as: UTF8.self) }
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw .malformedJSON(detail: "invalid UTF-8 in a string starting at byte \(start - 1)")
            }
            i += 1
            return text
        }
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                guard let text = String(validating: out, as: UTF8.self) else {
                    throw .malformedJSON(detail: "invalid UTF-8 in a string starting at byte \(start - 1)")
                }
                i += 1
                return text
            }
            if b < 0x20 { throw .malformedJSON(detail: "control character in a string at byte \(i)") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard let e = peek() else { break }
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                let escapeAt = i - 2
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard peek() == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u") else {
                        throw .malformedJSON(detail: "unpaired surrogate escape at byte \(escapeAt)")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw .malformedJSON(detail: "unpaired surrogate escape at byte \(escapeAt)") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let s = Unicode.Scalar(scalar) else { throw .malformedJSON(detail: "unpaired surrogate escape at byte \(escapeAt)") }
                out.append(contentsOf: s.utf8)
            default:
                throw .malformedJSON(detail: "invalid escape '\\\(Character(Unicode.Scalar(e)))' at byte \(i - 2)")
            }
        }
        throw .malformedJSON(detail: "unterminated string starting at byte \(start - 1)")
    }

    mutating func hex4() throws(IngestError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw .malformedJSON(detail: "truncated \\u escape at byte \(i)") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 48...57: d = UInt32(b - 48)
            case 97...102: d = UInt32(b - 87)
            case 65...70: d = UInt32(b - 55)
            default: throw .malformedJSON(detail: "invalid \\u escape at byte \(i)")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// `null` gives nil; anything else is parsed by `body`.
    mutating func nullable<T>(_ body: (inout MessageJSONParser) throws(IngestError) -> T) throws(IngestError) -> T? {
        skipWhitespace()
        if literal("null") { return nil }
        return try body(&self)
    }

    mutating func expectObject(_ field: String) throws(IngestError) {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            if atEnd || !isValueStart(peek()) { throw unexpected() }
            throw .invalidField(field: field, detail: "expected an object")
        }
    }

    /// Walks an object, handing each key (its raw UTF-8, escapes decoded) to `body`, which must consume
    /// the value. Keys are compared as bytes: making a String of every key cost more than the rest.
    mutating func object(_ body: (inout MessageJSONParser, Key) throws(IngestError) -> Void) throws(IngestError) {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else { throw unexpected() }
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw .malformedJSON(detail: "nested deeper than \(Self.maximumDepth) levels at byte \(i)") }
        i += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw unexpected() }
            let key = try self.key()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw unexpected() }
            i += 1
            try body(&self, key)
            skipWhitespace()
            guard let b = peek() else { throw .malformedJSON(detail: "unterminated object") }
            i += 1
            if b == UInt8(ascii: "}") { return }
            guard b == UInt8(ascii: ",") else { i -= 1; throw unexpected() }
        }
    }

    /// An object key as bytes.
    struct Key {
        let bytes: [UInt8]?                       // only for keys with escapes
        let range: Range<Int>
        let source: UnsafeBufferPointer<UInt8>

        /// The key as a String (for generic values; message fields compare bytes instead).
        var text: String { String(decoding: bytes ?? Array(source[range]), as: UTF8.self) }

        static func == (key: Key, name: StaticString) -> Bool {
            let n = name.utf8CodeUnitCount
            let p = name.utf8Start
            if let bytes = key.bytes {
                return bytes.count == n && (0..<n).allSatisfy { bytes[$0] == p[$0] }
            }
            guard key.range.count == n else { return false }
            let base = key.range.lowerBound
            for k in 0..<n where key.source[base + k] != p[k] { return false }
            return true
        }
    }

    mutating func key() throws(IngestError) -> Key {
        let start = i + 1
        var j = start
        // Fast path: plain ASCII keys (every key Discord sends). Anything else takes the validating path, so a
        // key with invalid UTF-8 is refused like any other string.
        while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\"), bytes[j] >= 0x20, bytes[j] < 0x80 { j += 1 }
        if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
            i = j + 1
            return Key(bytes: nil, range: start..<j, source: bytes)
        }
        let decoded = try string("key")
        return Key(bytes: Array(decoded.utf8), range: 0..<0, source: bytes)
    }

    mutating func array<T>(_ field: String, _ element: (inout MessageJSONParser, Int) throws(IngestError) -> T) throws(IngestError) -> [T] {
        skipWhitespace()
        guard peek() == UInt8(ascii: "[") else {
            if atEnd || !isValueStart(peek()) { throw unexpected() }
            throw .invalidField(field: field, detail: "expected an array")
        }
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw .malformedJSON(detail: "nested deeper than \(Self.maximumDepth) levels at byte \(i)") }
        i += 1
        var out: [T] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { i += 1; return out }
        while true {
            out.append(try element(&self, out.count))
            skipWhitespace()
            guard let b = peek() else { throw .malformedJSON(detail: "unterminated array") }
            i += 1
            if b == UInt8(ascii: "]") { return out }
            guard b == UInt8(ascii: ",") else { i -= 1; throw unexpected() }
        }
    }

    /// Any JSON value as a `JSONValue`, with the same strict grammar, depth limit and UTF-8 checks: the
    /// parser behind `JSONValue.parse` (model answers, schemas), where `JSONDecoder` into an enum would
    /// try each type in turn and throw on every miss.
    mutating func value() throws(IngestError) -> JSONValue {
        skipWhitespace()
        guard let b = peek() else { throw .malformedJSON(detail: "unexpected end of input") }
        switch b {
        case UInt8(ascii: "{"):
            var members: [String: JSONValue] = [:]
            try object { p, key throws(IngestError) in members[key.text] = try p.value() }
            return .object(members)
        case UInt8(ascii: "["): return .array(try array("") { p, _ throws(IngestError) in try p.value() })
        case UInt8(ascii: "\""): return .string(try string(""))
        case UInt8(ascii: "t"): guard literal("true") else { throw unexpected() }; return .bool(true)
        case UInt8(ascii: "f"): guard literal("false") else { throw unexpected() }; return .bool(false)
        case UInt8(ascii: "n"): guard literal("null") else { throw unexpected() }; return .null
        default:
            guard isNumberStart(b) else { throw unexpected() }
            return .number(try number())
        }
    }

    /// A whole document: one value and nothing after it but whitespace.
    static func document(_ bytes: UnsafeBufferPointer<UInt8>) throws(IngestError) -> JSONValue {
        var parser = MessageJSONParser(bytes)
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.atEnd else { throw parser.unexpected() }
        return value
    }

    /// Skips any JSON value, checking its syntax.
    mutating func skipValue() throws(IngestError) {
        skipWhitespace()
        guard let b = peek() else { throw .malformedJSON(detail: "unexpected end of input") }
        switch b {
        case UInt8(ascii: "{"): try object { p, _ throws(IngestError) in try p.skipValue() }
        case UInt8(ascii: "["): _ = try array("") { p, _ throws(IngestError) in try p.skipValue() }
        case UInt8(ascii: "\""): _ = try string("")
        case UInt8(ascii: "t"): guard literal("true") else { throw unexpected() }
        case UInt8(ascii: "f"): guard literal("false") else { throw unexpected() }
        case UInt8(ascii: "n"): guard literal("null") else { throw unexpected() }
        default:
            guard isNumberStart(b) else { throw unexpected() }
            _ = try number()
        }
    }

    // MARK: Bytes

    var atEnd: Bool { i >= bytes.count }
    func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }
    func isNumberStart(_ b: UInt8?) -> Bool { guard let b else { return false }; return b == UInt8(ascii: "-") || (b >= 48 && b <= 57) }
    func isValueStart(_ b: UInt8?) -> Bool {
        guard let b else { return false }
        return isNumberStart(b) || "{[\"tfn".utf8.contains(b)
    }

    mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        let p = word.utf8Start
        for k in 0..<n where bytes[i + k] != p[k] { return false }
        i += n
        return true
    }

    func unexpected() -> IngestError {
        guard let b = peek() else { return .malformedJSON(detail: "unexpected end of input at byte \(i)") }
        let shown = b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : String(format: "byte 0x%02X", b)
        return .malformedJSON(detail: "unexpected \(shown) at byte \(i)")
    }
}
