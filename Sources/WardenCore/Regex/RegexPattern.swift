import CPCRE2

/// Why a pattern did not compile, with PCRE2's message and the byte offset in the pattern.
public struct RegexCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at offset \(offset) in /\(pattern)/" }
}

/// The result of running one pattern over one view.
public enum RegexOutcome: Sendable, Equatable {
    case match(Range<Int>)
    case noMatch
    /// PCRE2 gave up (match limit, depth limit, JIT stack): the rule errored; this is never "no match".
    case failed(code: Int32, message: String)
}

/// A PCRE2 pattern compiled (and JIT-compiled) once and shared by every thread.
///
/// `@unchecked Sendable`: the compiled code is immutable after `init`, and PCRE2 documents compiled
/// patterns as safe to use from many threads at once; per-match state lives in `RegexScratch`.
public final class RegexPattern: @unchecked Sendable {
    public let source: String
    private let code: OpaquePointer
    public let isJITCompiled: Bool

    /// Compiles with UTF and case-insensitive matching (views are lowercase UTF-8).
    public init(_ pattern: String) throws(RegexCompileError) {
        source = pattern
        var errorCode: Int32 = 0
        var errorOffset = 0
        let options = UInt32(PCRE2_UTF) | UInt32(PCRE2_CASELESS)
        let compiled: OpaquePointer? = pattern.withCString { cString in
            cString.withMemoryRebound(to: UInt8.self, capacity: pattern.utf8.count) { ptr in
                pcre2_compile_8(ptr, pattern.utf8.count, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw RegexCompileError(pattern: pattern, message: Self.message(for: errorCode), offset: errorOffset)
        }
        code = compiled
        isJITCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
    }

    deinit { pcre2_code_free_8(code) }

    /// Finds the first match in `subject` (valid UTF-8) using the calling thread's scratch.
    public func firstMatch(in subject: UnsafeBufferPointer<UInt8>, scratch: RegexScratch) -> RegexOutcome {
        guard let base = subject.baseAddress else {
            // PCRE2 needs a non-null subject even when it is empty.
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { run(base: $0, count: 0, scratch: scratch) }
        }
        return run(base: base, count: subject.count, scratch: scratch)
    }

    private func run(base: UnsafePointer<UInt8>, count: Int, scratch: RegexScratch) -> RegexOutcome {
        let rc: Int32
        if isJITCompiled {
            rc = pcre2_jit_match_8(code, base, count, 0, 0, scratch.matchData, scratch.matchContext)
        } else {
            // Views are built from whole Swift scalars, so they are valid UTF-8 already.
            rc = pcre2_match_8(code, base, count, 0, UInt32(PCRE2_NO_UTF_CHECK), scratch.matchData, scratch.matchContext)
        }
        if rc >= 0, let ovector = pcre2_get_ovector_pointer_8(scratch.matchData) {
            let start = ovector[0], end = ovector[1]
            return .match(start..<max(start, end))
        }
        if rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL { return .noMatch }
        return .failed(code: rc, message: Self.message(for: rc))
    }

    /// A stable name for a PCRE2 failure, for decisions and alerts.
    public static func failureCode(_ code: Int32) -> String {
        switch code {
        case PCRE2_ERROR_MATCHLIMIT: "match_limit"
        case PCRE2_ERROR_DEPTHLIMIT: "depth_limit"
        case PCRE2_ERROR_HEAPLIMIT: "heap_limit"
        case PCRE2_ERROR_JIT_STACKLIMIT: "jit_stack_limit"
        default: "pcre2_error_\(-code)"
        }
    }

    static func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return length > 0 ? String(decoding: buffer[0..<Int(length)], as: UTF8.self) : "PCRE2 error \(code)"
    }
}
