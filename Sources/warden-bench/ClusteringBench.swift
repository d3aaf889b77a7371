import Foundation
import WardenCore
import WardenSupport
import WardenTestSupport

// Clustering of closed-ticket summaries (`TicketClusterer`) at scale: one guild, 10,000 then 100,000
// summaries added one by one, as the summary job does. `warden-bench --clustering` runs only this.
//   --clustering-sizes A,B   corpus sizes (default 10000,100000)

/// Deterministic support-ticket summaries: a few hundred topics (an area of the product × a kind of
/// problem), each worded many ways, with a Zipf-like popularity (a few topics are most of the desk), free
/// context and details, a similarity key that is sometimes a synonym, generic or missing, and a share of
/// one-off tickets. `topic` is the ground truth (one-offs get a label of their own).
enum SummaryCorpus {
    struct Summary {
        var text: String
        var key: String?
        var topic: String
        /// The coarser truth: the area alone (what the fixtures would call one topic, e.g. "premium role
        /// problems"); a one-off's own label.
        var area: String
    }

    /// Area of the product: key word(s) and ways summaries name it.
    static let areas: [(key: String, forms: [String])] = [
        ("premium-role", ["premium role", "supporter role", "paid role on the server"]),
        ("refund", ["refund request", "request for a refund", "money back request"]),
        ("payment", ["card payment", "payment at checkout", "purchase payment"]),
        ("account-link", ["account link", "linked game account", "Discord account connection"]),
        ("password", ["password reset", "password reset email", "login password"]),
        ("two-factor", ["two-factor login", "2FA code", "authenticator app code"]),
        ("bot", ["moderation bot", "music bot", "helper bot"]),
        ("game-server", ["game server", "EU game server", "match server"]),
        ("ban", ["ban", "server ban", "temporary ban"]),
        ("subscription", ["monthly subscription", "premium subscription", "subscription renewal"]),
        ("gift", ["gift code", "gifted premium", "gift purchase"]),
        ("event", ["tournament event", "weekend event", "community event"]),
        ("inventory", ["inventory item", "legendary item", "item in the inventory"]),
        ("trade", ["player trade", "trade window", "item trade"]),
        ("voice", ["voice channel", "voice chat", "stage channel"]),
        ("nickname", ["nickname", "display name", "server nickname"]),
        ("verification", ["verification captcha", "member verification", "verification step"]),
        ("leaderboard", ["leaderboard rank", "ranked leaderboard", "season leaderboard"]),
        ("clan", ["clan membership", "guild clan", "clan invite"]),
        ("mobile-app", ["mobile app", "Android app", "iOS app"]),
        ("launcher", ["game launcher", "launcher update", "desktop launcher"]),
        ("email", ["account email", "email address change", "newsletter email"]),
        ("data-export", ["data export", "personal data request", "GDPR data copy"]),
        ("cosmetics", ["cosmetic skin", "profile banner", "emote pack"]),
        ("streaming", ["stream overlay", "Twitch integration", "stream alerts"]),
    ]

    /// Kind of problem: key word(s), ways summaries state it after the area, and what staff did about it
    /// (`%@` is the area, named again, often in other words).
    static let problems: [(key: String, forms: [String], fixes: [String])] = [
        ("missing", ["was missing", "did not show up", "never appeared"],
         ["Staff restored the %@ manually", "Staff re-added the %@ after checking the records", "Staff resynced the %@ and it appeared"]),
        ("error", ["failed with an error", "showed an error message", "kept throwing an error"],
         ["Staff traced the error to a bad deploy and fixed the %@", "Staff cleared a corrupted cache entry and the %@ worked again", "Staff found a known bug in the %@ and shared the workaround"]),
        ("slow", ["was extremely slow", "took minutes to load", "lagged badly"],
         ["Staff moved the %@ to a less loaded node", "Staff explained the %@ was under heavy load and it recovered", "Staff restarted the overloaded %@ service"]),
        ("removed", ["was removed without warning", "disappeared after a restart", "got taken away"],
         ["Staff found an automatic cleanup had removed the %@ and reverted it", "Staff reinstated the %@ and disabled the faulty cleanup", "Staff explained the removal of the %@ was a sync mistake and undid it"]),
        ("charged", ["charged them twice", "billed the wrong amount", "took money without confirmation"],
         ["Staff refunded the extra charge for the %@", "Staff corrected the billing of the %@ and issued a credit", "Staff confirmed the duplicate charge on the %@ and reversed it"]),
        ("stuck", ["was stuck pending", "hung on the loading screen", "stayed in a pending state"],
         ["Staff pushed the pending %@ through by hand", "Staff cleared the stuck queue so the %@ completed", "Staff cancelled the hung %@ and had them start over"]),
        ("wrong", ["showed the wrong information", "had incorrect details", "displayed someone else's data"],
         ["Staff corrected the details of the %@", "Staff fixed a mix-up in the %@ records", "Staff rebuilt the %@ data from the logs"]),
        ("how-to", ["was unclear to set up", "had no instructions", "was confusing to use"],
         ["Staff walked them through setting up the %@ step by step", "Staff linked the guide for the %@", "Staff explained where the %@ settings are"]),
        ("expired", ["had expired", "timed out before use", "was no longer valid"],
         ["Staff issued a fresh %@ with a longer validity", "Staff extended the expired %@", "Staff explained the %@ expiry rules and renewed it"]),
        ("blocked", ["was blocked", "was locked", "was disabled by mistake"],
         ["Staff unblocked the %@ after verifying ownership", "Staff lifted the lock on the %@", "Staff re-enabled the %@ and whitelisted it"]),
        ("duplicate", ["was duplicated", "appeared twice", "was created two times"],
         ["Staff merged the duplicate %@ entries", "Staff deleted the extra copy of the %@", "Staff removed the duplicated %@ and kept the original"]),
        ("cancel", ["could not be cancelled", "kept renewing after cancelling", "had no cancel option"],
         ["Staff cancelled the %@ on their behalf", "Staff showed them the cancel button for the %@", "Staff stopped the %@ renewal and confirmed by email"]),
    ]

