import Foundation
import Testing
import WardenCore
import WardenLLM
import WardenSupport
import WardenLLMTestServer

/// The payment-screenshot fixtures (`fixtures/screenshots`, made by `scripts/make-screenshots.py`) against
/// the pieces that judge them: the manifest's hashes, the image probe, the verification policy with the
/// recorded model answers, the redactor, and the test server's vision model behind the real client.
@Suite("Vision model and screenshot fixtures")
struct VisionModelTests {
    /// One `manifest.json` entry.
    struct Entry: Decodable, CustomStringConvertible {
        var file: String
        var contentType: String
        var sha256: String?
        var generate: String?
        var expectedStatus: String
        var expectedError: String?
        var answer: VerificationAnswer?
        var reasonMustNotContain: [String]
        var note: String

        enum CodingKeys: String, CodingKey {
            case file, sha256, generate, answer, note
            case contentType = "content_type"
            case expectedStatus = "expected_status"
            case expectedError = "expected_error"
            case reasonMustNotContain = "reason_must_not_contain"
        }

        var description: String { file }
    }

    /// The fixture guild: Ko-fi, 5.00 USD, 30 days.
    static let policy = VerificationPolicy(merchants: ["Ko-fi"],
                                           prices: [VerificationPrice(amount: Decimal(5), currency: "USD")], windowDays: 30)
    /// 2026-11-20T12:00:00Z, the day the fixtures' dates are relative to.
    static let now = Date(timeIntervalSince1970: 1_795_176_000)
    static let oversizedBytes = 11 * 1024 * 1024

    /// The repository root: the first folder above this file that holds Package.swift.
    static let repositoryRoot: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    static let fixtures = repositoryRoot.appendingPathComponent("fixtures/screenshots")
    static let manifestURL = fixtures.appendingPathComponent("manifest.json")

    static func manifest() throws -> [Entry] {
        try JSONDecoder().decode([Entry].self, from: Data(contentsOf: manifestURL))
    }

    static func entry(_ file: String) throws -> Entry {
        try #require(try manifest().first { $0.file == file }, "no \(file) in the manifest")
    }

