/// A driver connection that can run a multi-statement script without parameters, as migrations need
/// (PostgreSQL's extended protocol, used for `execute`, accepts one statement at a time).
protocol ScriptRunning: SQLConnection {
    func runScript(_ sql: String) throws
}
