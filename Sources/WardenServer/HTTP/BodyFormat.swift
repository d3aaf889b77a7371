import Hummingbird
import WardenCore

/// A format a route reads its body in, recognised by the request's `Content-Type` (its media type, without
/// parameters, in any case). A body in no format the route reads is refused with 415 before it is read.
struct BodyFormat: Sendable, Equatable {
    /// The media type named in errors and in the OpenAPI document.
    let mediaType: String
    /// Other spellings clients send for the same format.
    let aliases: [String]

    /// `application/json`: every JSON route.
    static let json = BodyFormat(mediaType: "application/json", aliases: [])
    /// `application/yaml`: a rule written as YAML, accepted only when the client says so.
    static let yaml = BodyFormat(mediaType: "application/yaml", aliases: ["application/x-yaml", "text/yaml"])
    /// `application/x-www-form-urlencoded`: the console's forms.
    static let form = BodyFormat(mediaType: "application/x-www-form-urlencoded", aliases: [])
    /// The screenshot formats (``ImageFormat``), with the spellings it tolerates.
    static let images: [BodyFormat] = ImageFormat.allCases.map { BodyFormat(mediaType: $0.contentType, aliases: $0.contentTypeAliases) }

    func accepts(_ mediaType: String) -> Bool { mediaType == self.mediaType || aliases.contains(mediaType) }

    /// The format among `formats` that the request's `Content-Type` names.
    /// - Throws: 415 `unsupported_media_type` naming what was sent and what is accepted (the body is left
    ///   unread, so the connection closes after the answer).
    static func of(_ request: Request, among formats: [BodyFormat]) throws(APIError) -> BodyFormat {
        let declared = request.headers[.contentType]
        let mediaType = (declared?.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if let format = formats.first(where: { $0.accepts(mediaType) }) { return format }
        let expected = formats.map(\.mediaType).listed("or")
        let sent = declared.map { "Content-Type '\($0)' is not accepted here" } ?? "the request has no Content-Type"
        throw APIError(.unsupportedMediaType, "unsupported_media_type", "\(sent); send \(expected)").closingConnection()
    }
}
