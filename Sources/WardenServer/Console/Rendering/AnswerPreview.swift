import Foundation

/// How an FAQ answer will read, as HTML: the small Markdown subset Discord shows (paragraphs, line breaks,
/// `- ` lists, **bold**, *italic*, `code`). The text is escaped first, so nothing in it becomes markup of its
/// own; links stay text (a preview is no place to follow them). Written here rather than with a Markdown
/// library because those pass raw HTML through.
enum AnswerPreview {
    static func html(_ markdown: String) -> String {
        var out = ""
        var paragraph: [String] = []
        var list: [String] = []
        func flush() {
            if !paragraph.isEmpty { out += "<p>" + paragraph.joined(separator: "<br>") + "</p>"; paragraph = [] }
            if !list.isEmpty { out += "<ul>" + list.map { "<li>\($0)</li>" }.joined() + "</ul>"; list = [] }
        }
        for raw in markdown.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { flush(); continue }
            if line.hasPrefix("- ") || line.hasPrefix("* ") {
                if !paragraph.isEmpty { let kept = list; list = []; flush(); list = kept }
                list.append(inline(String(line.dropFirst(2))))
            } else {
                if !list.isEmpty { let kept = paragraph; paragraph = []; flush(); paragraph = kept }
                paragraph.append(inline(line))
            }
        }
        flush()
        return out
    }

    /// One line: escaped, then code spans, bold and italic.
    static func inline(_ text: String) -> String {
        var escaped = HTML.text(text)
        escaped = replace(escaped, "`([^`]+)`", "<code>$1</code>")
        escaped = replace(escaped, "\\*\\*([^*]+)\\*\\*", "<strong>$1</strong>")
        escaped = replace(escaped, "(?<![*\\w])\\*([^*]+)\\*(?![*\\w])", "<em>$1</em>")
        escaped = replace(escaped, "(?<![_\\w])_([^_]+)_(?![_\\w])", "<em>$1</em>")
        return escaped
    }

    private static func replace(_ text: String, _ pattern: String, _ template: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return text }
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
}
