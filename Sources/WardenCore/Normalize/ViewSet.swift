/// A set of views, closed over parents when a rule set asks for it (a view needs the one it derives from).
public struct ViewSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ kinds: some Sequence<ViewKind>) {
        var set = ViewSet()
        for kind in kinds { set.insert(ViewSet(rawValue: 1 << kind.index)) }
        self = set
    }

    public func contains(_ kind: ViewKind) -> Bool { rawValue & (1 << kind.index) != 0 }

    /// This set plus every view the members derive from.
    public var closedOverParents: ViewSet {
        var result = self
        for kind in ViewKind.allCases where contains(kind) {
            var parent = kind.parent
            while let p = parent { result.insert(ViewSet([p])); parent = p.parent }
        }
        return result
    }

    public var kinds: [ViewKind] { ViewKind.allCases.filter { contains($0) } }
}
