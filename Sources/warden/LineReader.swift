import Foundation

/// Reads a file or stdin line by line in chunks, so large inputs stream instead of loading whole.
struct LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var finished = false

    init(path: String) throws {
        if path == "-" { handle = .standardInput; return }
        guard let h = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot open \(path): no such file or not readable") }
        handle = h
    }

    /// The next line without its newline, or nil at the end.
    mutating func next() -> Data? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                return Data(line)
            }
            if finished {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = Data() }
                return buffer
            }
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
        }
    }
}
