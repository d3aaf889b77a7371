/// The parts of a Discord embed a scam hides in: Discord builds link previews from the page a link points
/// to, so a clean-looking message can carry a "Free Nitro" title. Unknown fields are ignored.
public struct Embed: Codable, Sendable, Equatable {
    public struct Named: Codable, Sendable, Equatable {
        public var name: String?
        public var url: String?
        public init(name: String? = nil, url: String? = nil) { self.name = name; self.url = url }
    }
    public struct Field: Codable, Sendable, Equatable {
        public var name: String?
        public var value: String?
        public init(name: String? = nil, value: String? = nil) { self.name = name; self.value = value }
    }
    public struct Footer: Codable, Sendable, Equatable {
        public var text: String?
        public init(text: String? = nil) { self.text = text }
    }

    public var title: String?
    public var description: String?
    public var url: String?
    public var provider: Named?
    public var author: Named?
    public var fields: [Field]?
    public var footer: Footer?

    public init(title: String? = nil, description: String? = nil, url: String? = nil, provider: Named? = nil,
                author: Named? = nil, fields: [Field]? = nil, footer: Footer? = nil) {
        self.title = title; self.description = description; self.url = url; self.provider = provider
        self.author = author; self.fields = fields; self.footer = footer
    }

    /// The embed's texts, one per line, in the order a member reads them: provider, author, title, URL,
    /// description, fields, footer. The text rules judge this on the same views as a message's content.
    public var text: String {
        var parts: [String] = []
        func add(_ text: String?) { if let text, !text.isEmpty { parts.append(text) } }
        add(provider?.name); add(provider?.url); add(author?.name); add(author?.url)
        add(title); add(url); add(description)
        for field in fields ?? [] { add(field.name); add(field.value) }
        add(footer?.text)
        return parts.joined(separator: "\n")
    }

    /// All embeds' text, separated by blank lines; at most `limit` UTF-8 bytes (cut at a character).
    public static func text(of embeds: [Embed], limit: Int = 16_384) -> String {
        let joined = embeds.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n\n")
        guard joined.utf8.count > limit else { return joined }
        var out = ""
        for character in joined {
            guard out.utf8.count + character.utf8.count <= limit else { break }
            out.append(character)
        }
        return out
    }
}
