/// One numbered schema change for one dialect: a script of statements without parameters.
struct Migration: Sendable {
    let version: Int
    let name: String
    let sql: String
}