    static let openings = [
        "The user reported that their", "The user said the", "A member complained that the", "The user asked why their",
        "The user wrote in because the", "The user noticed that the", "The user's", "According to the user, the",
        "The user opened a ticket because the", "A player reported that the",
    ]
    static let contexts = [
        "", "", "", "", " since the last update", " after switching phones", " on mobile only", " twice this week",
        " right after purchase", " during peak hours", " since yesterday evening", " after a password change",
    ]
    static let closings = ["", "", "", " The user confirmed it worked.", " The ticket was closed after a follow-up.",
                           " They thanked staff.", " No further action was needed."]
    /// Topic-specific details; each topic owns two, mentioned in most of its summaries.
    static let details = [
        "PayPal", "Steam", "Xbox", "PlayStation", "iPhone", "Android tablet", "Chrome extension", "Firefox",
        "EU-West node", "NA-East node", "error 402", "error 1015", "3D Secure", "prepaid card", "Apple Pay",
        "backup codes", "SMS code", "recovery email", "slash command", "cooldown list", "send permission",
        "role sync", "webhook", "audit log", "rollback", "patch 4.2", "hotfix", "season pass", "battle pass",
        "loot box", "daily reward", "friend list", "party invite", "region lock", "VPN", "firewall", "router",
        "UDP traffic", "DNS cache", "billing address", "currency EUR", "tax invoice", "receipt email",
        "family account", "child account", "alt account", "shared account", "timezone", "announcement channel",
        "appeal form", "anti-cheat", "macro", "chat filter", "spam detector", "captcha image", "QR code",
        "profile page", "store page", "checkout page", "settings menu", "notification bell", "push notification",
        "overlay", "microphone", "push to talk", "noise suppression", "emoji picker", "sticker pack",
        "leaderboard reset", "rank decay", "clan bank", "clan war", "trade tax", "auction house", "gold coins",
        "gem bundle", "starter pack", "founder badge", "nitro boost", "server boost", "bot token", "API key",
    ]
    /// Words for one-off tickets, combined at random so they rarely repeat.
    static let oneOffWords = [
        "dark mode", "colour theme", "sound effects", "patch notes", "roadmap", "server rules", "staff application",
        "wallpaper", "soundtrack", "translation", "accessibility", "colorblind", "font", "keyboard", "controller",
        "merch", "shipping", "hoodie", "poster", "charity", "stream", "podcast", "interview", "fanart", "contest",
        "lore", "wiki", "modding", "map editor", "replay", "screenshot", "benchmark", "driver", "monitor", "refresh rate",
        "calendar", "birthday", "anniversary", "newsletter", "survey", "beta access", "press kit", "job opening",
        "photo mode", "world boss", "fishing", "crafting", "housing", "pet system", "mount", "weather", "day night cycle",
        "voice acting", "subtitles", "localization", "mod support", "cross play", "cloud save", "achievements", "trophies",
    ]

    /// The topics: every area × problem pair, in a fixed shuffled order (that order is the popularity rank).
    static func topics(seed: UInt64) -> [(area: Int, problem: Int, details: [String])] {
        var rng = SeededGenerator(state: seed &+ 1)
        var all: [(area: Int, problem: Int, details: [String])] = []
        for a in areas.indices {
            for p in problems.indices {
                let d = (0..<2).map { _ in details[Int.random(in: 0..<details.count, using: &rng)] }
                all.append((a, p, d))
            }
        }
        return all.shuffled(using: &rng)
    }

