import CPCRE2
#if canImport(Glibc)
import Glibc
#endif

/// Per-thread PCRE2 state: match data, a match context with limits, and a JIT stack. Creating these per
/// call costs 20-50% of a match, and they are not thread-safe, so each thread keeps one (`current`).
public final class RegexScratch {
    /// Backtracking steps before PCRE2 gives up. `(a+)+$` on 4,000 bytes stops in well under a millisecond.
    public static let matchLimit: UInt32 = 100_000
    public static let depthLimit: UInt32 = 5_000
    /// The default 32 KiB JIT stack fails on some patterns over 1,500-byte subjects; 4,000-byte messages need more.
    public static let jitStackMax = 1 << 20

    let matchData: OpaquePointer
    let matchContext: OpaquePointer
    private let jitStack: OpaquePointer?

    /// Per-message working buffers of the content stage, reused so a message allocates none of them.
    /// Per pattern, which of its required literals each view holds (`ContentStage`: four bits a view).
    var candidates: [UInt64] = []
    var matched: [Bool] = []

    public init() {
        // One ovector pair is enough: rules only need the overall span. PCRE2 returns 0 (not an error) when
        // a pattern has more groups than fit, and the overall span is still set.
        guard let data = pcre2_match_data_create_8(1, nil), let context = pcre2_match_context_create_8(nil) else {
            fatalError("PCRE2 could not allocate match data: out of memory")
        }
        matchData = data
        matchContext = context
        pcre2_set_match_limit_8(context, Self.matchLimit)
        pcre2_set_depth_limit_8(context, Self.depthLimit)
        jitStack = pcre2_jit_stack_create_8(32 * 1024, Self.jitStackMax, nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(matchContext)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    /// The calling thread's scratch, created on first use and freed when the thread exits.
    public static var current: RegexScratch {
        let key = ScratchKey.shared.key
        if let existing = pthread_getspecific(key) {
            return Unmanaged<RegexScratch>.fromOpaque(existing).takeUnretainedValue()
        }
        let scratch = RegexScratch()
        pthread_setspecific(key, Unmanaged.passRetained(scratch).toOpaque())
        return scratch
    }
}

/// The pthread key under which each thread keeps its scratch.
private final class ScratchKey: Sendable {
    static let shared = ScratchKey()
    let key: pthread_key_t
    private init() {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<RegexScratch>.fromOpaque(pointer).release()
        }
        self.key = key
    }
}
