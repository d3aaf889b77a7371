import Crypto
import Foundation
import WardenStore

/// Renders a ``TicketTranscript`` as JSON, Markdown or a standalone HTML page. Pure: no store, no network.
///
/// Everything a member (or anyone writing in a ticket) controls, message text and the username, is escaped
/// for where it goes (``TranscriptText``). Attachments are the URLs the messages hold, listed as plain text:
/// nothing is fetched and nothing is a link. The HTML page carries no script at all, its style is a fixed
/// `<style>` element allowed by hash in a Content-Security-Policy that forbids everything else.
public struct TranscriptRenderer: Sendable {
    public let transcript: TicketTranscript

    public init(_ transcript: TicketTranscript) { self.transcript = transcript }

    /// The transcript in `format`.
    public func render(_ format: TranscriptFormat) -> String {
        switch format {
        case .json: json()
        case .markdown: markdown()
        case .html: html()
        }
    }

    private var ticket: TicketRepository.Ticket { transcript.ticket }

    private static func time(_ date: Date) -> String { date.formatted(.iso8601) }
    private static func id(_ value: Int64) -> String { String(UInt64(bitPattern: value)) }

    /// What the export says about itself, in every form.
    static let note = "Member text is shown as written (escaped; invisible characters appear as [U+XXXX]). "
        + "Attachments are the URLs found in the messages, listed as text; they were not fetched."

    // MARK: JSON

    private struct JSONDocument: Encodable {
        struct Ticket: Encodable {
            let id: Int64
            let guildId: String
            let userId: String
            let username: String?
            let status: String
            let channelId: String?
            let claimedBy: String?
            let escalatedTo: String?
            let createdAt: Date
            let closedAt: Date?
            let archivedAt: Date?
            let archivedBy: String?
        }
        struct Message: Encodable {
            let id: Int64
            let authorId: String
            let authorRole: TicketTranscript.AuthorRole
            let createdAt: Date
            let content: String
            let attachments: [String]
        }
        struct Suggestion: Encodable {
            let entryId: Int64
            let rank: Int
            let title: String?
            let outcome: String?
        }
        let format = "warden.ticket_transcript.v1"
        let note = TranscriptRenderer.note
        let ticket: Ticket
        let messages: [Message]
        let faqSuggestions: [Suggestion]
    }