    static func generate(count: Int, seed: UInt64 = 4242) -> [Summary] {
        let topics = topics(seed: seed)
        // Zipf-like popularity with exponent 0.9 over the topics, as a cumulative table.
        var cumulative: [Double] = []
        var total = 0.0
        for rank in topics.indices {
            total += 1 / pow(Double(rank + 1), 0.9)
            cumulative.append(total)
        }
        var rng = SeededGenerator(state: seed)
        var out: [Summary] = []
        out.reserveCapacity(count)
        func pick<T>(_ list: [T]) -> T { list[Int.random(in: 0..<list.count, using: &rng)] }
        for i in 0..<count {
            if Int.random(in: 0..<100, using: &rng) < 5 {
                // A one-off: a question about things no other ticket combines, in free wording (real
                // one-offs share no template, so neither do these beyond a few words).
                let words = (0..<4).map { _ in pick(oneOffWords + details) }
                let text = [
                    "The user asked whether \(words[0]) and \(words[1]) could work with \(words[2]). \(words[3].capitalized) was mentioned too.",
                    "Question about \(words[0]), \(words[1]) and \(words[2]); staff answered and mentioned \(words[3]).",
                    "A member suggested combining \(words[0]) with \(words[1]) for \(words[2]) and \(words[3]).",
                    "Someone wanted \(words[0]) info: \(words[1]), \(words[2]), \(words[3]). Answered.",
                    "The user wondered if \(words[0]) affects \(words[1]); staff pointed to \(words[2]) and \(words[3]).",
                    "Feedback on \(words[0]) and \(words[1]) (\(words[2]), \(words[3])) passed on to the team.",
                ][Int.random(in: 0..<6, using: &rng)]
                out.append(Summary(text: text, key: Int.random(in: 0..<2, using: &rng) == 0 ? "question" : nil, topic: "one-off-\(i)", area: "one-off-\(i)"))
                continue
            }
            let r = Double.random(in: 0..<total, using: &rng)
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] < r { lo = mid + 1 } else { hi = mid }
            }
            let topic = topics[lo]
            let area = areas[topic.area], problem = problems[topic.problem]
            var text = "\(pick(openings)) \(pick(area.forms)) \(pick(problem.forms))\(pick(contexts))."
            var fix = String(format: pick(problem.fixes), pick(area.forms))
            if Int.random(in: 0..<10, using: &rng) < 7 { fix += " (\(pick(topic.details)))" }
            text += " \(fix).\(pick(closings))"
            if Int.random(in: 0..<4, using: &rng) == 0 { text += " Ticket #\(100_000 + i)." }
            let keyRoll = Int.random(in: 0..<10, using: &rng)
            let key: String? = switch keyRoll {
            case 0..<6: "\(area.key)-\(problem.key)"
            case 6: "\(area.key)-issue"
            case 7: "\(problem.key)-\(area.key)"
            case 8: "account-issue"
            default: nil
            }
            out.append(Summary(text: text, key: key, topic: "\(area.key)/\(problem.key)", area: area.key))
        }
        return out
    }
}

/// Resident and peak resident memory from /proc/self/status (Linux), in MiB; nil elsewhere.
func residentMemoryMiB() -> (current: Double, peak: Double)? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    func field(_ name: String) -> Double? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
        let digits = line.split(separator: " ").compactMap { Double($0) }.first
        return digits.map { $0 / 1024 }
    }
    guard let current = field("VmRSS"), let peak = field("VmHWM") else { return nil }
    return (current, peak)
}

