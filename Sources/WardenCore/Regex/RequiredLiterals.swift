/// Works out, from a PCRE2 pattern's text, a set of literals of which at least one must occur in any
/// match. The prefilter uses it to skip patterns that cannot match. It is conservative: when unsure it
/// returns nil ("always run the pattern"), never a wrong set.
public enum RequiredLiterals {
    /// Literals shorter than this are not selective enough to be worth it, unless nothing longer is required:
    /// then two-letter literals ("gg", "sc") still spare most messages a pattern that would run on all of them.
    static let minimumLength = 3
    static let fallbackLength = 2

    /// The most selective requirement of `requirements(of:)`.
    public static func of(_ pattern: String) -> Set<String>? { requirements(of: pattern, limit: 1)?.first }

    /// The most requirements a pattern keeps: the content stage has four candidate bits a view for them.
    public static let requirementLimit = 4

    /// Every requirement of a pattern made of one top-level branch, each a set of literals of which one must
    /// occur (so a match needs all of them: `\bquestion\s+yofelgri\b` needs "question" and "yofelgri"),
    /// the most selective first, at most `limit`. A pattern with top-level alternatives has one, the union
    /// of its branches' most selective sets.
    public static func requirements(of pattern: String, limit: Int = requirementLimit) -> [Set<String>]? {
        requirements(of: pattern, minimumLength: minimumLength, limit: limit)
            ?? requirements(of: pattern, minimumLength: fallbackLength, limit: limit)
    }

    static func requirements(of pattern: String, minimumLength: Int, limit: Int) -> [Set<String>]? {
        if usesExtendedSyntax(pattern) || pattern.contains("\\Q") { return nil }  // whitespace/quoting rules: give up
        var parser = Parser(bytes: Array(pattern.utf8), minimumLength: minimumLength)
        var union: Set<String> = []
        var branches: [[Set<String>]] = []
        while true {
            guard let best = parser.branch() else { return nil }
            branches.append(parser.lastBranchSets)
            union.formUnion(best)
            if parser.peek() == UInt8(ascii: "|") { parser.i += 1; continue }
            break
        }
        guard parser.ok, parser.i == parser.bytes.count else { return nil }
        let sets = branches.count == 1 ? branches[0] : [union]
        let usable = sets.filter { set in !set.isEmpty && set.allSatisfy { $0.utf8.count >= minimumLength } }
        guard !usable.isEmpty else { return nil }
        // Stable: equally selective sets keep their order in the pattern.
        let ranked = usable.enumerated().sorted { a, b in
            let x = Parser.score(a.element), y = Parser.score(b.element)
            return x != y ? x > y : a.offset < b.offset
        }
        return ranked.prefix(limit).map(\.element)
    }

