import Foundation

/// Runs the built `warden` executable (it sits beside the test bundle in the build folder).
public struct Warden {
    public static let executable: URL = {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("warden")
    }()

    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let process = try start(arguments, environment: environment)
        // Read before waiting so a full pipe cannot stall the child.
        let stdout = process.standardOutput.readDataToEndOfFile()
        let stderr = process.standardError.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Starts the executable without waiting for it (stdout and stderr are pipes; read them, or the child
    /// may stall on a full pipe).
    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw MissingExecutable(path: executable.path)
        }
        // The developer's own store and LLM provider never leak into a test run.
        let inherited = ProcessInfo.processInfo.environment
            .filter { $0.key != "WARDEN_DATABASE_URL" && !$0.key.hasPrefix("WARDEN_LLM_") }
        return try ChildProcess(executable: executable.path, arguments: arguments, environment: inherited.merging(environment) { $1 })
    }

    public struct MissingExecutable: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "no warden binary at \(path): run `swift build --build-tests` and `swift build --product warden` first" }
    }
}
