import Crypto
import Foundation
import WardenCore

/// Why a prompt folder cannot be used.
public struct PromptError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "prompt \(path): \(reason)" }
}

/// A task's prompt as files in `prompts/<name>/`: `system.md` (the policy, trusted), `user.md` (the frame
/// around the untrusted data) and `schema.json` (the answer's JSON schema). Both texts may use
/// `{{boundary}}`; `user.md` must contain `{{data}}` exactly once. The hash (SHA-256 over the three files)
/// is stored with every analysis so a verdict can be traced to the prompt that produced it.
public struct PromptTemplate: Sendable {
    public let name: String
    public let system: String
    public let user: String
    public let schema: JSONValue
    /// Hex SHA-256 of system, user and schema files.
    public let hash: String

    public init(name: String, system: String, user: String, schema: JSONValue) throws(PromptError) {
        guard user.components(separatedBy: "{{data}}").count == 2 else {
            throw PromptError(path: name, reason: "user.md must contain {{data}} exactly once")
        }
        guard !system.contains("{{data}}") else {
            throw PromptError(path: name, reason: "system.md must not contain {{data}}: untrusted data never goes in the system message")
        }
        let problems = JSONSchema.strictModeProblems(schema)
        guard problems.isEmpty else {
            throw PromptError(path: name, reason: "schema.json is not usable in strict mode: " + problems.map(\.description).joined(separator: "; "))
        }
        self.name = name; self.system = system; self.user = user; self.schema = schema
        var hasher = SHA256()
        for part in [system, user, schema.encoded()] { hasher.update(data: Data(part.utf8)); hasher.update(data: Data([0])) }
        hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Reads `directory/name/{system.md,user.md,schema.json}`.
    public static func load(from directory: String, name: String) throws(PromptError) -> PromptTemplate {
        let folder = (directory as NSString).appendingPathComponent(name)
        func read(_ file: String) throws(PromptError) -> String {
            let path = (folder as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw PromptError(path: path, reason: "missing or not UTF-8 (each prompt folder holds system.md, user.md and schema.json)")
            }
            return text
        }
        let schemaText = try read("schema.json")
        let schema: JSONValue
        do { schema = try JSONValue.parse(schemaText) } catch {
            throw PromptError(path: (folder as NSString).appendingPathComponent("schema.json"), reason: "not valid JSON: \(error)")
        }
        return try PromptTemplate(name: name, system: try read("system.md"), user: try read("user.md"), schema: schema)
    }

    /// The chat messages for one request: the policy as the system message, the untrusted `data` as
    /// escaped JSON between two lines carrying a per-request random boundary. The data is inserted last,
    /// in one place, so nothing in it is ever read as a placeholder or an instruction of ours.
    public func render(data: JSONValue, boundary: String = PromptTemplate.randomBoundary()) -> [ChatMessage] {
        let payload = data.encoded()
        var marker = boundary
        // A boundary the data itself contains could be forged; pick another (random ones never collide in practice).
        while payload.contains(marker) { marker = Self.randomBoundary() }
        let systemText = system.replacingOccurrences(of: "{{boundary}}", with: marker)
        let frame = user.replacingOccurrences(of: "{{boundary}}", with: marker).components(separatedBy: "{{data}}")
        return [.system(systemText), .user(frame[0] + payload + frame[1])]
    }

    public var output: StructuredOutput { StructuredOutput(name: "warden_" + name.replacingOccurrences(of: "-", with: "_"), schema: schema) }

    /// `DATA-` and 24 random hex digits.
    public static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        return "DATA-" + (0..<3).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined().prefix(24)
    }
}