    /// Whether an inline option group turns on extended syntax, where whitespace and `#` comments are not
    /// literal text: (?x), (?ix), (?^x), (?xx:...).
    static func usesExtendedSyntax(_ pattern: String) -> Bool {
        let bytes = Array(pattern.utf8)
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "("), bytes[i + 1] == UInt8(ascii: "?") {
                var j = i + 2
                while j < bytes.count, bytes[j] == UInt8(ascii: "^") || bytes[j] == UInt8(ascii: "-")
                        || (bytes[j] | 0x20 >= 0x61 && bytes[j] | 0x20 <= 0x7A) {
                    if bytes[j] == UInt8(ascii: "x") { return true }
                    j += 1
                }
            }
            i += 1
        }
        return false
    }

    struct Parser {
        let bytes: [UInt8]
        let minimumLength: Int
        var i = 0
        var ok = true
        /// Every required set of the branch `branch()` parsed last, in pattern order.
        var lastBranchSets: [Set<String>] = []

        static func score(_ s: Set<String>) -> Int { s.map { $0.utf8.count }.min() ?? 0 }

        init(bytes: [UInt8], minimumLength: Int) { self.bytes = bytes; self.minimumLength = minimumLength }

        static let standaloneEscapes = Set("dDsSwWbBhHvVRXAzZGKnrtfeaC".utf8)

        /// Skips the argument of escape `\e` (already consumed). False for escapes this parser does not
        /// understand (`\Q...\E`, case changes), which make the whole pattern run on every message.
        mutating func skipEscapeArgument(_ e: UInt8) -> Bool {
            func skipBraced(_ close: UInt8) { while let c = peek(), c != close { i += 1 }; i += 1 }
            func skipWhile(_ limit: Int, _ accept: (UInt8) -> Bool) { var n = 0; while n < limit, let c = peek(), accept(c) { i += 1; n += 1 } }
            let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
            let isHex: (UInt8) -> Bool = { isDigit($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
            if Self.standaloneEscapes.contains(e) { return true }
            switch e {
            case UInt8(ascii: "p"), UInt8(ascii: "P"):
                if peek() == UInt8(ascii: "{") { skipBraced(UInt8(ascii: "}")) } else { i += 1 }
            case UInt8(ascii: "x"):
                if peek() == UInt8(ascii: "{") { skipBraced(UInt8(ascii: "}")) } else { skipWhile(2, isHex) }
            case UInt8(ascii: "o"), UInt8(ascii: "N"):
                if peek() == UInt8(ascii: "{") { skipBraced(UInt8(ascii: "}")) }
            case UInt8(ascii: "c"):
                i += 1
            case UInt8(ascii: "g"):
                switch peek() {
                case UInt8(ascii: "{"): skipBraced(UInt8(ascii: "}"))
                case UInt8(ascii: "<"): skipBraced(UInt8(ascii: ">"))
                case UInt8(ascii: "'"): i += 1; skipBraced(UInt8(ascii: "'"))
                default: skipWhile(1) { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }; skipWhile(3, isDigit)
                }
            case UInt8(ascii: "k"):
                switch peek() {
                case UInt8(ascii: "{"): skipBraced(UInt8(ascii: "}"))
                case UInt8(ascii: "<"): skipBraced(UInt8(ascii: ">"))
                case UInt8(ascii: "'"): i += 1; skipBraced(UInt8(ascii: "'"))
                default: return false
                }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                skipWhile(2, isDigit)   // back-reference or octal: up to three digits in all
            default:
                return false
            }
            return true
        }

        var atEnd: Bool { i >= bytes.count }
        func peek(_ offset: Int = 0) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }

        /// Branches separated by `|` up to `)` or the end; every branch must yield a set.
        mutating func alternation() -> Set<String>? {
            var result: Set<String>? = Set()
            while true {
                let branchSet = branch()
                if let branchSet, result != nil { result?.formUnion(branchSet) } else { result = nil }
                if peek() == UInt8(ascii: "|") { i += 1; continue }
                return result
            }
        }

        /// One sequence of atoms; returns its most selective required set.
        mutating func branch() -> Set<String>? {
            var best: Set<String>? = nil
            var all: [Set<String>] = []
            var run: [UInt8] = []
            func consider(_ s: Set<String>?) {
                guard let s, !s.isEmpty else { return }
                all.append(s)
                if best == nil || Self.score(s) > Self.score(best ?? []) { best = s }
            }
            func endRun() {
                if run.count >= minimumLength { consider([String(decoding: run, as: UTF8.self)]) }
                run.removeAll(keepingCapacity: true)
            }
            while let b = peek(), b != UInt8(ascii: "|"), b != UInt8(ascii: ")") {
                switch b {
                case UInt8(ascii: "("):
                    endRun()
                    let inner = group()
                    let required = quantifier()
                    if required { consider(inner) }
                case UInt8(ascii: "["):
                    endRun(); skipClass(); _ = quantifier()
                case UInt8(ascii: "\\"):
                    i += 1
                    guard let e = peek() else { ok = false; return nil }
                    i += 1
                    if e >= 0x80 {
                        // An escaped non-ASCII character is that character: like one written plainly, it ends
                        // the run (its bytes are never half-read into a literal).
                        endRun(); while let c = peek(), c & 0xC0 == 0x80 { i += 1 }; _ = quantifier()
                    } else if isAlnum(e) {
                        // An escape that is not a plain punctuation literal ends the run; its argument, if it
                        // takes one (\p{L}, \x66, \101, \g{1}, \k<name>), is skipped, never read as literal text.
                        guard skipEscapeArgument(e) else { ok = false; return nil }
                        endRun()
                        _ = quantifier()
                    } else {
                        if literal(e, into: &run) { endRun() }
                    }
                case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"):
                    endRun(); i += 1; _ = quantifier()
                case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                    // A quantifier with nothing before it: not a pattern we understand.
                    ok = false; return nil
                default:
                    i += 1
                    if b >= 0x80 { endRun(); while let c = peek(), c & 0xC0 == 0x80 { i += 1 }; _ = quantifier(); continue }
                    if literal(b, into: &run) { endRun() }
                }
            }
            endRun()
            lastBranchSets = all
            return best
        }

        /// A literal byte; if a quantifier follows, it may vanish (`?`, `*`, `{0,`) or repeat (`+`, `{n,`).
        /// Returns true when the current run must end after it.
        mutating func literal(_ b: UInt8, into run: inout [UInt8]) -> Bool {
            let lower = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            guard let q = peek(), q == UInt8(ascii: "?") || q == UInt8(ascii: "*") || q == UInt8(ascii: "+") || q == UInt8(ascii: "{") else {
                run.append(lower); return false
            }
            if quantifier() { run.append(lower) }
            return true
        }

        /// Consumes a quantifier if present; returns whether the quantified item is still required.
        mutating func quantifier() -> Bool {
            guard let q = peek() else { return true }
            var required = true
            switch q {
            case UInt8(ascii: "?"), UInt8(ascii: "*"): required = false; i += 1
            case UInt8(ascii: "+"): i += 1
            case UInt8(ascii: "{"):
                // {n}, {n,}, {n,m} or {,m}; anything else is a literal '{' to PCRE2 (left for the caller, which
                // gives up on it), so "scam{1|hello}" is no quantifier reaching past the '|'.
                var j = i + 1, minimum = 0, digits = 0, upperDigits = 0
                func isDigit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
                while isDigit(j) { minimum = minimum * 10 + Int(bytes[j] - 0x30); j += 1; digits += 1 }
                if j < bytes.count, bytes[j] == UInt8(ascii: ",") {
                    j += 1
                    while isDigit(j) { j += 1; upperDigits += 1 }
                }
                guard digits + upperDigits > 0, j < bytes.count, bytes[j] == UInt8(ascii: "}") else { return true }
                i = j + 1
                required = minimum > 0
            default: return true
            }
            if let lazy = peek(), lazy == UInt8(ascii: "?") || lazy == UInt8(ascii: "+") { i += 1 }
            return required
        }

        /// Parses `( ... )`; returns the inner required set for capturing/non-capturing groups, nil otherwise.
        mutating func group() -> Set<String>? {
            i += 1  // (
            var usable = true
            if peek() == UInt8(ascii: "?") {
                i += 1
                switch peek() {
                case UInt8(ascii: ":"): i += 1
                case UInt8(ascii: "<") where peek(1) != UInt8(ascii: "=") && peek(1) != UInt8(ascii: "!"):
                    while let c = peek(), c != UInt8(ascii: ">") { i += 1 }; i += 1
                case UInt8(ascii: "P") where peek(1) == UInt8(ascii: "<"):
                    while let c = peek(), c != UInt8(ascii: ">") { i += 1 }; i += 1
                default:
                    // Lookarounds, comments, inline flags, atomic groups: parse through, use nothing.
                    usable = false
                    if let c = peek(), isAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "^") {
                        // Inline flags: (?i) or (?i:...)
                        while let c = peek(), isAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "^") { i += 1 }
                        if peek() == UInt8(ascii: ")") { i += 1; return nil }
                        if peek() == UInt8(ascii: ":") { i += 1; usable = true }
                    } else if peek() == UInt8(ascii: "#") {
                        while let c = peek(), c != UInt8(ascii: ")") { i += 1 }; i += 1; return nil
                    } else {
                        i += 1
                        if peek() == UInt8(ascii: "=") || peek() == UInt8(ascii: "!") { i += 1 }
                    }
                }
            }
            let inner = alternation()
            guard peek() == UInt8(ascii: ")") else { ok = false; return nil }
            i += 1
            return usable ? inner : nil
        }

        mutating func skipClass() {
            i += 1  // [
            if peek() == UInt8(ascii: "^") { i += 1 }
            if peek() == UInt8(ascii: "]") { i += 1 }
            while let c = peek() {
                if c == UInt8(ascii: "\\") { i += 2; continue }
                if c == UInt8(ascii: "["), peek(1) == UInt8(ascii: ":") {
                    i += 2
                    while let d = peek(), d != UInt8(ascii: "]") { i += 1 }
                    i += 1; continue
                }
                i += 1
                if c == UInt8(ascii: "]") { return }
            }
            ok = false
        }

        func isAlnum(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
        }
    }
}