/// Adds `corpus` to a fresh clusterer one summary at a time; prints time, latencies, clusters and quality.
/// Returns the total seconds.
func clusteringRun(_ corpus: [SummaryCorpus.Summary]) -> Double {
    var clusterer = TicketClusterer()
    var latencies = [UInt64](repeating: 0, count: corpus.count)
    let clock = ContinuousClock()
    let memoryBefore = residentMemoryMiB()
    let started = clock.now
    for (i, s) in corpus.enumerated() {
        let t0 = clock.now
        _ = clusterer.add(id: Int64(i + 1), text: s.text, similarityKey: s.key)
        let d = (clock.now - t0).components
        latencies[i] = UInt64(d.seconds) * 1_000_000_000 + UInt64(d.attoseconds / 1_000_000_000)
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let memoryAfter = residentMemoryMiB()
    latencies.sort()
    func micros(_ p: Double) -> Double {
        Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1_000
    }
    let assigned = corpus.indices.map { clusterer.clusterID(of: Int64($0 + 1)) ?? "?" }
    let truth = corpus.map(\.topic)
    let purity = ClusteringQuality.purity(assigned: assigned, truth: truth)
    let ari = ClusteringQuality.adjustedRandIndex(assigned: assigned, truth: truth)
    let areas = corpus.map(\.area)
    let areaPurity = ClusteringQuality.purity(assigned: assigned, truth: areas)
    let areaARI = ClusteringQuality.adjustedRandIndex(assigned: assigned, truth: areas)
    let proposals = clusterer.clusters(atLeast: 3).count
    print(String(format: "  %7d summaries: %7.2f s   mean %6.1f µs/add   p50 %6.1f µs   p99 %7.1f µs   max %8.1f µs",
                 corpus.count, seconds, seconds * 1e6 / Double(max(1, corpus.count)), micros(0.5), micros(0.99), micros(1)))
    print(String(format: "           %d clusters (%d with 3+ members); against %d topics (area × problem, one-offs apart): "
                    + "purity %.3f, ARI %.3f; against the %d areas: purity %.3f, ARI %.3f",
                 clusterer.clusterCount, proposals, Set(truth).count, purity, ari, Set(areas).count, areaPurity, areaARI))
    if let memoryBefore, let memoryAfter {
        print(String(format: "           resident memory %.0f MiB after (%.0f MiB before this run, peak so far %.0f MiB)",
                     memoryAfter.current, memoryBefore.current, memoryAfter.peak))
    }
    return seconds
}

/// The clustering benchmark: one run per size (default 10,000 and 100,000), then the growth ratio.
func clusteringBench() {
    let sizes = (option("--clustering-sizes", "10000,100000") ?? "10000,100000")
        .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
    guard let largest = sizes.max() else { return }
    // One corpus; each run takes a prefix, so the smaller run is the start of the larger one.
    let corpus = SummaryCorpus.generate(count: largest)
    let averageLength = corpus.prefix(10_000).reduce(0) { $0 + $1.text.utf8.count } / max(1, min(10_000, corpus.count))
    print("ticket clustering (TicketClusterer, one guild, summaries added one by one; avg \(averageLength) B, "
        + "\(SummaryCorpus.areas.count * SummaryCorpus.problems.count) topics + 5% one-offs):")
    clusteringFixtureRun(configuration: TicketClusterer.Configuration())
    var times: [(Int, Double)] = []
    for size in sizes {
        times.append((size, clusteringRun(Array(corpus.prefix(size)))))
    }
    if times.count >= 2, let first = times.first, let last = times.last, first.1 > 0 {
        print(String(format: "  growth: %d → %d summaries (%.0fx) took %.1fx the time (linear would be %.0fx)",
                     first.0, last.0, Double(last.0) / Double(first.0), last.1 / first.1, Double(last.0) / Double(first.0)))
    }
}

/// The 65 labelled fixture tickets (`fixtures/tickets/tickets.jsonl`, recorded summaries and keys): purity
/// and ARI in file order and over 20 seeded shuffles, the figures the README quotes for small guilds.
func clusteringFixtureRun(configuration: TicketClusterer.Configuration) {
    guard let tickets = try? FixtureSummary.load(from: URL(fileURLWithPath: "fixtures/tickets/tickets.jsonl")) else {
        print("  fixtures: fixtures/tickets/tickets.jsonl not found or unreadable (run from the repository root)")
        return
    }
    func run(_ order: [FixtureSummary]) -> (clusters: Int, purity: Double, ari: Double) {
        var clusterer = TicketClusterer(configuration: configuration)
        for t in order { _ = clusterer.add(id: t.id, text: t.summary.summary, similarityKey: t.summary.similarity_key) }
        let assigned = order.map { clusterer.clusterID(of: $0.id) ?? "?" }
        let truth = order.map(\.topic)
        return (clusterer.clusterCount, ClusteringQuality.purity(assigned: assigned, truth: truth),
                ClusteringQuality.adjustedRandIndex(assigned: assigned, truth: truth))
    }
    let fileOrder = run(tickets)
    var rng = SeededGenerator(state: 65)
    let shuffled = (0..<20).map { _ in run(tickets.shuffled(using: &rng)) }
    print(String(format: "  fixtures (%d tickets, %d topics): file order %d clusters, purity %.3f, ARI %.3f; "
                    + "20 shuffles: purity min %.3f, ARI mean %.3f (min %.3f)",
                 tickets.count, Set(tickets.map(\.topic)).count, fileOrder.clusters, fileOrder.purity, fileOrder.ari,
                 shuffled.map(\.purity).min() ?? 0, shuffled.map(\.ari).reduce(0, +) / Double(shuffled.count),
                 shuffled.map(\.ari).min() ?? 0))
}
