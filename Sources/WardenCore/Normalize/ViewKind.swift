/// A normalized view of a message's text. Each view is derived from the one before it (see docs/rules.md).
public enum ViewKind: String, CaseIterable, Sendable, Codable, Hashable {
    case raw, folded, nfkc, stripped, skeleton, leet, collapsed, joined, links

    /// The view this one is derived from (nil for raw).
    public var parent: ViewKind? {
        switch self {
        case .raw: nil
        case .folded: .raw
        case .nfkc: .raw
        case .stripped: .nfkc
        case .skeleton: .stripped
        case .leet: .skeleton
        case .collapsed: .leet
        case .joined: .skeleton
        case .links: .skeleton
        }
    }

    /// Whether keywords match this view with "i" and "l" as one letter. Lookalikes cannot say which of the
    /// two they mean (UTS #39 gives capital I, l, 1 and | one skeleton, and lowercasing comes first here),
    /// nor can leetspeak ("1" and "|" are both), so the views that fold lookalikes and leetspeak read them
    /// alike; the views of the text as written match exactly.
    public var readsIAsL: Bool {
        switch self {
        case .skeleton, .leet, .collapsed, .joined: true
        default: false
        }
    }

    /// Whether the view reads lookalikes of other scripts as Latin letters (the skeleton and what derives from
    /// it): not matched for text written wholly in Greek or Cyrillic (`NormalizedText.isGreekOrCyrillicOnly`).
    public var foldsLookalikes: Bool {
        switch self {
        case .skeleton, .leet, .collapsed, .joined, .links: true
        default: false
        }
    }

    var index: Int {
        switch self {
        case .raw: 0
        case .folded: 1
        case .nfkc: 2
        case .stripped: 3
        case .skeleton: 4
        case .leet: 5
        case .collapsed: 6
        case .joined: 7
        case .links: 8
        }
    }
}
