import Testing
import Foundation
@testable import WardenCore

@Suite struct RegexTests {
    func run(_ pattern: String, _ subject: String) throws -> RegexOutcome {
        let regex = try RegexPattern(pattern)
        let bytes = Array(subject.utf8)
        return bytes.withUnsafeBufferPointer { regex.firstMatch(in: $0, scratch: .current) }
    }

    @Test func matchesReturnTheSpan() throws {
        #expect(try run(#"free\s*nitro"#, "get FREE nitro now") == .match(4..<14))
        #expect(try run(#"free\s*nitro"#, "nothing here") == .noMatch)
        #expect(try run(#"x"#, "") == .noMatch)
    }

    @Test func compileErrorsCarryPCRE2sOffset() {
        #expect(throws: RegexCompileError.self) { try RegexPattern("free(nitro") }
        let error: RegexCompileError?
        do { _ = try RegexPattern("ab[c"); error = nil } catch let e { error = e }
        #expect(error?.offset == 4)
        #expect(error?.message.contains("missing") == true)
    }

    @Test func catastrophicPatternStopsAtTheMatchLimit() throws {
        let subject = String(repeating: "a", count: 4000) + "!"
        let started = ContinuousClock.now
        let outcome = try run("(a+)+$", subject)
        let elapsed = ContinuousClock.now - started
        guard case .failed(let code, let message) = outcome else {
            Issue.record("expected a limit failure, got \(outcome)"); return
        }
        #expect(code == -47, "\(message)")
        // Bounded: without the limit this takes many seconds; generous bound for debug builds under load.
        #expect(elapsed < .seconds(2))
    }

    @Test func scratchIsPerThreadAndPatternsAreShared() async throws {
        let regex = try RegexPattern(#"steam\s*gift"#)
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let bytes = Array((i % 2 == 0 ? "free steam gift \(i)" : "hello \(i)").utf8)
                    let outcome = bytes.withUnsafeBufferPointer { regex.firstMatch(in: $0, scratch: .current) }
                    if case .match = outcome { return i % 2 == 0 }
                    return i % 2 == 1
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
    }
}

@Suite struct RequiredLiteralsTests {
    @Test func extractsTheMostSelectiveRequiredLiteral() {
        #expect(RequiredLiterals.of(#"free\s*nitro"#) == ["nitro"])
        #expect(RequiredLiterals.of(#"discord\.gg/[a-z0-9]+"#) == ["discord.gg/"])
        #expect(RequiredLiterals.of(#"(?:steam|stearn)community"#) == ["community"])
        #expect(RequiredLiterals.of(#"(?i)(free|cheap) nitro"#) == [" nitro"])
        #expect(RequiredLiterals.of(#"(?:discord\.gift|dsc\.gg)"#) == ["discord.gift", "dsc.gg"])
    }

    @Test func optionalPartsAreNeverRequired() {
        #expect(RequiredLiterals.of(#"colou?r"#) == ["colo"])
        #expect(RequiredLiterals.of(#"(?:nitro)?x"#) == nil)
        #expect(RequiredLiterals.of(#"a|bcd"#) == nil)
        #expect(RequiredLiterals.of(#"[a-z]+\d{3}"#) == nil)
        #expect(RequiredLiterals.of(#"(?=nitro)n"#) == nil)
    }

    @Test func escapeArgumentsAreSkippedNotReadAsLiterals() {
        #expect(RequiredLiterals.of(#"\x66ree\s+stuff"#) == ["stuff"])
        #expect(RequiredLiterals.of(#"\p{Cf}nitro"#) == ["nitro"])
        #expect(RequiredLiterals.of(#"\pLgift"#) == ["gift"])
        #expect(RequiredLiterals.of(#"(a)\1bcdef"#) == ["bcdef"])
        #expect(RequiredLiterals.of(#"\Qnitro\E"#) == nil)
    }

