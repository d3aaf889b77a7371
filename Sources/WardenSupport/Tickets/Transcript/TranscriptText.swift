import Foundation

/// How member-controlled text is made safe in each form of a transcript. Pure functions, shared by the
/// three renderers and by the console's pages (`html`, `escapeHTML`, `visible`).
///
/// Invisible characters that can reorder or hide text (bidirectional controls, zero-width spaces, invisible
/// format characters, tag characters, C1 controls, line and paragraph separators, blank-looking fillers) are
/// shown as `[U+202E]` in Markdown and HTML, and written as `\u` escapes in JSON, so a reader sees that they are
/// there. Kept as they are: the zero-width joiner and non-joiner (emoji sequences and several scripts need them),
/// emoji variation selectors, and the tag characters of a flag emoji such as Scotland's.
public enum TranscriptText {
    /// Whether a scalar is shown as a `[U+XXXX]` marker rather than written.
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0x7F...0x9F: true     // controls (tab, LF and CR are handled apart)
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E: true
        case 0x200B, 0x200E, 0x200F: true                               // zero-width space, LRM, RLM
        case 0x2028, 0x2029: true                                       // line and paragraph separators
        case 0x202A...0x202E, 0x2060...0x206F: true                     // embeddings, overrides, isolates, invisible operators
        case 0x2800, 0x3164, 0xFEFF, 0xFFA0, 0xFFF9...0xFFFB: true      // blank fillers, BOM, interlinear annotations
        case 0x1D173...0x1D17A: true                                    // musical formatting controls
        case 0xE0000...0xE007F, 0xE0100...0xE01EF: true                 // tags, supplementary variation selectors
        default: false
        }
    }

    /// The marker that stands for a hidden scalar.
    static func marker(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "[U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
    }

    /// A piece of text: written as it is, or a hidden scalar to show as a marker.
    enum Piece: Equatable {
        case text(String)
        case hidden(Unicode.Scalar)
    }

    /// The text with CR LF and lone CR made LF, cut into written runs and hidden scalars. A flag emoji's tag
    /// sequence (a black flag followed by tag letters and a cancel tag) stays written.
    static func pieces(_ text: String) -> [Piece] {
        var out: [Piece] = []
        var run = ""
        for character in text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") {
            if isFlagTagSequence(character) { run.append(character); continue }
            for scalar in character.unicodeScalars {
                if isHidden(scalar) {
                    if !run.isEmpty { out.append(.text(run)); run = "" }
                    out.append(.hidden(scalar))
                } else {
                    run.unicodeScalars.append(scalar)
                }
            }
        }
        if !run.isEmpty { out.append(.text(run)) }
        return out
    }

    /// The text as a reader of a plain-text view should see it: hidden scalars replaced by their markers.
    public static func visible(_ text: String) -> String {
        pieces(text).map { piece in
            switch piece {
            case .text(let t): t
            case .hidden(let s): marker(s)
            }
        }.joined()
    }

    /// 🏴 U+1F3F4, then 1 to 6 tag letters or digits, then CANCEL TAG U+E007F: a subdivision flag.
    static func isFlagTagSequence(_ character: Character) -> Bool {
        let scalars = Array(character.unicodeScalars)
        guard scalars.count >= 3, scalars.count <= 8, scalars.first?.value == 0x1F3F4, scalars.last?.value == 0xE007F else { return false }
        return scalars.dropFirst().dropLast().allSatisfy { (0xE0030...0xE0039).contains($0.value) || (0xE0061...0xE007A).contains($0.value) }
    }

    // MARK: HTML

    /// Text for an HTML element's content or a quoted attribute value: `& < > " '` as character references,
    /// hidden scalars as a marked span, so neither markup nor an attribute's end can come from the text.
    public static func html(_ text: String) -> String {
        pieces(text).map { piece in
            switch piece {
            case .text(let t): escapeHTML(t)
            case .hidden(let s): "<span class=\"hidden-char\" title=\"invisible character\">\(marker(s))</span>"
            }
        }.joined()
    }

    public static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    // MARK: Markdown

    /// One line of text for Markdown: every ASCII punctuation character backslash-escaped (CommonMark allows
    /// it for all of them), so the line cannot open a heading, list, link, image, autolink, emphasis, table,
    /// code span or raw HTML; bare URLs are not linked either, their `:` `/` and `.` being escaped, nor e-mail
    /// addresses, whose `@` is written as a code span. Leading
    /// spaces and tabs become character references, so the line cannot become an indented code block.
    static func markdownLine(_ line: String) -> String {
        var out = ""
        var leading = true
        for piece in pieces(line) {
            switch piece {
            case .hidden(let s):
                leading = false
                out += escapeMarkdownPunctuation(marker(s))
            case .text(let t):
                var rest = Substring.UnicodeScalarView(t.unicodeScalars)
                while leading, let first = rest.first, first == " " || first == "\t" {
                    out += first == " " ? "&#32;" : "&#9;"
                    rest.removeFirst()
                }
                guard !rest.isEmpty else { continue }
                leading = false
                // Escaped as one piece, so a run of `@` becomes one code span; callers split lines first, a
                // stray line break stays inline.
                out += escapeMarkdownPunctuation(String(String.UnicodeScalarView(rest)).replacingOccurrences(of: "\n", with: " "))
            }
        }
        return out
    }

    /// Text for one line of Markdown where the source may hold line breaks (a username): breaks become spaces.
    static func markdownInline(_ text: String) -> String {
        markdownLine(text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ").trimmingCharacters(in: .whitespaces))
    }

    /// ASCII punctuation as CommonMark counts it: each may be backslash-escaped.
    static let markdownPunctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)

    /// Backslash before each ASCII punctuation character, but a run of `@` as one code span: GitHub's renderer
    /// links e-mail addresses after escapes are resolved (`a\@b\.c` still became a mailto link in the tests),
    /// and only an element between the address's parts stops it. One span per run, since two spans side by
    /// side (`` `@``@` ``) read as a single span with backticks inside.
    static func escapeMarkdownPunctuation(_ text: String) -> String {
        var out = ""
        var ats = 0
        func flushAts() {
            if ats > 0 { out += "`" + String(repeating: "@", count: ats) + "`" }
            ats = 0
        }
        for scalar in text.unicodeScalars {
            if scalar == "@" { ats += 1; continue }
            flushAts()
            if markdownPunctuation.contains(scalar) { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        flushAts()
        return out
    }

    // MARK: JSON

    /// JSON text with `< > &`, U+2028, U+2029 and the hidden scalars written as `\u` escapes: the same JSON
    /// value, but one that can be placed in an HTML page or a script without ending it, and whose invisible
    /// characters show in any text viewer. Safe on a whole document: those scalars only occur inside strings.
    static func hardenJSON(_ json: String) -> String {
        var out = ""
        out.reserveCapacity(json.utf8.count)
        for scalar in json.unicodeScalars {
            if scalar == "<" || scalar == ">" || scalar == "&" || isHidden(scalar) {
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    // MARK: Attachments

    /// The http and https URLs written in a message, in order and without repeats: Discord puts attachment
    /// links in the text the bot forwards; the transcript lists them and never fetches them. A URL ends at
    /// whitespace, a quote or an angle bracket; trailing sentence punctuation is not part of it.
    static func urls(in text: String) -> [String] {
        var found: [String] = []
        // A set beside the ordered list: a long message can hold tens of thousands of URLs.
        var seen = Set<String>()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            guard let length = schemeLength(scalars, at: index),
                  index == 0 || !(scalars[index - 1].properties.isAlphabetic || ("0"..."9").contains(scalars[index - 1])) else {
                index += 1
                continue
            }
            var end = index + length
            while end < scalars.count, !ends(scalars[end]) { end += 1 }
            while end > index + length, ".,;:!?)]}'\"".unicodeScalars.contains(scalars[end - 1]) { end -= 1 }
            if end > index + length {
                var url = ""
                url.unicodeScalars.append(contentsOf: scalars[index..<end])
                if seen.insert(url).inserted { found.append(url) }
            }
            index = max(end, index + 1)
        }
        return found
    }

    private static func schemeLength(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        for scheme in ["https://", "http://"] {
            let pattern = Array(scheme.unicodeScalars)
            guard index + pattern.count <= scalars.count else { continue }
            if zip(pattern, scalars[index..<(index + pattern.count)]).allSatisfy({ $0 == lowercased($1) }) {
                return pattern.count
            }
        }
        return nil
    }

    private static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
    }

    private static func ends(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar == "<" || scalar == ">" || scalar == "\"" || scalar == "`" || isHidden(scalar)
    }
}