    /// The transcript as JSON (snake_case keys, ids as strings, ISO 8601 times). Text is kept exactly, with
    /// `< > &` and invisible characters as `\u` escapes (``TranscriptText/hardenJSON(_:)``).
    public func json() -> String {
        let t = ticket
        let document = JSONDocument(
            ticket: .init(id: t.id, guildId: Self.id(t.guildID), userId: Self.id(t.userID), username: t.username, status: t.status,
                          channelId: t.channelID.map(Self.id), claimedBy: t.claimedBy.map(Self.id), escalatedTo: t.escalatedTo.map(Self.id),
                          createdAt: t.createdAt, closedAt: t.closedAt, archivedAt: t.archivedAt, archivedBy: t.archivedBy.map(Self.id)),
            messages: transcript.messages.map {
                .init(id: $0.id, authorId: Self.id($0.authorID), authorRole: transcript.role(of: $0), createdAt: $0.createdAt,
                      content: $0.content, attachments: TranscriptText.urls(in: $0.content))
            },
            faqSuggestions: transcript.suggestions.map { .init(entryId: $0.entryID, rank: $0.rank, title: $0.title, outcome: $0.outcome?.rawValue) })
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Strings, integers and dates only: encoding cannot fail.
        let text = (try? encoder.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return TranscriptText.hardenJSON(text) + "\n"
    }

    // MARK: Markdown

    /// The transcript as Markdown: headings and lists of our own, each message's text as a block quote whose
    /// every line is escaped (``TranscriptText/markdownLine(_:)``), so it reads as written and can create no
    /// structure, link or HTML.
    public func markdown() -> String {
        let t = ticket
        var lines = ["# Ticket \(t.id) in guild \(Self.id(t.guildID))", ""]
        lines += facts(escape: TranscriptText.markdownInline).map { "- \($0.label): \($0.value)" }
        lines += ["", Self.note, "", "## Messages", ""]
        for (index, message) in transcript.messages.enumerated() {
            lines.append("### \(index + 1). \(transcript.role(of: message).rawValue) \(Self.id(message.authorID)), \(Self.time(message.createdAt))")
            lines.append("")
            let text = message.content.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            let parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (k, part) in parts.enumerated() {
                let escaped = TranscriptText.markdownLine(part)
                if escaped.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(">"); continue }
                // A backslash at the end of a line is a hard line break, unless the paragraph ends there.
                let next = k + 1 < parts.count ? parts[k + 1] : ""
                lines.append("> " + escaped + (next.trimmingCharacters(in: .whitespaces).isEmpty ? "" : "\\"))
            }
            let urls = TranscriptText.urls(in: message.content)
            if !urls.isEmpty {
                lines += ["", "Attachments and links (not fetched):", ""]
                lines += urls.map { "- " + TranscriptText.markdownLine($0) }
            }
            lines.append("")
        }
        if !transcript.suggestions.isEmpty {
            lines += ["## FAQ answers suggested", ""]
            lines += transcript.suggestions.map { s in
                "- \(s.rank)\\. entry \(s.entryID): " + TranscriptText.markdownInline(s.title ?? "(entry removed)") + Self.outcome(s)
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// Label and value pairs about the ticket, in order. Ids and times are ours; the stored texts (the
    /// member's name, the status) go through `escape`, the form's escaping.
    private func facts(escape: (String) -> String) -> [(label: String, value: String)] {
        let t = ticket
        var facts: [(String, String)] = [("Status", escape(t.status))]
        facts.append(("Opened by", "member \(Self.id(t.userID))" + (t.username.map { " (\(escape($0)))" } ?? "")))
        facts.append(("Opened", Self.time(t.createdAt)))
        if let channel = t.channelID { facts.append(("Channel", Self.id(channel))) }
        if let by = t.claimedBy { facts.append(("Claimed by", Self.id(by))) }
        if let to = t.escalatedTo { facts.append(("Escalated to role", Self.id(to))) }
        if let closed = t.closedAt { facts.append(("Closed", Self.time(closed))) }
        if let archived = t.archivedAt { facts.append(("Archived", Self.time(archived) + (t.archivedBy.map { " by \(Self.id($0))" } ?? ""))) }
        facts.append(("Messages", String(transcript.messages.count)))
        return facts
    }

    private static func outcome(_ s: FAQSuggestionRepository.Suggestion) -> String {
        switch s.outcome {
        case .solved: " (the member said it solved the ticket)"
        case .closedWithoutReply: " (the ticket closed with no staff reply)"
        case nil: ""
        }
    }

    // MARK: HTML

    /// The page's only style. Fixed text: its hash is what the Content-Security-Policy allows.
    static let style = """
        body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d1f23}
        main{max-width:52rem;margin:0 auto;padding:1.5rem}
        h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
        dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem;margin:0}dt{color:#5b616b}dd{margin:0;overflow-wrap:anywhere}
        .note{color:#5b616b;font-size:.9rem}
        ol.messages{list-style:none;padding:0;margin:0}
        .message{background:#fff;border:1px solid #dfe2e6;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0;overflow:hidden}
        .message.staff{border-left:4px solid #3b6fd6}.message.member{border-left:4px solid #8a8f98}
        .who{margin:0 0 .3rem;color:#5b616b;font-size:.9rem;overflow-wrap:anywhere}.role{font-weight:600;color:#1d1f23}
        .text{white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:isolate;margin:0}
        .attachments{margin:.4rem 0 0;padding-left:1.2rem;font-size:.9rem;overflow-wrap:anywhere}
        .hidden-char{background:#fff1c2;color:#6b4e00;border-radius:3px;padding:0 .15em;font-size:.85em}
        bdi{unicode-bidi:isolate}
        @media (max-width:480px){main{padding:.8rem}dl{grid-template-columns:minmax(0,1fr)}}
        """

    /// `'sha256-...'` of ``style``, for the policy.
    static let styleHash: String = "'sha256-" + Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString() + "'"

    /// What the page may load or run: its own style element and nothing else (no script, image, font, frame,
    /// form target or base URL). Also sent as the HTTP header by the API.
    public static let contentSecurityPolicy = pagePolicy + "; frame-ancestors 'none'"

    /// The policy the page carries in its own `<meta>` element: the header's less `frame-ancestors`, which browsers
    /// ignore (and complain of) there; the header keeps it.
    static let pagePolicy = "default-src 'none'; style-src \(styleHash); img-src 'none'; base-uri 'none'; form-action 'none'"

    /// The transcript as one standalone HTML page. Every text of a member, staff or the FAQ is escaped for
    /// element content (``TranscriptText/html(_:)``); attribute values are ours alone.
    public func html() -> String {
        let t = ticket
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(Self.pagePolicy)">
            <meta name="referrer" content="no-referrer">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Ticket \(t.id) in guild \(Self.id(t.guildID))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <main>
            <h1>Ticket \(t.id) in guild \(Self.id(t.guildID))</h1>
            <dl>

            """
        for fact in facts(escape: { "<bdi>" + TranscriptText.html($0) + "</bdi>" }) {
            out += "<dt>\(fact.label)</dt><dd>\(fact.value)</dd>\n"
        }
        out += "</dl>\n<p class=\"note\">\(TranscriptText.html(Self.note))</p>\n<h2>Messages</h2>\n<ol class=\"messages\">\n"
        for message in transcript.messages {
            let role = transcript.role(of: message).rawValue
            out += "<li class=\"message \(role)\"><p class=\"who\"><span class=\"role\">\(role)</span> \(Self.id(message.authorID)) "
                + "<time datetime=\"\(Self.time(message.createdAt))\">\(Self.time(message.createdAt))</time></p>\n"
                + "<div class=\"text\" dir=\"auto\">\(TranscriptText.html(message.content.replacingOccurrences(of: "\r\n", with: "\n")))</div>\n"
            let urls = TranscriptText.urls(in: message.content)
            if !urls.isEmpty {
                out += "<ul class=\"attachments\" title=\"attachments and links, not fetched\">"
                    + urls.map { "<li>\(TranscriptText.html($0))</li>" }.joined() + "</ul>\n"
            }
            out += "</li>\n"
        }
        out += "</ol>\n"
        if !transcript.suggestions.isEmpty {
            out += "<h2>FAQ answers suggested</h2>\n<ol class=\"suggestions\">\n"
            for s in transcript.suggestions {
                out += "<li>entry \(s.entryID): <bdi>\(TranscriptText.html(s.title ?? "(entry removed)"))</bdi>\(TranscriptText.html(Self.outcome(s)))</li>\n"
            }
            out += "</ol>\n"
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }
}
