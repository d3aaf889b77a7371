import Crypto
import Foundation

/// The deterministic vision "model" for payment screenshots.
///
/// It does not look at pixels: it hashes each image the request carries (SHA-256 of the decoded bytes of a
/// `data:<type>;base64,<...>` URL) and answers with the answer recorded for that hash, usually taken from
/// `fixtures/screenshots/manifest.json` with ``answers(fromManifest:)``. An image it has no answer for gets
/// ``cannotReadAnswer``, the answer a real model gives for an illegible screenshot.
///
/// ```swift
/// let answers = try VisionModel.answers(fromManifest: manifestURL)
/// server.setFallback(VisionModel.fallback(answers: answers))
/// ```
public enum VisionModel {
    /// The answer for an image without a recorded answer, in the verification schema's field order:
    /// `can_verify` false, `needs_manual_review` true, every read field null.
    public static let cannotReadAnswer =
        #"{"can_verify":false,"needs_manual_review":true,"reason":"The image could not be read.","payment_date":null,"amount":null,"currency":null,"merchant":null}"#

    /// A responder for `POST /v1/chat/completions` requests that carry an image.
    ///
    /// - Parameter answers: lowercase hex SHA-256 of an image's bytes → the answer JSON text to return as
    ///   `choices[0].message.content`.
    /// - Returns: a function that gives `.chat(content:)` with the answer of the first image whose hash is
    ///   known, ``cannotReadAnswer`` when the request has images but none is known (or none is a readable
    ///   data URL), and nil when the request is not a chat completion or carries no image, so that callers
    ///   can chain it with another model (`VisionModel.responder(answers:)(request) ?? FakeLLMServer.automodModel(request)`).
    public static func responder(answers: [String: String]) -> @Sendable (RecordedRequest) -> FakeLLMBehaviour? {
        // Keys are normalized once so a manifest written in upper case still matches.
        let known = Dictionary(answers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        return { request in
            guard request.method == "POST", request.route == "/v1/chat/completions" else { return nil }
            let urls = imageURLs(in: request)
            guard !urls.isEmpty else { return nil }
            for url in urls {
                if let hash = hash(ofDataURL: url), let answer = known[hash] {
                    return .chat(content: answer)
                }
            }
            return .chat(content: cannotReadAnswer)
        }
    }

    /// ``responder(answers:)`` in front of the server's default behaviour (the automod model for chat
    /// completions without an image, embeddings, 404s): a fallback for ``FakeLLMServer/setFallback(_:)``.
    public static func fallback(answers: [String: String]) -> @Sendable (RecordedRequest) -> FakeLLMBehaviour {
        let vision = responder(answers: answers)
        return { request in vision(request) ?? FakeLLMServer.defaultResponder(request) }
    }

    /// The lowercase hex SHA-256 of every image sent as a base64 data URL in a chat request's messages, in
    /// message and part order. Images given by any other URL (`https://...`), or whose base64 does not
    /// decode, are left out.
    public static func imageHashes(in request: RecordedRequest) -> [String] {
        imageURLs(in: request).compactMap(hash(ofDataURL:))
    }

    /// Reads `fixtures/screenshots/manifest.json`: for every entry with both a `sha256` and an `answer`
    /// object, the hash (lower-cased) → the answer encoded as JSON text (sorted keys).
    /// - Throws: ``VisionModelError/unreadableManifest(_:)`` when the file is not a JSON array of objects,
    ///   or the error reading it.
    public static func answers(fromManifest url: URL) throws -> [String: String] {
        let data = try Data(contentsOf: url)
        guard let entries = try JSONSerialization.jsonObject(with: data) as? [Any] else {
            throw VisionModelError.unreadableManifest("\(url.lastPathComponent) is not a JSON array")
        }
        var answers: [String: String] = [:]
        for (index, element) in entries.enumerated() {
            guard let entry = element as? [String: Any] else {
                throw VisionModelError.unreadableManifest("entry \(index) of \(url.lastPathComponent) is not an object")
            }
            guard let hash = entry["sha256"] as? String, let answer = entry["answer"] as? [String: Any] else { continue }
            let text = try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys, .withoutEscapingSlashes])
            answers[hash.lowercased()] = String(decoding: text, as: UTF8.self)
        }
        return answers
    }

    // MARK: Helpers

    /// The `image_url` URLs of every message's parts, in order. Accepts OpenAI's shape
    /// (`{"type":"image_url","image_url":{"url":"..."}}`) and the older string form (`"image_url":"..."`).
    static func imageURLs(in request: RecordedRequest) -> [String] {
        guard let messages = request.jsonObject?["messages"] as? [Any] else { return [] }
        var urls: [String] = []
        for case let message as [String: Any] in messages {
            guard let parts = message["content"] as? [Any] else { continue }
            for case let part as [String: Any] in parts where part["type"] as? String == "image_url" {
                if let image = part["image_url"] as? [String: Any], let url = image["url"] as? String {
                    urls.append(url)
                } else if let url = part["image_url"] as? String {
                    urls.append(url)
                }
            }
        }
        return urls
    }

    /// SHA-256 of the bytes in `data:<type>;base64,<payload>`, lowercase hex; nil for any other URL.
    static func hash(ofDataURL url: String) -> String? {
        guard url.hasPrefix("data:"), let marker = url.range(of: ";base64,") else { return nil }
        guard let bytes = Data(base64Encoded: String(url[marker.upperBound...]), options: .ignoreUnknownCharacters) else {
            return nil
        }
        return sha256Hex(bytes)
    }

    /// The lowercase hex SHA-256 of `bytes`: the key ``responder(answers:)`` looks answers up by, and the
    /// `sha256` field of the screenshot manifest.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lowercase hex of a digest.
    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(SHA256.Digest.byteCount * 2)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why ``VisionModel/answers(fromManifest:)`` could not read a manifest.
public enum VisionModelError: Error, Sendable, CustomStringConvertible {
    /// The manifest is JSON, but not the array of objects it should be.
    case unreadableManifest(String)

    public var description: String {
        switch self {
        case .unreadableManifest(let detail): "unreadable screenshot manifest: \(detail)"
        }
    }
}
