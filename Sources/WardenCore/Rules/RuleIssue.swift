/// A problem with one rule (or one file) of a pack: where it is and what is wrong.
public struct RuleIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// The rule's name, or `#N` (1-based position in the file) when it has none.
    public var rule: String?
    /// The field at fault, e.g. `patterns[2]` or `action.severity`.
    public var field: String?
    public var message: String
    /// For regex compile errors: PCRE2's byte offset in the pattern.
    public var offset: Int?
    /// The stable error code of a problem that has its own outside rules (`invalid_text`: ``TextPolicy``);
    /// nil for the rule checks proper.
    public var code: String?

    public init(file: String, rule: String? = nil, field: String? = nil, message: String, offset: Int? = nil, code: String? = nil) {
        self.file = file; self.rule = rule; self.field = field; self.message = message; self.offset = offset; self.code = code
    }

    public var description: String {
        var text = file
        if let rule { text += ": rule '\(rule)'" }
        if let field { text += " \(field)" }
        text += ": \(message)"
        return text
    }
}

extension Array where Element == String {
    /// "a, b or c" (`conjunction` "or"), for error messages that list the choices a registry holds.
    public func listed(_ conjunction: String) -> String {
        guard count > 1, let last else { return first ?? "" }
        return dropLast().joined(separator: ", ") + " \(conjunction) " + last
    }
}
