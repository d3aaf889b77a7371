import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server of the test's own, which it may stop and start (the shared one of
/// `scripts/with-postgres.sh` serves every other test). Found, initialised and run as that script does:
/// the newest `/usr/lib/postgresql/*/bin`, trust auth, loopback on a free port, as `postgres` when root.
final class PrivateCluster: Sendable {
    let bin: String
    let root: String
    let port: Int
    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Nil when no PostgreSQL server is installed here.
    static func installedBin() -> String? {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
            .compactMap { name in Int(name).map { ($0, "\(base)/\(name)/bin") } }
            .filter { FileManager.default.isExecutableFile(atPath: "\($0.1)/initdb") }
        return versions.max { $0.0 < $1.0 }?.1
    }

    /// Initialises a data directory in a fresh temporary folder (not started yet).
    init(bin: String) throws {
        self.bin = bin
        root = FileManager.default.temporaryDirectory.appendingPathComponent("warden-outage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        if getuid() == 0 { try Self.run("/bin/chown", ["postgres:postgres", root]) }
        port = try Self.freePort()
        try pg("'\(bin)/initdb' -D '\(root)/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'\(root)/initdb.log' 2>&1")
    }

    /// Starts the server and returns once it accepts connections.
    func start() throws {
        try pg("'\(bin)/pg_ctl' -D '\(root)/data' -l '\(root)/server.log' -w -t 30 -o \"-c listen_addresses=127.0.0.1 -p \(port) -k '\(root)' -c fsync=off\" start >/dev/null")
    }

    /// Stops the server the way an operator's restart does: fast (connections are terminated, 57P01).
    func stop() throws {
        try pg("'\(bin)/pg_ctl' -D '\(root)/data' -m fast -w -t 30 stop >/dev/null")
    }

    /// Stops the server if it runs and removes its files.
    func destroy() {
        try? pg("'\(bin)/pg_ctl' -D '\(root)/data' -m immediate -w stop >/dev/null 2>&1")
        try? FileManager.default.removeItem(atPath: root)
    }

    private func pg(_ command: String) throws {
        if getuid() == 0 {
            try Self.run("/bin/su", ["postgres", "-s", "/bin/sh", "-c", command])
        } else {
            try Self.run("/bin/sh", ["-c", command])
        }
    }

    /// Runs a program and waits for it with `waitpid`. Not Foundation's `Process`: its wait never saw
    /// `su` end once `pg_ctl start` had left the server running as a daemon, and the test hung.
    private static func run(_ executable: String, _ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The daemon must not hold the test's output open.
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "\(executable): posix_spawn failed (\(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw Failure(description: "\(executable): waitpid failed (\(errno))") }
        }
        // WIFEXITED and WEXITSTATUS are macros Swift does not import: exited normally when the low 7 bits are 0.
        let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) ended with status \(status)")
        }
    }

    /// A loopback port nothing listens on now.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
