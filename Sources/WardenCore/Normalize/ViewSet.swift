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

    /// This set plus every view the members derive from (one table lookup per member: this runs per message).
    public var closedOverParents: ViewSet {
        var result = self
        var bits = rawValue
        while bits != 0 {
            let index = bits.trailingZeroBitCount
            result.insert(ViewSet(rawValue: Self.ancestors[index]))
            bits &= bits - 1
        }
        return result
    }

    /// For each view index, the bits of every view it derives from.
    private static let ancestors: [UInt16] = ViewKind.allCases.sorted { $0.index < $1.index }.map { kind in
        var bits: UInt16 = 0
        var parent = kind.parent
        while let p = parent { bits |= 1 << p.index; parent = p.parent }
        return bits
    }

    public var kinds: [ViewKind] { ViewKind.allCases.filter { contains($0) } }
}
