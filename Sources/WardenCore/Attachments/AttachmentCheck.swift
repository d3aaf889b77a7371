/// What an `attachments` rule refuses in a message's files, checked per attachment: extensions (denied, or
/// outside an allowed list), a document extension hiding an executable one (`invoice.pdf.exe`), content
/// types, and size. Names are read as Windows and Discord show them: case-insensitive, with trailing dots and
/// spaces dropped, and with bidirectional and zero-width controls removed (`invoice\u{202E}fdp.exe` shows as
/// "invoiceexe.pdf"). Pure, cheap: it runs only for messages with attachments.
public struct AttachmentCheck: Sendable, Equatable {
    /// Lower-case extensions without the dot.
    public var deniedExtensions: Set<String>
    /// When not empty, any other extension (and a file without one) is refused.
    public var allowedExtensions: Set<String>
    public var doubleExtensions: Bool
    /// Lower-case content types; a trailing `*` matches the prefix (`application/x-*`).
    public var deniedContentTypes: [String]
    public var maxBytes: Int?

    /// Extensions Windows (and most desktop systems) run or install on a double-click: what a double
    /// extension hides, when the rule names no denied extensions of its own.
    public static let executables: Set<String> = [
        "exe", "scr", "com", "bat", "cmd", "pif", "msi", "msix", "appx", "vbs", "vbe", "js", "jse", "wsf", "wsh",
        "ps1", "hta", "cpl", "jar", "lnk", "reg", "dll", "apk", "dmg", "pkg", "app", "sh", "iso", "img",
    ]

    public init(deniedExtensions: Set<String> = [], allowedExtensions: Set<String> = [], doubleExtensions: Bool = false,
                deniedContentTypes: [String] = [], maxBytes: Int? = nil) {
        self.deniedExtensions = deniedExtensions; self.allowedExtensions = allowedExtensions
        self.doubleExtensions = doubleExtensions; self.deniedContentTypes = deniedContentTypes; self.maxBytes = maxBytes
    }

    /// A refused attachment and why.
    public struct Finding: Sendable, Equatable {
        /// The name as sent.
        public var filename: String
        /// What the rule refused in it: `extension .exe`, `double extension .pdf.exe`, `content type ...`,
        /// `size 9000000 bytes`.
        public var reason: String
    }

    /// The first attachment this check refuses, or nil.
    public func firstFinding(in attachments: [DiscordMessage.Attachment]) -> Finding? {
        for attachment in attachments {
            let name = attachment.filename ?? ""
            if let reason = reason(name: name, contentType: attachment.contentType, size: attachment.size) {
                return Finding(filename: name, reason: reason)
            }
        }
        return nil
    }

    func reason(name: String, contentType: String?, size: Int?) -> String? {
        let extensions = Self.extensions(of: name)
        if let last = extensions.last {
            if deniedExtensions.contains(last) { return "extension .\(last)" }
            if !allowedExtensions.isEmpty, !allowedExtensions.contains(last) { return "extension .\(last) is not allowed" }
        } else if !allowedExtensions.isEmpty {
            return "no extension (only \(allowedExtensions.sorted().map { "." + $0 }.joined(separator: ", ")) allowed)"
        }
        if doubleExtensions, let last = extensions.last, (deniedExtensions.isEmpty ? Self.executables : deniedExtensions).contains(last) {
            if extensions.count >= 2 { return "double extension .\(extensions[extensions.count - 2]).\(last)" }
            // "invoice<U+202E>fdp.exe" is shown as "invoiceexe.pdf": the override hides the real extension.
            if name.unicodeScalars.contains(where: Self.hidden) { return "extension .\(last) hidden by direction or zero-width controls" }
        }
        if let type = contentType?.lowercased(), let denied = deniedContentTypes.first(where: { Self.matches(type, $0) }) {
            return "content type \(type) (\(denied))"
        }
        if let maxBytes, let size, size > maxBytes { return "size \(size) bytes, over \(maxBytes)" }
        return nil
    }

    /// The name's extensions, lower-case, in order: "Invoice.PDF.exe " → ["pdf", "exe"]. Only short,
    /// letter-and-digit parts count, so "v1.2 notes" or "my.long description.txt" do not make doubles.
    static func extensions(of name: String) -> [String] {
        var visible = String.UnicodeScalarView()
        for scalar in name.unicodeScalars where !hidden(scalar) { visible.append(scalar) }
        var text = String(visible).lowercased()
        while let last = text.last, last == "." || last == " " { text.removeLast() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return [] }
        var out: [String] = []
        for part in parts.dropFirst().reversed() {
            guard (1...5).contains(part.count), part.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) else { break }
            out.append(String(part))
        }
        return out.reversed()
    }

    /// Bidirectional and zero-width controls: they change how a name reads, not what it is.
    static func hidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF, 0x061C: true
        default: false
        }
    }

    static func matches(_ type: String, _ pattern: String) -> Bool {
        pattern.hasSuffix("*") ? type.hasPrefix(pattern.dropLast()) : type == pattern
    }
}
