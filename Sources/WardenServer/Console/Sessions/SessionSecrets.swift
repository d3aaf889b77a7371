import Crypto
import Foundation

/// Random secrets (API tokens, session ids, CSRF and OAuth state values) and the hash under which tokens and
/// session ids are stored.
enum SessionSecrets {
    /// 32 random bytes as base64url without padding (43 characters). API tokens are this with a `wdn_` prefix.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Hex SHA-256: the store never holds a usable token or session id.
    static func hash(_ secret: String) -> String {
        // Hex by table: String(format:) per byte cost more than the whole rest of a request.
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(secret.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Compares two secrets in time that does not depend on where they first differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// Whether `text` can be a secret made by ``random()`` (so nothing else is hashed or looked up).
    static func isWellFormed(_ text: Substring) -> Bool {
        text.utf8.count == 43 && text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }
}
