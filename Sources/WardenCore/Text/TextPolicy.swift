/// What text Warden stores: everything but the C0 control characters other than tab, line feed and
/// carriage return. PostgreSQL cannot hold U+0000 at all (it refused it, or libpq cut the text there)
/// while SQLite kept it, so the stores disagreed; refusing the whole C0 range at the door (not just NUL)
/// keeps one rule for every field and both stores, and nothing a client sent is changed silently.
///
/// Every entry point that takes text to store calls this: the JSON request bodies, the message decoder,
/// the rule validator. The store's bind layer refuses NUL once more as a backstop.
public enum TextPolicy {
    /// The first refused scalar of `text` and its offset in Unicode scalars (Python `str` index), or nil.
    public static func firstControl(in text: String) -> (scalar: Unicode.Scalar, offset: Int)? {
        // Most texts hold no byte below 0x20 but the allowed three: one pass over the UTF-8 decides.
        let refused = text.utf8.withContiguousStorageIfAvailable { bytes in
            // A tight loop over native UTF-8, not the generic sequence path (this runs for every message).
            for b in bytes where b < 0x20 && !isAllowed(b) { return true }
            return false
        } ?? text.utf8.contains(where: { $0 < 0x20 && !isAllowed($0) })
        guard refused else { return nil }
        for (offset, scalar) in text.unicodeScalars.enumerated() where scalar.value < 0x20 && !isAllowed(UInt8(scalar.value)) {
            return (scalar, offset)
        }
        return nil
    }

    /// Throws when `text` holds a refused control character; `field` names it in the error.
    public static func check(_ text: String, field: String) throws(InvalidText) {
        if let found = firstControl(in: text) {
            throw InvalidText(field: field, scalar: found.scalar.value, offset: found.offset)
        }
    }

    /// Checks every string and every object key of a JSON value; fields are named by their path
    /// (`value.names[2]`), under `prefix` when given.
    public static func check(_ value: JSONValue, field prefix: String = "") throws(InvalidText) {
        switch value {
        case .string(let text):
            try check(text, field: prefix.isEmpty ? "(body)" : prefix)
        case .array(let items):
            for (index, item) in items.enumerated() { try check(item, field: "\(prefix)[\(index)]") }
        case .object(let members):
            // Sorted, so the field named is the same on every run when several are at fault.
            for key in members.keys.sorted() {
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                try check(key, field: path)
                if let member = members[key] { try check(member, field: path) }
            }
        case .null, .bool, .number:
            return
        }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
