/// Rewrites `$N` placeholders to SQLite's numbered `?N`. SQLite reads `$1` as a *named* parameter whose
/// index follows first appearance, so `SELECT $2, $1` would bind the wrong values without this.
/// Quoted strings, quoted identifiers and comments are copied unchanged. The connection's statement
/// cache is keyed by the original text, so each distinct statement is rewritten once per connection.
enum SQLitePlaceholders {
    static func rewrite(_ sql: String) -> String {
        let bytes = Array(sql.utf8)
        guard bytes.contains(UInt8(ascii: "$")) else { return sql }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func copy(until end: Int) {
            let stop = min(end, bytes.count)
            out.append(contentsOf: bytes[i..<stop])
            i = stop
        }
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                // Quoted text or identifier; a doubled quote is an escaped quote and is crossed the same way.
                var j = i + 1
                while j < bytes.count, bytes[j] != b { j += 1 }
                copy(until: j + 1)
            case UInt8(ascii: "["):
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "]") { j += 1 }
                copy(until: j + 1)
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                var j = i + 2
                while j < bytes.count, bytes[j] != UInt8(ascii: "\n") { j += 1 }
                copy(until: j)
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                var j = i + 2
                while j + 1 < bytes.count, !(bytes[j] == UInt8(ascii: "*") && bytes[j + 1] == UInt8(ascii: "/")) { j += 1 }
                copy(until: j + 2)
            case UInt8(ascii: "$") where i + 1 < bytes.count && isDigit(bytes[i + 1]) && !(i > 0 && isWordByte(bytes[i - 1])):
                out.append(UInt8(ascii: "?"))
                i += 1
            default:
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    private static func isWordByte(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "_") || b >= 0x80
    }
}
