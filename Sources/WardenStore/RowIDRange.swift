/// The ids a 32-bit row id column can hold. Most tables' ids are SERIAL in the schema (as in the bots the
/// schema follows); PostgreSQL refuses a larger number in a comparison with them (SQLSTATE 22003) where
/// SQLite finds nothing, so callers refuse one outside this range as "not found" before asking the store.
public enum RowIDRange {
    /// Ids of SERIAL tables: appeals, tickets, FAQ proposals, verifications, API tokens, settings history.
    public static let serial: ClosedRange<Int64> = 1...Int64(Int32.max)
}