    /// A pattern of one top-level branch needs every literal run and group it requires; alternatives at the
    /// top need one of their branches' sets.
    @Test func everyRequirementOfASingleBranch() {
        #expect(RequiredLiterals.requirements(of: #"\bquestion\s+yofelgri\b"#) == [["question"], ["yofelgri"]])
        #expect(RequiredLiterals.requirements(of: #"free\s*nitro"#) == [["nitro"], ["free"]])
        #expect(RequiredLiterals.requirements(of: #"(?:discord\.gift|dsc\.gg)"#) == [["discord.gift", "dsc.gg"]])
        #expect(RequiredLiterals.requirements(of: #"free nitro|gift\s+card"#) == [["free nitro", "gift"]])
        #expect(RequiredLiterals.requirements(of: #"colou?r\s+me"#) == [["colo"]])
        #expect(RequiredLiterals.requirements(of: #"(?:nitro)?x"#) == nil)
        #expect(RequiredLiterals.requirements(of: #"a(?=bcd)efg|hij"#) == [["efg", "hij"]])
        // What the parser cannot be sure of gives no requirement: extended syntax turned on by any option
        // group, a '{' that is no quantifier; an escaped non-ASCII letter is a letter, never half a literal.
        #expect(RequiredLiterals.requirements(of: #"(?ix)giftcard\s+ab c"#) == nil)
        #expect(RequiredLiterals.requirements(of: #"(?^x:gift card)"#) == nil)
        #expect(RequiredLiterals.requirements(of: #"scam{1|hello}"#) == nil)
        #expect(RequiredLiterals.requirements(of: #"giftcard\s+abc\é"#) == [["giftcard"], ["abc"]])
        #expect(RequiredLiterals.requirements(of: #"nitro{2,}x{,3}gift"#) == [["nitro"], ["gift"]])
        // At most four, the most selective first, ties in pattern order.
        #expect(RequiredLiterals.requirements(of: #"aaa\dbbb\dccc\dddd\deeee"#) == [["eeee"], ["aaa"], ["bbb"], ["ccc"]])
    }

