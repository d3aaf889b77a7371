/// A text a client sent holds a control character Warden does not store (see ``TextPolicy``). Nothing was
/// stored; the message names the field, the character and where it is.
public struct InvalidText: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault, as the client named it (`description`, `value.names[2]`, `content`).
    public var field: String
    /// The refused scalar's value (below 0x20).
    public var scalar: UInt32
    /// Its offset in Unicode scalars from the start of the field's text.
    public var offset: Int

    public init(field: String, scalar: UInt32, offset: Int) {
        self.field = field; self.scalar = scalar; self.offset = offset
    }

    public var description: String { "field '\(field)' \(detail)" }

    /// What is wrong, without the field's name (for messages that name the field themselves).
    public var detail: String {
        let hex = String(scalar, radix: 16, uppercase: true)
        let code = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return "holds a control character U+\(code) at offset \(offset); "
            + "text may not contain C0 controls other than tab, line feed and carriage return"
    }
}

extension InvalidText: ServiceError {
    /// The client's text: 400.
    public var httpStatus: Int { 400 }
    public var code: String { "invalid_text" }
}
