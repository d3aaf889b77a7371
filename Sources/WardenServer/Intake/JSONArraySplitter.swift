/// Splits a JSON array into the raw bytes of its elements without parsing them, so each message of a
/// batch is decoded by the same decoder as a single message (and 64-bit ids written as numbers keep
/// every digit). Only the array's structure is checked here; the elements are checked by their decoder.
enum JSONArraySplitter {
    struct Failure: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "\(reason) at byte \(offset)" }
    }

    static func elements(_ bytes: [UInt8]) throws(Failure) -> [ArraySlice<UInt8>] {
        var index = skipSpace(bytes, 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { throw Failure(offset: index, reason: "expected a JSON array") }
        index += 1
        var elements: [ArraySlice<UInt8>] = []
        index = skipSpace(bytes, index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            guard skipSpace(bytes, index + 1) == bytes.count else { throw Failure(offset: index + 1, reason: "unexpected text after the array") }
            return []
        }
        // The brackets open inside the current element, innermost last (one buffer for the whole array).
        var open: [UInt8] = []
        while true {
            let start = index
            open.removeAll(keepingCapacity: true)
            var inString = false
            var escaped = false
            // The element's value has ended (its string closed, its object or array closed, or a space after a
            // number or literal): only a ',' or the array's ']' may follow, so `[{..} {..}]` is malformed, not
            // one element that fails to decode.
            var complete = false
            while index < bytes.count {
                let byte = bytes[index]
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                        inString = false
                        if open.isEmpty { complete = true }
                    }
                } else if isSpace(byte) {
                    if open.isEmpty { complete = true }
                } else if open.isEmpty, byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                    break
                } else if open.isEmpty, complete || (index > start && (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "["))) {
                    // A value after a value (`1 2`, `{..} {..}`, `1{..}`, `true"x"`): a comma is missing.
                    throw Failure(offset: index, reason: "expected ',' or ']' after element \(elements.count)")
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    open.append(byte)
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    // `{` is 0x7B and `}` 0x7D, `[` 0x5B and `]` 0x5D: a closer is its opener + 2.
                    guard open.popLast() == byte - 2 else {
                        throw Failure(offset: index, reason: "'\(Character(Unicode.Scalar(byte)))' does not close the bracket opened before it in element \(elements.count)")
                    }
                    if open.isEmpty { complete = true }
                }
                index += 1
            }
            guard index < bytes.count, !inString else { throw Failure(offset: index, reason: "the array is not closed") }
            var end = index
            while end > start, isSpace(bytes[end - 1]) { end -= 1 }
            guard end > start else { throw Failure(offset: start, reason: "empty element") }
            elements.append(bytes[start..<end])
            if bytes[index] == UInt8(ascii: "]") {
                guard skipSpace(bytes, index + 1) == bytes.count else { throw Failure(offset: index + 1, reason: "unexpected text after the array") }
                return elements
            }
            guard bytes[index] == UInt8(ascii: ",") else { throw Failure(offset: index, reason: "unexpected '\(Character(Unicode.Scalar(bytes[index])))'") }
            index = skipSpace(bytes, index + 1)
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func skipSpace(_ bytes: [UInt8], _ start: Int) -> Int {
        var index = start
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        return index
    }
}
