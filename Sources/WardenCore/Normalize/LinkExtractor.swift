/// Finds URLs and invite links in the skeleton view and builds the `links` view: each URL percent-decoded
/// (ASCII escapes only, so the view stays valid UTF-8), one per line.
enum LinkExtractor {
    static let starts: [[UInt8]] = ["https://", "http://", "www.", "discord.gg/", "dsc.gg/", "discord.com/invite/",
                                     "discordapp.com/invite/", "discord.gift/"].map { Array($0.utf8) }
    static let inviteMarkers: [[UInt8]] = ["discord.gg/", "dsc.gg/", "discord.com/invite/", "discordapp.com/invite/"]
        .map { Array($0.utf8) }

    static func isURLByte(_ b: UInt8) -> Bool {
        b > 0x20 && b != 0x3C && b != 0x3E && b != 0x22 && b != 0x60 && b != 0x7F
    }

    static func hasPrefix(_ bytes: [UInt8], _ prefix: [UInt8], at i: Int) -> Bool {
        guard i + prefix.count <= bytes.count else { return false }
        for k in 0..<prefix.count where bytes[i + k] != prefix[k] { return false }
        return true
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x61...0x66: b - 0x61 + 10
        case 0x41...0x46: b - 0x41 + 10
        default: nil
        }
    }

    /// What the links view extraction found: the view (one line per link), the links, and how many are invites.
    struct Extracted {
        let view: TextView
        let links: [String]
        let invites: Int
    }

    static func linksView(from skeleton: TextView) -> Extracted {
        var view = TextView(kind: .links, capacity: 0)
        var links: [String] = []
        var invites = 0
        let bytes = skeleton.bytes
        let n = bytes.count
        // Every start but "www." holds a slash: most chat has neither, and is done in one quick pass.
        let mayHoldLink = bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < n {
                if b[i] == 0x2F { return true }
                if b[i] == 0x2E, i >= 3, b[i - 1] == 0x77, b[i - 2] == 0x77, b[i - 3] == 0x77 { return true }
                i += 1
            }
            return false
        }
        guard mayHoldLink else { return Extracted(view: view, links: [], invites: 0) }
        var i = 0
        while i < n {
            let b = bytes[i]
            // A URL starts at a word boundary with one of the known prefixes.
            guard b == 0x68 || b == 0x77 || b == 0x64, i == 0 || !Normalizer.isAlnum(bytes[i - 1]),
                  starts.contains(where: { hasPrefix(bytes, $0, at: i) }) else { i += 1; continue }
            var j = i
            while j < n && isURLByte(bytes[j]) { j += 1 }
            // Trailing punctuation belongs to the sentence, not the URL.
            while j > i, [0x2E, 0x2C, 0x29, 0x21, 0x3F, 0x3A, 0x3B, 0x27].contains(bytes[j - 1]) { j -= 1 }
            let linkStart = view.count
            var k = i
            while k < j {
                if bytes[k] == 0x25, k + 2 < j, let hi = hexValue(bytes[k + 1]), let lo = hexValue(bytes[k + 2]) {
                    let decoded = hi << 4 | lo
                    if decoded >= 0x20 && decoded < 0x7F {
                        let lower = decoded >= 0x41 && decoded <= 0x5A ? decoded | 0x20 : decoded
                        view.append(lower, from: skeleton.originStart(k), to: skeleton.originEnd(k + 2))
                        k += 3
                        continue
                    }
                }
                view.append(bytes[k], from: skeleton.originStart(k), to: skeleton.originEnd(k))
                k += 1
            }
            let link = Array(view.bytes[linkStart...])
            if inviteMarkers.contains(where: { marker in
                (0...max(0, link.count - marker.count)).contains { hasPrefix(link, marker, at: $0) }
            }) { invites += 1 }
            links.append(String(decoding: link, as: UTF8.self))
            view.append(0x0A, from: skeleton.originEnd(j - 1), to: skeleton.originEnd(j - 1))
            i = j
        }
        return Extracted(view: view, links: links, invites: invites)
    }
}
