import Foundation
import WardenCore

/// Why a rule pack folder could not be read at all (bad rules inside it are `RuleIssue`s instead).
public struct RulePackDirectoryError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "rule pack \(path): \(reason)" }
}

/// Reads a folder of YAML rule files (`*.yaml`, `*.yml`, in name order) and parses it as one pack.
public enum RulePackDirectory {
    public static func load(_ path: String) throws(RulePackDirectoryError) -> (rules: [PackRule], issues: [RuleIssue]) {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw RulePackDirectoryError(path: path, reason: "no such file or folder")
        }
        let files: [URL]
        if isDirectory.boolValue {
            do {
                files = try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                    .filter { ["yaml", "yml"].contains($0.pathExtension) }
                    .sorted { $0.lastPathComponent < $1.lastPathComponent }
            } catch {
                throw RulePackDirectoryError(path: path, reason: "cannot list: \(error.localizedDescription)")
            }
            if files.isEmpty { throw RulePackDirectoryError(path: path, reason: "holds no .yaml files") }
        } else {
            files = [url]
        }
        var contents: [(name: String, contents: String)] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8) else {
                throw RulePackDirectoryError(path: file.path, reason: "cannot read as UTF-8 text")
            }
            let name = isDirectory.boolValue ? (path as NSString).appendingPathComponent(file.lastPathComponent) : path
            contents.append((name, text))
        }
        return RulePack.parse(files: contents)
    }
}
