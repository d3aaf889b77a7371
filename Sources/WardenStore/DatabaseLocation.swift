import CLibPQ
import Foundation

/// Where a store lives, parsed from its URL. Only the redacted form of a URL ever reaches an error.
enum DatabaseLocation: Equatable {
    case sqliteMemory
    case sqliteFile(path: String)
    case postgres(url: String)

    static func parse(_ url: String) throws -> DatabaseLocation {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        if lower.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path == ":memory:" { return .sqliteMemory }
            // Also accept the URL spellings sqlite:///abs/path and sqlite://relative/path.
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else {
                throw StoreError.badURL(redact(url), reason: "missing file path; use sqlite:PATH or sqlite::memory:")
            }
            return .sqliteFile(path: path)
        }
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            // Let libpq judge the URI, without connecting, so malformed ports or escapes fail here.
            var message: UnsafeMutablePointer<CChar>?
            let options = PQconninfoParse(trimmed, &message)
            defer {
                if let options { PQconninfoFree(options) }
                if let message { PQfreemem(message) }
            }
            guard options != nil else {
                let reason = message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) }
                // libpq quotes the offending URI in some messages; never echo it, it may hold a password.
                throw StoreError.badURL(redact(url), reason: scrub(reason ?? "malformed PostgreSQL URL", url: trimmed))
            }
            return .postgres(url: trimmed)
        }
        throw StoreError.badURL(redact(url), reason: "unsupported scheme; expected sqlite:PATH, sqlite::memory:, postgres:// or postgresql://")
    }

    /// The URL with any password replaced by `***` (userinfo `user:password@` and `password=` query values).
    static func redact(_ url: String) -> String {
        var result = url
        if let schemeEnd = result.range(of: "://") {
            let rest = result[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"),
               let colon = rest[..<at].firstIndex(of: ":") {
                result.replaceSubrange(result.index(after: colon)..<at, with: "***")
            }
        }
        // password=... in the query string (or a key=value conninfo string)
        var output = ""
        var remainder = Substring(result)
        while let range = remainder.range(of: "password=", options: .caseInsensitive) {
            output += remainder[..<range.upperBound] + "***"
            remainder = remainder[range.upperBound...]
            let end = remainder.firstIndex(where: { $0 == "&" || $0 == " " }) ?? remainder.endIndex
            remainder = remainder[end...]
        }
        return output + remainder
    }

    /// Removes the raw URL (and its password) from a driver message, if the driver repeated it.
    private static func scrub(_ message: String, url: String) -> String {
        message.replacingOccurrences(of: url, with: redact(url))
    }
}
