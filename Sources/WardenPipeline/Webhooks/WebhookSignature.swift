import Crypto
import Foundation

/// How a delivery proves it came from Warden: HMAC-SHA256 over `"<timestamp>.<body>"` with the endpoint's
/// secret, sent as `X-Warden-Signature: t=<unix seconds>,v1=<hex>`. While a rotated secret lasts, the header
/// carries one `v1=` per secret (the new one first) and a receiver accepts the delivery when any of them is
/// its own. A receiver also refuses a timestamp far from its clock, so a captured delivery cannot be replayed
/// later.
///
/// Why HMAC and not Ed25519 (Discord's interactions): a receiver checks an HMAC with its language's standard
/// library (Python's `hmac`, Node's `crypto`, Go's `crypto/hmac`) and nothing else, and a secret per endpoint
/// limits a leak to that endpoint; key rotation is the same operation for both.
public enum WebhookSignature {
    /// The header that carries the signature.
    public static let header = "X-Warden-Signature"
    /// The scheme tag of HMAC-SHA256 signatures in the header.
    public static let scheme = "v1"
    /// How far a timestamp may be from the receiver's clock, by default.
    public static let defaultTolerance: TimeInterval = 300

    /// The header value for `body` sent at `timestamp` (unix seconds), one signature per secret.
    public static func headerValue(body: [UInt8], timestamp: Int64, secrets: [String]) -> String {
        (["t=\(timestamp)"] + secrets.map { "\(scheme)=\(signature(body: body, timestamp: timestamp, secret: $0))" })
            .joined(separator: ",")
    }

    /// The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
    public static func signature(body: [UInt8], timestamp: Int64, secret: String) -> String {
        var message = Array("\(timestamp).".utf8)
        message += body
        return hex(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// Lower-case hex, two digits a byte (signatures and secrets).
    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Why a signature header was refused.
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed(String)
        case staleTimestamp(seconds: Int64)
        case noMatch

        public var description: String {
            switch self {
            case .malformed(let why): "malformed \(WebhookSignature.header): \(why)"
            case .staleTimestamp(let seconds): "timestamp is \(seconds) s away from now"
            case .noMatch: "no signature matches the secret"
            }
        }
    }

    /// Checks a header as a receiver does: a timestamp within `tolerance` of `now`, and one `v1` signature
    /// equal (compared in constant time) to the one `secret` gives.
    public static func verify(header value: String, body: [UInt8], secret: String, now: Date,
                              tolerance: TimeInterval = defaultTolerance) throws(Refusal) {
        var timestamp: Int64?
        var candidates: [String] = []
        for part in value.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw .malformed("'\(part)' is not key=value") }
            switch pair[0] {
            case "t":
                // Digits only (no sign), and few enough that no arithmetic below can overflow.
                guard (1...12).contains(pair[1].utf8.count), pair[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                    throw .malformed("t must be unix seconds, got '\(pair[1].prefix(24))'")
                }
                timestamp = Int64(pair[1])
            case scheme: candidates.append(pair[1])
            default: continue
            }
        }
        guard let timestamp else { throw .malformed("no t=<unix seconds>") }
        guard !candidates.isEmpty else { throw .malformed("no \(scheme)= signature") }
        let skew = now.timeIntervalSince1970.rounded(.down) - Double(timestamp)
        guard abs(skew) <= tolerance else { throw .staleTimestamp(seconds: Int64(skew)) }
        let expected = Array(signature(body: body, timestamp: timestamp, secret: secret).utf8)
        guard candidates.contains(where: { constantTimeEqual(Array($0.utf8), expected) }) else { throw .noMatch }
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
