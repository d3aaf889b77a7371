import Foundation
import Hummingbird
import NIOCore
import WardenCore

/// Reading request bodies and writing JSON responses, with errors that name the field at fault.
enum JSONBodies {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// For values that carry their own JSON keys (rule definitions in pack form, decisions): no key strategy.
    static let verbatim: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The body's bytes, refused with 415 when its `Content-Type` is none of `formats` (``BodyFormat``), and
    /// with 413 past `limit`: at once when the declared `Content-Length` is larger (nothing of the body is
    /// read), else once that many bytes arrived. Either way the connection closes after the answer, rather
    /// than reading the rest of a body nobody wants.
    static func bytes(_ request: Request, limit: Int, accepting formats: [BodyFormat] = [.json]) async throws -> ByteBuffer {
        _ = try BodyFormat.of(request, among: formats)
        let tooLarge = APIError(.contentTooLarge, "body_too_large", "the request body is larger than \(limit) bytes").closingConnection()
        // The parser let only digits through, so a value Int cannot hold is larger than any limit.
        if let declared = request.headers[.contentLength], Int(declared).map({ $0 > limit }) ?? true {
            throw tooLarge
        }
        do { return try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
            throw tooLarge
        }
    }

    /// Decodes a JSON body into `T`; a decoding failure is a 400 naming the path of the bad field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = RequestLimits.json) async throws -> T {
        let buffer = try await bytes(request, limit: limit)
        let value: T
        do {
            value = try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.badRequest("invalid_body", describe(error))
        } catch {
            throw APIError.badRequest("invalid_body", "the body is not JSON: \(error)")
        }
        try checkText(buffer)
        return value
    }

    /// Like ``decode(_:from:limit:)`` for a body a client may leave out: a request with neither a body nor a
    /// `Content-Type` is `absent`; anything sent is read (and refused) as usual.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, orIfAbsent absent: T) async throws -> T {
        guard request.headers[.contentType] == nil else { return try await decode(type, from: request) }
        // No Content-Type: absent when there is no byte (clients send that as no length, a zero length, or an
        // empty chunked body); a body of some other kind is refused as `bytes` refuses it.
        do { _ = try await request.body.collect(upTo: 0) } catch is NIOTooManyBytesError {
            _ = try BodyFormat.of(request, among: [.json])
        }
        return absent
    }

    /// The text policy for every JSON body (``TextPolicy``): a string or key holding a control character
    /// other than tab, line feed and carriage return is refused with 400 `invalid_text` naming its path.
    /// In valid JSON such a character can only arrive escaped, so a body without a backslash is not walked.
    static func checkText(_ buffer: ByteBuffer) throws(InvalidText) {
        try checkText(buffer.readableBytesView)
    }

    /// The same check for JSON text held elsewhere (a Gateway dispatch's `d`).
    static func checkText(_ json: some Collection<UInt8>) throws(InvalidText) {
        guard json.contains(UInt8(ascii: "\\")), let value = try? JSONValue.parse(Array(json)) else { return }
        try TextPolicy.check(value)
    }

    /// A 200 (or `status`) response whose body is `value` as JSON (snake_case keys unless `encoder` says otherwise).
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, encoder: JSONEncoder = JSONBodies.encoder) throws -> Response {
        raw(String(decoding: try encoder.encode(value), as: UTF8.self), status: status)
    }

    /// A response whose body is JSON text already encoded.
    static func raw(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// "field 'a.b[2].c': expected a string" and the like, from a DecodingError.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\(snake($0.stringValue))" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "(body)" : text)
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            return "field '\(path(context.codingPath))': expected \(kind(type))"
        case .valueNotFound(let type, let context):
            return "field '\(path(context.codingPath))': expected \(kind(type)), got null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "the body is not valid JSON, or holds a number too large or not whole where an id or a count is expected"
                : "field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is UInt64.Type, is Int32.Type, is UInt32.Type: "an integer"
        default:
            // Foundation names its own types ("Dictionary<String, Any>"): say it in JSON's words.
            "\(type)".hasPrefix("Dictionary") ? "an object" : "\(type)".hasPrefix("Array") ? "an array" : "\(type)"
        }
    }

    private static func snake(_ key: String) -> String {
        var out = ""
        for character in key {
            if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
        }
        return out
    }
}

/// A JSON value already encoded (a stored payload, evidence, an analysis), embedded as it is.
struct EmbeddedJSON: Encodable, Sendable {
    let value: JSONValue

    /// Nil for nil or unparsable text (stored JSON is checked by the database, so the latter does not happen).
    init?(_ text: String?) {
        guard let text, let value = try? JSONValue.parse(text) else { return nil }
        self.value = value
    }

    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// Ids in responses are strings, like Discord's snowflakes, so JavaScript clients do not lose precision.
struct ID: Encodable, Sendable {
    let value: Int64
    init(_ value: Int64) { self.value = value }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(UInt64(bitPattern: value)))
    }
}

/// An id in a request body: a string of digits (Discord's form) or a non-negative integer, below 2^63 like
/// every Discord snowflake (larger ones would wrap to negative row values).
struct RequestID: Decodable, Sendable {
    let value: Int64
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let parsed = Self.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an id (digits, below 2^63), got '\(text)'")
            }
            value = parsed
        } else {
            let number = try container.decode(Int64.self)
            guard number >= 0 else { throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an id, got \(number)") }
            value = number
        }
    }

    /// An id written as digits only (no sign, no spaces), below 2^63; nil otherwise.
    static func parse(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(text)
    }
}

/// A string as a JSON literal.
func jsonString(_ text: String) -> String {
    String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
}
