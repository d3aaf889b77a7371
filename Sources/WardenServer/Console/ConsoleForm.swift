import Foundation
import Hummingbird
import NIOCore
import WardenCore

/// A console form's fields (`application/x-www-form-urlencoded`), read once by ``ConsoleAuthenticator`` (which
/// checks its CSRF token) and handed to the page in the request context.
public struct ConsoleForm: Sendable {
    public private(set) var fields: [String: String] = [:]

    /// The largest form the console takes (a rule's pattern or a setting's value fits well within it).
    static let limit = 1024 * 1024

    init(fields: [String: String]) { self.fields = fields }

    /// Parses a urlencoded body; a field given twice keeps its first value. By hand rather than with Hummingbird's
    /// URLEncodedFormDecoder, which decodes into a Decodable type: the authenticator must read the CSRF field before
    /// any page's type is known, and GET queries (``ConsoleQuery``) are read the same way.
    init(parsing text: String) throws(APIError) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first,
                  let name = String(rawName).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                  let value = (parts.count > 1 ? String(parts[1]) : "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                throw APIError.badRequest("invalid_form", "the form is not valid percent-encoded UTF-8")
            }
            if fields[name] == nil { fields[name] = value }
        }
    }

    /// Reads the request's form body (refused with 415 when it is not a form, 413 past ``limit``).
    static func read(_ request: inout Request) async throws -> ConsoleForm {
        _ = try BodyFormat.of(request, among: [.form])
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "body_too_large", "the form is larger than \(limit) bytes").closingConnection()
        }
        return try ConsoleForm(parsing: String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// A field's text (nil when absent), refused when it holds a control character Warden does not store.
    func text(_ name: String) throws -> String? {
        guard let value = fields[name] else { return nil }
        try TextPolicy.check(value, field: name)
        return value
    }

    /// A field that must be present and not blank.
    func required(_ name: String, _ label: String) throws -> String {
        guard let value = try text(name), !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("invalid_field", "\(label) is required")
        }
        return value
    }
}
