import Foundation

/// A Discord snowflake id. Discord sends them as strings; bots sometimes send numbers. Both decode.
public struct Snowflake: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Parses a decimal snowflake; nil when the text is not one.
    public init?(string: String) {
        guard !string.isEmpty, string.utf8.count <= 19, let value = UInt64(string), value <= UInt64(Int64.max) else { return nil }
        self.rawValue = value
    }

    public var description: String { String(rawValue) }
    /// The value as a signed 64-bit integer, as stored in BIGINT columns (snowflakes stay below 2^63 until 2084).
    public var int64: Int64 { Int64(bitPattern: rawValue) }

    public static func < (lhs: Snowflake, rhs: Snowflake) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Snowflake: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Snowflake(string: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a snowflake: \"\(text.prefix(40))\"")
            }
            self = value
        } else if let number = try? container.decode(UInt64.self), number <= UInt64(Int64.max) {
            self.rawValue = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a snowflake must be a string or an integer from 0 to 2^63-1")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Snowflake {
    /// Discord's epoch (2015-01-01T00:00:00Z) in milliseconds since 1970.
    public static let discordEpochMillis: UInt64 = 1_420_070_400_000

    /// When Discord made this id (its top 42 bits are milliseconds since Discord's epoch): a message's send
    /// time, an account's creation.
    public var createdAt: Date {
        Date(timeIntervalSince1970: Double((rawValue >> 22) + Self.discordEpochMillis) / 1000)
    }
}