    /// A committed file's bytes, or the generated ones (`oversized.png`: valid.png padded with zeros).
    static func bytes(of entry: Entry) throws -> [UInt8] {
        if entry.sha256 == nil {
            #expect(entry.generate == "pad valid.png to 11 MiB", "\(entry.file): no hash and no known recipe")
            var padded = try [UInt8](Data(contentsOf: fixtures.appendingPathComponent("valid.png")))
            padded += [UInt8](repeating: 0, count: max(0, oversizedBytes - padded.count))
            return padded
        }
        return try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(entry.file)))
    }

    /// The manifest's `expected_error` spelling of a probe error.
    static func code(_ error: ImageProbeError) -> String {
        switch error {
        case .empty: "empty"
        case .tooLarge: "too_large"
        case .notAnImage: "not_an_image"
        case .contentTypeMismatch: "content_type_mismatch"
        case .truncated: "truncated"
        case .malformed: "malformed"
        case .badDimensions: "bad_dimensions"
        }
    }

    // MARK: Fixtures

    @Test func committedFilesMatchTheirHashes() throws {
        let entries = try Self.manifest()
        #expect(entries.count >= 12)
        #expect(Set(entries.map(\.file)).count == entries.count, "file names repeat")
        for entry in entries {
            let url = Self.fixtures.appendingPathComponent(entry.file)
            guard let hash = entry.sha256 else {
                #expect(entry.generate != nil, "\(entry.file) has neither a hash nor a recipe")
                #expect(!FileManager.default.fileExists(atPath: url.path), "\(entry.file) is generated, not committed")
                continue
            }
            let data = try Data(contentsOf: url)
            #expect(VisionModel.sha256Hex(data) == hash, "\(entry.file) does not match its manifest hash")
            #expect(data.count < 200 * 1024, "\(entry.file) is \(data.count) bytes")
        }
        // Every valid receipt is a different payment, so no two committed files may share a hash.
        let hashes = entries.compactMap(\.sha256)
        #expect(Set(hashes).count == hashes.count)
    }

    @Test func probeAcceptsExactlyTheExpectedFiles() throws {
        for entry in try Self.manifest() {
            let bytes = try Self.bytes(of: entry)
            do {
                let info = try ImageProbe.probe(bytes, declaredContentType: entry.contentType)
                #expect(entry.expectedStatus != "rejected", "\(entry.file) should be rejected (\(entry.expectedError ?? "?"))")
                #expect(info.format == ImageFormat(contentType: entry.contentType), "\(entry.file) probed as \(info.format)")
                #expect(info.width > 0 && info.height > 0)
                #expect(info.byteCount == bytes.count)
            } catch {
                #expect(entry.expectedStatus == "rejected", "\(entry.file) was rejected: \(error)")
                #expect(Self.code(error) == entry.expectedError, "\(entry.file): \(error)")
            }
        }
        // The generated entry really is over the limit, and only by its size.
        let oversized = try Self.bytes(of: try Self.entry("oversized.png"))
        #expect(oversized.count == Self.oversizedBytes)
        #expect(ImageProbe.detect(oversized) == .png)
    }

    @Test func rejectedFilesNeverReachTheModel() throws {
        for entry in try Self.manifest() where entry.expectedStatus == "rejected" {
            #expect(entry.answer == nil, "\(entry.file) is rejected before any model call, so it has no answer")
            #expect(entry.expectedError != nil, "\(entry.file) must say why it is rejected")
        }
    }

    @Test func policyGivesEachFileItsExpectedStatus() throws {
        for entry in try Self.manifest() where entry.expectedStatus != "rejected" {
            let answer = try #require(entry.answer, "\(entry.file) needs a recorded answer")
            let decision = Self.policy.decide(answer, now: Self.now)
            #expect(decision.status == entry.expectedStatus, "\(entry.file): \(decision)")
        }
    }

    @Test func injectionFoolsTheModelButNotThePolicy() throws {
        let answer = try #require(try Self.entry("injection.png").answer)
        #expect(answer.canVerify && !answer.needsManualReview, "the recorded model is fooled")
        let issues = Self.policy.issues(answer, now: Self.now)
        #expect(issues == [.merchantMismatch(found: "Totally Legit Shop", expected: ["Ko-fi"])])
    }

    @Test func storedReasonsAreRedacted() throws {
        for entry in try Self.manifest() {
            guard let answer = entry.answer else { continue }
            let stored = Redactor.redact(answer.reason)
            var texts = [stored]
            if case .manualReview(let reasons) = Self.policy.decide(answer, now: Self.now) { texts += reasons }
            for forbidden in entry.reasonMustNotContain {
                #expect(answer.reason.contains(forbidden), "\(entry.file): \"\(forbidden)\" is not in the raw reason, the check proves nothing")
                for text in texts {
                    #expect(!text.contains(forbidden), "\(entry.file): \"\(forbidden)\" survived in \"\(text)\"")
                }
            }
        }
        let pii = try #require(try Self.entry("with-pii.png").answer)
        let stored = Redactor.redact(pii.reason)
        #expect(stored.contains(RedactionKind.card.tag) && stored.contains(RedactionKind.email.tag) && stored.contains(RedactionKind.id.tag),
                "\(stored)")
        // What the moderator needs stays readable.
        #expect(stored.contains("2026-11-19") && stored.contains("5.00 USD") && stored.contains("Ko-fi"), "\(stored)")
    }

    // MARK: The vision model

    @Test func answersFromTheManifestDecodeToTheRecordedAnswers() throws {
        let entries = try Self.manifest()
        let answers = try VisionModel.answers(fromManifest: Self.manifestURL)
        let recorded = entries.filter { $0.sha256 != nil && $0.answer != nil }
        #expect(answers.count == recorded.count)
        for entry in recorded {
            let hash = try #require(entry.sha256)
            let text = try #require(answers[hash], "no answer for \(entry.file)")
            let decoded = try JSONDecoder().decode(VerificationAnswer.self, from: Data(text.utf8))
            #expect(decoded == entry.answer, "\(entry.file)")
        }
    }

    static func chatRequest(content: String, method: String = "POST", path: String = "/v1/chat/completions") -> RecordedRequest {
        let body = #"{"model":"m","messages":[{"role":"system","content":"verify"},{"role":"user","content":\#(content)}]}"#
        return RecordedRequest(method: method, path: path, headers: [], body: Array(body.utf8))
    }

    @Test func responderAnswersByHashAndStepsAsideWithoutAnImage() throws {
        let png = try Data(contentsOf: Self.fixtures.appendingPathComponent("valid.png"))
        let hash = VisionModel.sha256Hex(png)
        let respond = VisionModel.responder(answers: [hash.uppercased(): #"{"known":true}"#])
        let part = #"{"type":"image_url","image_url":{"url":"data:image/png;base64,\#(png.base64EncodedString())"}}"#
        let known = Self.chatRequest(content: #"[{"type":"text","text":"Check this."},\#(part)]"#)

        #expect(VisionModel.imageHashes(in: known) == [hash])
        guard case .chat(let content, _, _, _, _, _)? = respond(known) else {
            Issue.record("a known image gets a chat answer")
            return
        }
        #expect(content == #"{"known":true}"#)

        let other = #"{"type":"image_url","image_url":{"url":"data:image/png;base64,\#(Data([1, 2, 3]).base64EncodedString())"}}"#
        for request in [Self.chatRequest(content: "[\(other)]"),
                        Self.chatRequest(content: #"[{"type":"image_url","image_url":{"url":"https://example.com/receipt.png"}}]"#)] {
            guard case .chat(let content, _, _, _, _, _)? = respond(request) else {
                Issue.record("an unknown image gets the cannot-read answer")
                continue
            }
            #expect(content == VisionModel.cannotReadAnswer)
            let answer = try JSONDecoder().decode(VerificationAnswer.self, from: Data((content ?? "").utf8))
            #expect(answer == VerificationAnswer(canVerify: false, needsManualReview: true, reason: "The image could not be read."))
        }
        // The first known image wins over an unknown one before it.
        let both = Self.chatRequest(content: "[\(other),\(part)]")
        if case .chat(let content, _, _, _, _, _)? = respond(both) { #expect(content == #"{"known":true}"#) } else { Issue.record("no answer") }

        #expect(respond(Self.chatRequest(content: #""no image here""#)) == nil)
        #expect(respond(Self.chatRequest(content: #"[{"type":"text","text":"only text"}]"#)) == nil)
        #expect(respond(Self.chatRequest(content: #"[\#(part)]"#, path: "/v1/embeddings")) == nil)
        #expect(respond(Self.chatRequest(content: #"[\#(part)]"#, method: "GET")) == nil)
        #expect(respond(RecordedRequest(method: "POST", path: "/v1/chat/completions", headers: [], body: Array("not json".utf8))) == nil)
    }

    /// The verification answer schema, strict.
    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "can_verify": ["type": "boolean"],
            "needs_manual_review": ["type": "boolean"],
            "reason": ["type": "string"],
            "payment_date": ["type": ["string", "null"]],
            "amount": ["type": ["number", "null"]],
            "currency": ["type": ["string", "null"]],
            "merchant": ["type": ["string", "null"]],
        ],
        "required": ["can_verify", "needs_manual_review", "reason", "payment_date", "amount", "currency", "merchant"],
        "additionalProperties": false,
    ]

    static func verify(_ client: LLMClient, image: [UInt8], mediaType: String) async throws -> (ChatResult, VerificationAnswer) {
        let request = ChatRequest(task: .vision, messages: [
            .system("Read the payment screenshot and answer in the verification schema."),
            ChatMessage(role: .user, parts: [.text("Verify this payment."), .image(bytes: image, mediaType: mediaType)]),
        ], output: StructuredOutput(name: "verification", schema: schema))
        let result = try await client.chat(request)
        return (result, try JSONDecoder().decode(VerificationAnswer.self, from: Data(result.content.utf8)))
    }

    @Test func theClientGetsTheRecordedAnswerFromTheServer() async throws {
        #expect(JSONSchema.strictModeProblems(Self.schema).isEmpty)
        let server = try await FakeLLMServer.start()
        do {
            server.setFallback(VisionModel.fallback(answers: try VisionModel.answers(fromManifest: Self.manifestURL)))
            let client = LLMClient(configuration: LLMConfiguration(baseURL: server.baseURL, apiKey: "sk-test", preset: .generic,
                                                                   defaultModel: "vision-test", concurrency: 2), jitter: { 0.5 })

            for file in ["valid.webp", "injection.png"] {
                let entry = try Self.entry(file)
                let bytes = try Self.bytes(of: entry)
                let (result, answer) = try await Self.verify(client, image: bytes, mediaType: entry.contentType)
                #expect(answer == entry.answer, "\(file): \(result.content)")
                #expect(result.json?["can_verify"] == .bool(entry.answer?.canVerify ?? false))
                #expect(Self.policy.decide(answer, now: Self.now).status == entry.expectedStatus)
                let sent = try #require(server.requests.last)
                #expect(VisionModel.imageHashes(in: sent) == [entry.sha256].compactMap { $0 })
                #expect(sent.bodyText.contains("data:\(entry.contentType);base64,"))
            }

            // An image the model has no answer for: cannot read, so a moderator looks at it.
            var unknown = try Self.bytes(of: try Self.entry("valid.png"))
            unknown.append(0)
            let (_, answer) = try await Self.verify(client, image: unknown, mediaType: "image/png")
            #expect(!answer.canVerify && answer.needsManualReview && answer.reason == "The image could not be read.")
            #expect(Self.policy.decide(answer, now: Self.now).status == "manual_review")

            // Without an image the default automod model answers.
            let text = try await client.chat(ChatRequest(task: .automod, messages: [.system("moderate"), .user("hello")]))
            #expect(text.content.contains("\"scores\""))
            #expect(server.requests.count == 4)
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }
}
