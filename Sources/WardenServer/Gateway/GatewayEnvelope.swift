import Foundation

/// A Gateway dispatch as the bot received it, `{"op": 0, "t": "MESSAGE_UPDATE", "s": 42, "d": {...}}`: its
/// type and the raw bytes of `d`, which the event's own decoder reads (so 64-bit ids and the message fast
/// path are the same as for `/v1/messages`). Only the envelope's structure is checked here.
struct GatewayEnvelope {
    /// The dispatch's event name (`t`).
    let type: String
    /// The raw JSON of `d`.
    let data: ArraySlice<UInt8>
    /// The dispatch's sequence number (`s`): the same dispatch delivered again carries the same one.
    let sequence: Int64?

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads one dispatch; names what is wrong (not an object, no `t`, an opcode other than 0, no `d`).
    static func parse(_ bytes: ArraySlice<UInt8>) throws(Failure) -> GatewayEnvelope {
        let members: [(key: String, value: ArraySlice<UInt8>)]
        do { members = try JSONScan.members(bytes) } catch { throw Failure(description: "a dispatch must be a JSON object: \(error)") }
        func value(_ key: String) -> ArraySlice<UInt8>? { members.last { $0.key == key }?.value }
        if let op = value("op") {
            guard let code = try? JSONDecoder().decode(Int.self, from: Data(op)) else { throw Failure(description: "field 'op' must be an integer") }
            guard code == 0 else {
                throw Failure(description: "field 'op' is \(code); only dispatches (op 0) carry events, the bot's Gateway connection handles the other opcodes")
            }
        }
        guard let t = value("t") else {
            throw Failure(description: "missing field 't': the dispatch's event name, such as \"MESSAGE_UPDATE\"")
        }
        guard let type = try? JSONDecoder().decode(String.self, from: Data(t)), !type.isEmpty else {
            throw Failure(description: "field 't' must be the event's name as a string, such as \"MESSAGE_UPDATE\"")
        }
        guard let d = value("d"), d.first == UInt8(ascii: "{") else {
            throw Failure(description: "field 'd' must be the event's object")
        }
        var sequence: Int64?
        if let s = value("s"), !(s.count == 4 && s.elementsEqual("null".utf8)) {
            guard let number = try? JSONDecoder().decode(Int64.self, from: Data(s)) else {
                throw Failure(description: "field 's' must be the dispatch's sequence number (an integer) or null")
            }
            sequence = number
        }
        return GatewayEnvelope(type: type, data: d, sequence: sequence)
    }
}

/// Raw JSON scanning without building values: where a value ends, an array's elements, an object's members.
enum JSONScan {
    struct Failure: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "\(reason) at byte \(offset)" }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    static func skipSpace(_ bytes: ArraySlice<UInt8>, _ start: Int) -> Int {
        var index = start
        while index < bytes.endIndex, isSpace(bytes[index]) { index += 1 }
        return index
    }

    /// The index just past the value starting at `start` (a string, an object, an array or a scalar): at depth
    /// zero, the next `,`, `}` or `]` outside strings. The value itself is not checked.
    static func valueEnd(_ bytes: ArraySlice<UInt8>, from start: Int) throws(Failure) -> Int {
        var index = start
        var depth = 0
        var inString = false
        var escaped = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return index + 1 }
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                if depth == 0 { break }
                depth -= 1
                if depth == 0 { return index + 1 }
            } else if byte == UInt8(ascii: ","), depth == 0 {
                break
            }
            index += 1
        }
        guard !inString, depth == 0 else { throw Failure(offset: index, reason: "a value is not closed") }
        var end = index
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return end
    }

    /// The members of the JSON object in `bytes`, in order, their keys unescaped and their values raw.
    static func members(_ bytes: ArraySlice<UInt8>) throws(Failure) -> [(key: String, value: ArraySlice<UInt8>)] {
        var index = skipSpace(bytes, bytes.startIndex)
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "{") else { throw Failure(offset: index, reason: "expected '{'") }
        index = skipSpace(bytes, index + 1)
        var members: [(key: String, value: ArraySlice<UInt8>)] = []
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") {
            guard skipSpace(bytes, index + 1) == bytes.endIndex else { throw Failure(offset: index + 1, reason: "unexpected text after the object") }
            return members
        }
        while true {
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else { throw Failure(offset: index, reason: "expected a key") }
            let keyEnd = try valueEnd(bytes, from: index)
            guard let key = try? JSONDecoder().decode(String.self, from: Data(bytes[index..<keyEnd])) else {
                throw Failure(offset: index, reason: "a key is not a valid string")
            }
            index = skipSpace(bytes, keyEnd)
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") else { throw Failure(offset: index, reason: "expected ':'") }
            index = skipSpace(bytes, index + 1)
            let end = try valueEnd(bytes, from: index)
            guard end > index else { throw Failure(offset: index, reason: "missing value") }
            members.append((key, bytes[index..<end]))
            index = skipSpace(bytes, end)
            guard index < bytes.endIndex else { throw Failure(offset: index, reason: "the object is not closed") }
            if bytes[index] == UInt8(ascii: "}") {
                guard skipSpace(bytes, index + 1) == bytes.endIndex else { throw Failure(offset: index + 1, reason: "unexpected text after the object") }
                return members
            }
            guard bytes[index] == UInt8(ascii: ",") else { throw Failure(offset: index, reason: "expected ',' or '}'") }
            index = skipSpace(bytes, index + 1)
        }
    }
}
