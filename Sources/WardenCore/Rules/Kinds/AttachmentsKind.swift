extension RuleType {
    /// A message's files: extensions, double extensions, content types, size.
    public static let attachments = RuleType(registered: "attachments")
}

/// `attachments`: refuses files by extension (`extensions`, or anything outside `allowed_extensions`), a
/// document extension hiding an executable one (`double_extensions: true`), `content_types` (a trailing `*`
/// is a prefix) and `max_bytes`. Matches with the file's name and what was refused as evidence.
public struct AttachmentsKind: RuleKind {
    public static let type = RuleType.attachments

    public var extensions: [String]?
    public var allowedExtensions: [String]?
    public var doubleExtensions: Bool?
    public var contentTypes: [String]?
    public var maxBytes: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case extensions, allowedExtensions = "allowed_extensions", doubleExtensions = "double_extensions"
        case contentTypes = "content_types", maxBytes = "max_bytes"
    }

    public func problems() -> [RuleKindProblem] {
        var out: [RuleKindProblem] = []
        if (extensions ?? []).isEmpty, (allowedExtensions ?? []).isEmpty, doubleExtensions != true,
           (contentTypes ?? []).isEmpty, maxBytes == nil {
            out.append(.init("extensions", "an attachments rule needs extensions, allowed_extensions, double_extensions, content_types or max_bytes"))
        }
        for (field, list) in [("extensions", extensions), ("allowed_extensions", allowedExtensions)] {
            for (i, item) in (list ?? []).enumerated() where Self.normalized(item).isEmpty || Self.normalized(item).contains(".") {
                out.append(.init("\(field)[\(i)]", "an extension of letters and digits such as exe or .exe, got '\(item)'"))
            }
        }
        for (i, item) in (contentTypes ?? []).enumerated() where !item.contains("/") {
            out.append(.init("content_types[\(i)]", "a content type such as application/x-msdownload or application/x-*, got '\(item)'"))
        }
        if let maxBytes, maxBytes < 1 { out.append(.init("max_bytes", "must be a positive number of bytes")) }
        return out
    }

    public func compile(_ rule: RuleSetBuilder.Rule, into builder: inout RuleSetBuilder) {
        builder.addAttachmentRule(AttachmentRule(id: rule.index, check: check))
    }

    /// The check this rule runs.
    public var check: AttachmentCheck {
        AttachmentCheck(deniedExtensions: Set((extensions ?? []).map(Self.normalized)),
                        allowedExtensions: Set((allowedExtensions ?? []).map(Self.normalized)),
                        doubleExtensions: doubleExtensions ?? false,
                        deniedContentTypes: (contentTypes ?? []).map { $0.lowercased() }, maxBytes: maxBytes)
    }

    static func normalized(_ text: String) -> String {
        var t = text.lowercased()
        if t.hasPrefix(".") { t.removeFirst() }
        return t
    }

    /// The match for a refused attachment of `rule`.
    static func match(_ finding: AttachmentCheck.Finding, of rule: CompiledRule) -> RuleMatch {
        RuleMatch(rule: rule.name, ruleID: rule.id, type: type, stage: .content,
                  evidence: Evidence(pattern: finding.reason, attachment: String(finding.filename.prefix(200))),
                  action: rule.definition.effectiveAction)
    }
}

/// One compiled `attachments` rule.
public struct AttachmentRule: Sendable {
    /// The rule's index in the rule set.
    public let id: Int
    public let check: AttachmentCheck
}