    /// A pattern with no required literal of three letters is prefiltered on two-letter ones rather than
    /// run on every message; with no required literal at all it still runs everywhere.
    @Test func twoLetterLiteralsOnlyWhenNothingLongerIsRequired() {
        #expect(RequiredLiterals.of(#"st[e3]{1,2}am"#) == ["st"])
        #expect(RequiredLiterals.of(#"(?!discord)d(?:sc|cs)[o0]r"#) == ["sc", "cs"])
        #expect(RequiredLiterals.of(#"\bdsc\s*[^\w\s]\s*gg/"#) == ["dsc"])
        #expect(RequiredLiterals.of(#"[il]nv[il]te\s*[^\w\s]\s*gg\s*/"#) == ["nv"])
        #expect(RequiredLiterals.of(#"a|bc"#) == nil)
        #expect(RequiredLiterals.of(#"[a-z]\.[a-z]{2,}"#) == nil)
    }
}

@Suite struct LiteralScannerTests {
    @Test func findsEveryOccurrenceIncludingOverlaps() {
        let scanner = LiteralScanner(literals: ["he", "she", "his", "hers"].map { Array($0.utf8) })
        var found: [(Int, Int)] = []
        let text = Array("ushers".utf8)
        text.withUnsafeBufferPointer { buf in scanner.scan(buf) { found.append(($0, $1)) } }
        let ids = found.map(\.0).sorted()
        #expect(ids == [0, 1, 3])
        #expect(found.contains { $0.0 == 3 && $0.1 == 6 })
    }
}

/// The prefilter must never change a result: every rule set here gives the same matches with it as
/// running every pattern on every view.
@Suite struct PrefilterEquivalenceTests {
    static let patterns = [
        #"free\s*nitro"#, #"\x66ree\s+stuff"#, #"\101bcdef"#, #"(?:steam|stearn)\s*gift"#, #"colou?r\s+me"#,
        #"buy\s+now"#, #"\bdisc[o0]rd\.gg/\w+"#, #"a{2,}rgh"#, #"(?i)hello(?=\s+world)"#, #"[xyz]+ogen"#,
        #"\pL\pL\pLfree"#, #"gift(?:card)?s?\s+\d+"#, #"n[i1]tro"#, #"cl(?:ai|ia)m\s+(?:now|here)"#,
        #"\x{66}ree\s+stuff"#, #"(?:https?://|www\.)[a-z.]*\p{Cf}(?=[a-z])"#, #"(a)\1bcd"#, #"\p{L}{3}free"#,
        #"(?<w>gift)\k<w>"#, #"\Qfree\E nitro"#,
        #"\bquestion\s+yofelgri\b"#, #"(?:gift|free)\s+(?:nitro|steam)\s+now"#, #"steam\s+giftcard"#,
        #"giftcard\s+ab\é"#, #"(?ix)giftcard\s+ab c"#, #"scam{1|hello}"#,
        // Prefiltered on two-letter literals only.
        #"st[e3]{1,2}[a4]?m[a-z]*\.[a-z]{2,}"#, #"(?!discord)d(?:[il1]|ii)?(?:sc|cs)[o0]r[a-z]*\.[a-z]{2,}"#,
        #"\b(?:dsc|[il]nv[il]te)\s*[^\w\s?!,;:]\s*gg\s*/\s*[a-z0-9-]{2,32}"#,
    ]
    static let texts = [
        "get free nitro now", "\u{66}ree stuff here", "abcdef", "steam gift", "stearngift", "colour me", "color me",
        "Buy now", "BUY NOW please", "disc0rd.gg/abc", "aaaargh", "hello world", "nitrogen", "xyzogen", "abcfree",
        "giftcards 20", "gift 5", "n1tro", "claim here", "clam now", "nothing at all", "", "ｆｒｅｅ ｎｉｔｒｏ",
        "https://disc\u{200B}ord.gg", "aabcd", "giftgift", "free nitro",
        "ſteam giftcard", "giftcard abé", "giftcard abc", "hello}", "scamm",
        "question yofelgri", "a question", "yofelgri question", "free steam now", "gift now nitro", "nitro free now",
        "st3am.gift", "STEEAM.com", "d1scor.ru", "dcsor-nitro.xyz", "discord.com", "lnvite: gg/abc", "dsc . gg / xyz",
    ]

    @Test(arguments: [[ViewKind.skeleton, .leet, .joined], [.raw], [.folded, .links]])
    func prefilteredMatchesEqualRunningEveryPattern(_ views: [ViewKind]) throws {
        var definitions: [RuleDefinition] = []
        for (i, p) in Self.patterns.enumerated() {
            var rule = RuleDefinition(name: "r\(i)", config: RegexKind(patterns: [p]))
            rule.views = views
            definitions.append(rule)
        }
        let set = CompiledRuleSet(rules: definitions.map { RuleSource(id: nil, definition: $0) })
        #expect(set.issues.isEmpty)
        let regexes = try Self.patterns.map { try RegexPattern($0) }
        let normalizer = Normalizer()
        for text in Self.texts {
            let normalized = normalizer.normalize(text, views: set.views)
            let got = Set(ContentStage().evaluate(normalized, channel: Snowflake(1), roles: [], rules: set, scratch: .current).matches.map(\.rule))
            var want: Set<String> = []
            for (i, regex) in regexes.enumerated() {
                for kind in views {
                    guard let view = normalized.view(kind) else { continue }
                    if case .match = view.bytes.withUnsafeBufferPointer({ regex.firstMatch(in: $0, scratch: .current) }) {
                        want.insert("r\(i)"); break
                    }
                }
            }
            #expect(got == want, "text \(text.debugDescription) on \(views)")
        }
    }
}
