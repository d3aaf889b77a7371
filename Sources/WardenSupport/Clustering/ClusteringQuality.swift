import Foundation
import WardenCore

/// External quality measures of a clustering against known labels, for the fixture evaluation and the
/// benchmark. Both take parallel arrays: `assigned[i]` is item i's cluster, `truth[i]` its true label.
public enum ClusteringQuality {
    /// Fraction of items whose cluster's majority label is their own label: 1 when no cluster mixes
    /// labels. It rewards over-splitting (all singletons score 1), hence the adjusted Rand index too.
    /// Returns 0 for empty or mismatched input.
    public static func purity(assigned: [String], truth: [String]) -> Double {
        guard !assigned.isEmpty, assigned.count == truth.count else { return 0 }
        var table: [String: [String: Int]] = [:]
        for (a, t) in zip(assigned, truth) { table[a, default: [:]][t, default: 0] += 1 }
        let majority = table.values.reduce(0) { $0 + ($1.values.max() ?? 0) }
        return Double(majority) / Double(assigned.count)
    }

    /// Adjusted Rand index (Hubert & Arabie): pair agreement corrected for chance. 1 for identical
    /// partitions (up to renaming), about 0 for random ones, negative when worse than chance; it
    /// penalizes both merging and splitting. When both partitions are trivial in the same way (e.g. all
    /// singletons, or one item) the index is undefined; this returns 1 if the partitions are identical.
    /// Returns 0 for empty or mismatched input.
    public static func adjustedRandIndex(assigned: [String], truth: [String]) -> Double {
        guard !assigned.isEmpty, assigned.count == truth.count else { return 0 }
        var table: [String: [String: Int]] = [:]
        var rows: [String: Int] = [:]
        var cols: [String: Int] = [:]
        for (a, t) in zip(assigned, truth) {
            table[a, default: [:]][t, default: 0] += 1
            rows[a, default: 0] += 1
            cols[t, default: 0] += 1
        }
        func pairs(_ n: Int) -> Double { Double(n) * Double(n - 1) / 2 }
        let index = table.values.reduce(0.0) { sum, row in row.values.reduce(sum) { $0 + pairs($1) } }
        let rowPairs = rows.values.reduce(0.0) { $0 + pairs($1) }
        let colPairs = cols.values.reduce(0.0) { $0 + pairs($1) }
        let total = pairs(assigned.count)
        guard total > 0 else { return 1 }
        let expected = rowPairs * colPairs / total
        let maximum = (rowPairs + colPairs) / 2
        guard maximum != expected else {
            // Degenerate: the only attainable value is the expected one; identical partitions count as 1.
            return index == maximum ? 1 : 0
        }
        return (index - expected) / (maximum - expected)
    }
}
