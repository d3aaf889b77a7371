import Foundation
import Testing
@testable import WardenStore
@testable import WardenSupport
import WardenTestSupport

/// The transcript renderer against hostile ticket text, without a store: every form must show the text as
/// written and let none of it become markup, a link, a script or a hidden reordering.
@Suite("Ticket transcripts") struct TranscriptRendererTests {
    static let member: Int64 = 1_200_000_000_000_000_042
    static let staff: Int64 = 1_300_000_000_000_000_077
    static let start = Date(timeIntervalSince1970: 1_795_176_000)

    /// What members (and one staff member) might write to break a transcript.
    static let hostile: [String] = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)' data-x=\"",
        "</style><script>alert(2)</script><style>body{display:none}",
        "</div></li></ol></main><h1>Forged heading</h1><a href=\"https://evil.example\">login</a>",
        "&lt;b&gt; is not bold; &amp; stays &#x3C;script&#x3E;",
        "# Heading\n## Sub\nSetext\n===\nAnother\n---\n***",
        "[click me](https://evil.example/login) ![img](https://evil.example/x.png) <https://evil.example> https://evil.example/path www.evil.example mail@evil.example",
        "[ref]: https://evil.example\n[ref] and [^1]\n\n[^1]: footnote",
        "| a | b |\n|---|---|\n| c | d |",
        "*em* **strong** _u_ ~~strike~~ `code` ```fence``` - [ ] task",
        "    indented code\n\tand a tab",
        "1. list\n- item\n+ item\n> quote\n\n\nafter blank lines",
        "<b>raw html</b> <!-- comment --> <div onclick=x>x</div> <?php ?> <![CDATA[x]]>",
        "line that ends with a backslash \\\nnext line",
        "### 9. staff 1, 2026-01-01T00:00:00Z\n> forged message from staff",
        "invoice\u{202E}fdp.exe, \u{2066}isolated\u{2069}, zero\u{200B}width, \u{FEFF}bom, line\u{2028}separator, \u{200F}rlm",
        "family 👨‍👩‍👧 flag 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} smuggled \u{E0041}\u{E0042} blank \u{3164} soft\u{00AD}hyphen",
        "Screenshot: https://cdn.discordapp.com/attachments/1/2/report.png?ex=1&is=2\" onerror=\"alert(3) and HTTP://Example.com/a.",
        "windows\r\nline\rends",
        "runs of at signs: a@@b, @@@ alone, `@` in backticks, a\\@b",
    ]

    static var transcript: TicketTranscript {
        let ticket = TicketRepository.Ticket(
            id: 7, guildID: 1_100_000_000_000_000_001, userID: member, username: "sam\"><script>x</script>\n# not a heading \u{202E}",
            description: hostile[0], status: "closed", channelID: 55, claimedBy: staff, claimedAt: start, escalatedTo: nil,
            createdAt: start, updatedAt: start, closedAt: start.addingTimeInterval(600), archivedAt: nil, archivedBy: nil)
        let messages = hostile.enumerated().map { index, text in
            TicketRepository.Message(id: Int64(index + 1), ticketID: 7, authorID: index == 4 ? staff : member, content: text,
                                     createdAt: start.addingTimeInterval(Double(index)))
        }
        let suggestion = FAQSuggestionRepository.Suggestion(
            id: 1, guildID: 1_100_000_000_000_000_001, ticketID: 7, entryID: 3, rank: 1, score: 2.5, suggestedAt: start,
            outcome: .solved, outcomeAt: start, title: "<b>Reset</b> [2FA](javascript:alert(1)) \"quoted\"", summary: "s")
        return TicketTranscript(ticket: ticket, messages: messages, suggestions: [suggestion])
    }

    // MARK: HTML

    @Test func htmlEscapesEveryMemberTextAndCarriesNoScript() throws {
        let t = Self.transcript
        let html = TranscriptRenderer(t).html()
        let lower = html.lowercased()
        #expect(!lower.contains("<script"), "no script element, ever")
        #expect(!lower.contains("<img") && !lower.contains("<a ") && !lower.contains("<!--") && !lower.contains("<?"))
        #expect(lower.components(separatedBy: "<style").count == 2 && lower.components(separatedBy: "</style").count == 2,
                "one style element: a member's </style> cannot close it")
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), "a quote cannot end an attribute")
        #expect(html.contains("&#39; onmouseover=&#39;alert(1)&#39;"))
        #expect(html.contains("&amp;lt;b&amp;gt; is not bold; &amp;amp; stays &amp;#x3C;script&amp;#x3E;"), "entities stay text")

        // Every tag is ours: member text holds no '<' once escaped, so the markup is the template's alone.
        let allowedTags: Set<String> = ["html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "dl", "dt", "dd", "p",
                                        "ol", "ul", "li", "span", "bdi", "time", "div"]
        let allowedAttributes: Set<String> = ["lang", "charset", "http-equiv", "content", "name", "class", "dir", "datetime", "title"]
        let tags = Self.matches(#"<(/?)([A-Za-z][A-Za-z0-9]*)([^>]*)>"#, in: html)
        #expect(!tags.isEmpty)
        for tag in tags {
            #expect(allowedTags.contains(tag[2].lowercased()), "unexpected tag <\(tag[2])>")
            for attribute in Self.matches(#"([A-Za-z-]+)="[^"]*""#, in: tag[3]) {
                #expect(allowedAttributes.contains(attribute[1].lowercased()), "unexpected attribute \(attribute[1]) in <\(tag[2])>")
            }
            let leftover = tag[3].replacingOccurrences(of: #"\s*[A-Za-z-]+="[^"]*""#, with: "", options: .regularExpression)
            #expect(leftover.trimmingCharacters(in: .whitespaces).isEmpty, "unquoted attribute text in <\(tag[2])\(tag[3])>")
        }
        #expect(html.components(separatedBy: "<li class=\"message ").count - 1 == t.messages.count)
        #expect(html.components(separatedBy: "<li class=\"message staff\"").count - 1 == 1)

        // Each message reads as written, invisible characters shown as markers.
        let bodies = Self.matches(#"<div class="text" dir="auto">(.*?)</div>\n"#, in: html, dotAll: true).map { $0[1] }
        #expect(bodies.count == t.messages.count)
        for (body, message) in zip(bodies, t.messages) {
            let text = Self.decodeEntities(body.replacingOccurrences(of: #"<span class="hidden-char" title="invisible character">"#, with: "")
                .replacingOccurrences(of: "</span>", with: ""))
            #expect(text == Self.visible(message.content))
        }

        // Invisible characters: reordering and hiding ones become visible; emoji sequences stay whole.
        for scalar: Unicode.Scalar in ["\u{202E}", "\u{2066}", "\u{2069}", "\u{200B}", "\u{FEFF}", "\u{2028}", "\u{200F}", "\u{E0041}", "\u{3164}", "\u{00AD}"] {
            #expect(!html.unicodeScalars.contains(scalar), "U+\(String(scalar.value, radix: 16, uppercase: true)) is written raw")
        }
        #expect(html.contains(">[U+202E]</span>") && html.contains(">[U+E0041]</span>"))
        #expect(html.contains("👨‍👩‍👧") && html.contains("🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"))
        #expect(html.contains("(<bdi>sam&quot;&gt;&lt;script&gt;x&lt;/script&gt;\n# not a heading <span class=\"hidden-char\""))

        // Attachments are listed as text, never linked or fetched.
        #expect(html.contains("<li>https://cdn.discordapp.com/attachments/1/2/report.png?ex=1&amp;is=2</li>"))
        #expect(html.contains("<li>HTTP://Example.com/a</li>"))
    }

    @Test func htmlPolicyForbidsScriptsAndAllowsOnlyItsOwnStyle() throws {
        let html = TranscriptRenderer(Self.transcript).html()
        let policy = try #require(Self.matches(#"<meta http-equiv="Content-Security-Policy" content="([^"]*)">"#, in: html).first?[1])
        #expect(policy.contains("default-src 'none'") && !policy.contains("script-src") && !policy.contains("unsafe"))
        #expect(html.range(of: "Content-Security-Policy")!.lowerBound < html.range(of: "<title>")!.lowerBound, "the policy comes before any content")
        // The style element's hash, computed by another implementation, is the one the policy allows.
        let style = try #require(Self.matches(#"<style>(.*?)</style>"#, in: html, dotAll: true).first?[1])
        let digest = try Self.sha256Base64(style)
        #expect(policy.contains("style-src 'sha256-\(digest)'"))
    }

    // MARK: Markdown

    @Test func markdownShowsMemberTextAsWrittenAndCreatesNoStructure() throws {
        let t = Self.transcript
        let markdown = TranscriptRenderer(t).markdown()
        #expect(markdown.contains("> \\[click me\\]\\(https\\:\\/\\/evil\\.example\\/login\\)"))
        #expect(markdown.contains("> \\#\\#\\# 9\\. staff 1\\, 2026\\-01\\-01T00\\:00\\:00Z\\"), "a forged message heading is escaped")
        #expect(markdown.contains("> &#32;&#32;&#32;&#32;indented code\\"), "leading spaces cannot make a code block")
        for scalar: Unicode.Scalar in ["\u{202E}", "\u{2066}", "\u{200B}", "\u{FEFF}", "\u{2028}", "\u{E0041}"] {
            #expect(!markdown.unicodeScalars.contains(scalar))
        }
        #expect(markdown.contains("invoice\\[U\\+202E\\]fdp\\.exe"))

        // GitHub's own renderer, with raw HTML allowed and every extension on: only our structure comes out.
        let rendered = try Self.cmark(markdown)
        let tags = Set(Self.matches(#"<([A-Za-z][A-Za-z0-9]*)"#, in: rendered).map { $0[1].lowercased() })
        // `code`: the `@` of an e-mail address is a code span, so no renderer links the address.
        #expect(tags.isSubset(of: ["h1", "h2", "h3", "p", "ul", "li", "blockquote", "br", "code"]), "unexpected elements: \(tags.sorted())")
        let codeSpans = Self.matches(#"<code>(.*?)</code>"#, in: rendered).map { $0[1] }
        #expect(rendered.components(separatedBy: "<code>").count - 1 == codeSpans.count)
        #expect(codeSpans.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 == "@" } }, "code spans hold only at signs: \(codeSpans)")
        #expect(codeSpans.contains("@@@"), "a run of at signs is one span")
        #expect(rendered.components(separatedBy: "<h1>").count - 1 == 1)
        #expect(rendered.components(separatedBy: "<h2>").count - 1 == 2)
        #expect(rendered.components(separatedBy: "<h3>").count - 1 == t.messages.count)
        #expect(!rendered.contains("href=\"") && !rendered.contains("src=\"") && !rendered.contains("<a ") && !rendered.contains("<img"))

        // And each quote reads as the message did (whitespace aside: Markdown folds it).
        let quotes = Self.matches(#"<blockquote>\n(.*?)</blockquote>"#, in: rendered, dotAll: true).map { $0[1] }
        #expect(quotes.count == t.messages.count)
        for (quote, message) in zip(quotes, t.messages) {
            let text = Self.decodeEntities(quote.replacingOccurrences(of: "<br />", with: "\n")
                .replacingOccurrences(of: #"<[^>]+>"#, with: "", options: .regularExpression))
            #expect(Self.folded(text) == Self.folded(Self.visible(message.content)), "message \(message.id)")
        }
        let suggestion = try #require(Self.matches(#"<h2>FAQ answers suggested</h2>\n<ul>\n<li>(.*?)</li>"#, in: rendered, dotAll: true).first?[1])
        #expect(Self.decodeEntities(suggestion) == "1. entry 3: <b>Reset</b> [2FA](javascript:alert(1)) \"quoted\" (the member said it solved the ticket)")
    }

    // MARK: JSON

    @Test func jsonKeepsTextExactlyAndEscapesWhatCouldEndAPageOrHide() throws {
        let t = Self.transcript
        let json = TranscriptRenderer(t).json()
        for forbidden in ["<", ">", "&"] { #expect(!json.contains(forbidden)) }
        for scalar: Unicode.Scalar in ["\u{202E}", "\u{200B}", "\u{2028}", "\u{E0041}"] { #expect(!json.unicodeScalars.contains(scalar)) }
        #expect(json.contains(#"\u003cscript\u003e"#) && json.contains(#"\u202e"#) && json.contains(#"\udb40\udc41"#))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["format"] as? String == "warden.ticket_transcript.v1")
        let ticket = try #require(document["ticket"] as? [String: Any])
        #expect(ticket["user_id"] as? String == "1200000000000000042" && ticket["username"] as? String == t.ticket.username)
        let messages = try #require(document["messages"] as? [[String: Any]])
        #expect(messages.compactMap { $0["content"] as? String } == t.messages.map(\.content), "the exact text, every character")
        #expect(messages.compactMap { $0["author_role"] as? String }.filter { $0 == "staff" }.count == 1)
        #expect(messages[18]["attachments"] as? [String] == ["https://cdn.discordapp.com/attachments/1/2/report.png?ex=1&is=2", "HTTP://Example.com/a"])
        #expect(messages[7]["attachments"] as? [String] == ["https://evil.example/login", "https://evil.example/x.png", "https://evil.example",
                                                            "https://evil.example/path"])
        let suggestions = try #require(document["faq_suggestions"] as? [[String: Any]])
        #expect(suggestions.first?["outcome"] as? String == "solved" && suggestions.first?["entry_id"] as? Int == 3)
    }

    @Test func urlsAreFoundWhereTheyStartAndEndWithoutTrailingPunctuation() {
        #expect(TranscriptText.urls(in: "see https://a.example/x, then (https://b.example/y). and xhttps://no.example") ==
                ["https://a.example/x", "https://b.example/y"])
        #expect(TranscriptText.urls(in: "https:// alone, ftp://c.example, http://d.example/\u{202E}evil") == ["http://d.example/"])
        #expect(TranscriptText.urls(in: "twice https://e.example https://e.example") == ["https://e.example"])
        #expect(TranscriptText.isFlagTagSequence("🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}"))
        #expect(!TranscriptText.isFlagTagSequence("a\u{E0041}\u{E007F}"))
    }

    // MARK: Helpers

    /// What the renderers promise a reader sees: line ends made LF, hidden scalars as [U+XXXX].
    static func visible(_ text: String) -> String { TranscriptText.visible(text) }

    static func folded(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func decodeEntities(_ text: String) -> String {
        var out = text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#32;", " "), ("&#9;", "\t")] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out.replacingOccurrences(of: "&amp;", with: "&")
    }

    static func matches(_ pattern: String, in text: String, dotAll: Bool = false) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: dotAll ? [.dotMatchesLineSeparators] : []) else { return [] }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { match in
            (0..<match.numberOfRanges).map { match.range(at: $0).location == NSNotFound ? "" : ns.substring(with: match.range(at: $0)) }
        }
    }

    /// Runs a program with `input` on its standard input and returns its standard output.
    static func run(_ program: String, _ arguments: [String], input: String) throws -> String {
        let candidates = ["/usr/bin/" + program, "/usr/local/bin/" + program]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ToolMissing(program: program)
        }
        let process = try ChildProcess(executable: path, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                                       input: Data(input.utf8))
        let data = process.standardOutput.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func cmark(_ markdown: String) throws -> String {
        try run("cmark-gfm", ["--unsafe", "--extension", "autolink", "--extension", "table", "--extension", "strikethrough",
                              "--extension", "tasklist", "--extension", "footnotes"], input: markdown)
    }

    static func sha256Base64(_ text: String) throws -> String {
        let hex = try run("sha256sum", [], input: text).prefix(64)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return Data(bytes).base64EncodedString()
    }

    struct ToolMissing: Error, CustomStringConvertible {
        let program: String
        var description: String { "\(program) is not installed: scripts/setup.sh installs it (apt-get install cmark-gfm)" }
    }
}
