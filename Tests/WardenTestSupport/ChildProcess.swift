import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, its standard output and error on pipes and its standard input
/// on /dev/null, or `input` when given. Foundation's `Process.run()` on Linux (swift-corelibs-foundation up to Swift 6.3) now and then
/// crashes the parent: it copies each `/proc/self/fd` entry's whole 256-byte name, reading past the end of
/// glibc's buffer (fixed upstream by swift-corelibs-foundation#5472). With tests spawning `warden` from
/// several threads it crashed a suite run, so the tests start their children here instead.
public final class ChildProcess: Sendable {
    public let processIdentifier: pid_t
    /// The read ends of the child's standard output and standard error.
    public let standardOutput: FileHandle
    public let standardError: FileHandle
    /// The raw wait status, once the child is reaped.
    private let status = Mutex<Int32?>(nil)

    public struct SpawnFailure: Error, CustomStringConvertible {
        public let executable: String
        public let code: Int32
        public var description: String { "could not start \(executable): \(String(cString: strerror(code)))" }
    }

    /// Held from creating a child's pipes to spawning it: another child spawned before the pipes are marked
    /// close-on-exec would inherit them, and a reader would wait for that child too before it sees the end.
    private static let spawning = Mutex(())

    public init(executable: String, arguments: [String], environment: [String: String], input: Data? = nil) throws {
        let (pid, out, err, write) = try Self.spawning.withLock { _ in try Self.spawn(executable, arguments, environment, input: input != nil) }
        processIdentifier = pid
        standardOutput = FileHandle(fileDescriptor: out, closeOnDealloc: true)
        standardError = FileHandle(fileDescriptor: err, closeOnDealloc: true)
        if let input, write >= 0 {
            // Written, then closed so the child sees its end (inputs here are small: a pipe holds 64 KiB).
            let handle = FileHandle(fileDescriptor: write, closeOnDealloc: true)
            handle.write(input)
            try handle.close()
        }
    }

    /// Starts the child; returns its pid, the read ends of its standard output and error, and the write end of
    /// its standard input when it reads one (-1 otherwise).
    private static func spawn(_ executable: String, _ arguments: [String], _ environment: [String: String],
                              input: Bool) throws -> (pid_t, Int32, Int32, Int32) {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0], stdin: [Int32] = [-1, -1]
        guard pipe(&out) == 0 else { throw SpawnFailure(executable: executable, code: errno) }
        guard pipe(&err) == 0, !input || pipe(&stdin) == 0 else {
            let code = errno
            for fd in out + err + stdin where fd >= 0 { close(fd) }
            throw SpawnFailure(executable: executable, code: code)
        }
        for fd in out + err + stdin where fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input { posix_spawn_file_actions_adddup2(&actions, stdin[0], 0) }
        else { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(out[1]); close(err[1])
        if input { close(stdin[0]) }
        guard code == 0 else {
            close(out[0]); close(err[0])
            if input { close(stdin[1]) }
            throw SpawnFailure(executable: executable, code: code)
        }
        return (pid, out[0], err[0], stdin[1])
    }

    deinit {
        // Reap a child that was never waited for, so it does not linger as a zombie.
        if isRunning { kill(processIdentifier, SIGKILL); waitUntilExit() }
    }

    /// Whether the child is still running (reaps it when it has ended).
    public var isRunning: Bool {
        status.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            guard waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier else { return true }
            status = raw
            return false
        }
    }

    /// Blocks until the child has ended.
    public func waitUntilExit() {
        while isRunning {
            var raw: Int32 = 0
            let reaped = waitpid(processIdentifier, &raw, 0)
            if reaped == processIdentifier { status.withLock { $0 = raw }; return }
            if reaped < 0 && errno != EINTR { return }
        }
    }

    /// Asks the child to stop (SIGTERM).
    public func terminate() { kill(processIdentifier, SIGTERM) }

    /// The exit code, or the signal that ended it; -1 while running.
    public var terminationStatus: Int32 {
        guard let raw = status.withLock({ $0 }) else { return -1 }
        return raw & 0x7F == 0 ? (raw >> 8) & 0xFF : raw & 0x7F
    }

    /// Whether it exited or was ended by a signal.
    public var terminationReason: Process.TerminationReason {
        guard let raw = status.withLock({ $0 }) else { return .exit }
        return raw & 0x7F == 0 ? .exit : .uncaughtSignal
    }
}
