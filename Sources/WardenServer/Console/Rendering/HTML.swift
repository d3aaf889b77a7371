import Foundation
import WardenSupport

/// The console's HTML fragments built in Swift (the few values its templates write unescaped). Everything
/// member-controlled that goes into one passes through ``text(_:)``: escaped for element content and quoted
/// attributes, invisible and bidirectional characters shown as `[U+202E]` markers so they can neither hide
/// nor reorder what a moderator reads.
enum HTML {
    /// Member text for element content or a quoted attribute.
    static func text(_ value: String) -> String { TranscriptText.html(value) }

    /// Plain escaping, for Warden's own strings placed in attributes.
    static func escape(_ value: String) -> String { TranscriptText.escapeHTML(value) }

    /// `text` with the spans (Unicode scalar offsets, end exclusive, as evidence gives them) wrapped in
    /// `<mark>`; overlapping spans are merged, spans outside the text ignored.
    static func highlighted(_ text: String, spans: [Range<Int>]) -> String {
        let scalars = Array(text.unicodeScalars)
        let merged = merge(spans.compactMap { span -> Range<Int>? in
            let clamped = span.clamped(to: 0..<scalars.count)
            return clamped.isEmpty ? nil : clamped
        })
        var out = ""
        var position = 0
        func piece(_ range: Range<Int>) -> String {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[range])
            return Self.text(String(s))
        }
        for span in merged {
            if position < span.lowerBound { out += piece(position..<span.lowerBound) }
            out += "<mark>" + piece(span) + "</mark>"
            position = span.upperBound
        }
        if position < scalars.count { out += piece(position..<scalars.count) }
        return out
    }

    /// Sorted, non-overlapping ranges covering the same offsets.
    static func merge(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, range.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                out.append(range)
            }
        }
        return out
    }

    /// A query string from pairs, each part percent-encoded, for links built from filter values.
    static func query(_ pairs: [(String, String?)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let parts = pairs.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
