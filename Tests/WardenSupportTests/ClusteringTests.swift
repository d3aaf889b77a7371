import Foundation
import Testing
import WardenTestSupport
@testable import WardenSupport
import WardenCore

/// Clusters `tickets` in the given order; checks on every addition that each ticket whose cluster changed
/// is a member of the cluster `add` returned (what a caller that persists assignments relies on).
/// Returns the clusterer, purity and ARI against the fixture topics.
private func clusterFixtures(_ order: [FixtureSummary], _ configuration: TicketClusterer.Configuration = .init())
    -> (TicketClusterer, purity: Double, ari: Double)
{
    var clusterer = TicketClusterer(configuration: configuration)
    var seen: [Int64] = []
    for t in order {
        let before = seen.map { ($0, clusterer.clusterID(of: $0)) }
        let a = clusterer.add(id: t.id, text: t.summary.summary, similarityKey: t.summary.similarity_key)
        let members = Set(clusterer.members(of: a.clusterID))
        for (ticket, old) in before where clusterer.clusterID(of: ticket) != old {
            #expect(members.contains(ticket), "ticket \(ticket) moved out of \(old ?? "?") but not into \(a.clusterID)")
        }
        seen.append(t.id)
    }
    let assigned = order.map { clusterer.clusterID(of: $0.id) ?? "?" }
    let truth = order.map(\.topic)
    return (clusterer, ClusteringQuality.purity(assigned: assigned, truth: truth),
            ClusteringQuality.adjustedRandIndex(assigned: assigned, truth: truth))
}

/// Summary `i` of the synthetic stream: nine topics in turn, each with four of nine filler words and an
/// order number. Deterministic, so results (and the pair split below) are the same every run.
private func syntheticSummary(_ i: Int) -> (text: String, topic: String) {
    let topics = [
        "refund money back purchase yearly plan", "card declined payment failed checkout bank",
        "premium role missing after purchase sync", "link game account discord token",
        "bot not responding commands channel permission", "ban appeal moderation unban form",
        "password reset two factor authenticator", "cancel subscription auto renew billing",
        "server lag ping disconnect connection",
    ]
    let fillers = ["quickly", "yesterday", "again", "today", "weekend", "mobile", "desktop", "europe", "twice"]
    let t = topics[i % topics.count]
    let extra = (0..<4).map { k in fillers[(i * 7 + k * 5 + i / 9) % fillers.count] }
    return ("\(t) \(extra.joined(separator: " ")) order \((i * 7919) % 100_000)", t)
}

private func loadFixtureTickets() throws -> [FixtureSummary] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/tickets/tickets.jsonl")
    return try FixtureSummary.load(from: url)
}

@Suite struct ClusteringTests {
    // MARK: Vectorizer

    @Test func normalizationAndStemming() {
        #expect(TextVectorizer.words("Can't  LOG-in, Café!") == ["cant", "log", "in", "cafe"])
        #expect(TextVectorizer.stem("refunds") == "refund")
        #expect(TextVectorizer.stem("refunded") == "refund")
        #expect(TextVectorizer.stem("refunding") == "refund")
        #expect(TextVectorizer.stem("class") == "class")
        #expect(TextVectorizer.contentWords("The user asked for a refund") == ["refund"])
    }

    @Test func identicalTextsHaveCosineOne() {
        var v = TextVectorizer()
        v.add("The user requested a refund for the yearly plan.")
        v.add("The bot was offline after an update.")
        let a = v.vector("The user requested a refund for the yearly plan.")
        #expect(abs(SparseVector.cosine(a, a) - 1) < 1e-9)
        #expect(abs(a.norm - 1) < 1e-9)
        #expect(a.indices == a.indices.sorted())
    }

    @Test func unrelatedTextsAreNearZeroAndSameTopicScoresHigher() {
        var v = TextVectorizer()
        let corpus = [
            "The user asked for a refund of the yearly premium plan bought by mistake.",
            "The user wanted their money back for an unused premium subscription; staff refunded it.",
            "The bot did not respond to slash commands in the bot channel.",
            "Heavy lag and high ping on the EU game server during a DDoS.",
            "The user forgot their password and the reset email never arrived.",
        ]
        for text in corpus { v.add(text) }
        let refund = v.similarity(corpus[0], corpus[1])
        let unrelated = v.similarity(corpus[0], corpus[3])
        #expect(unrelated < 0.08, "unrelated: \(unrelated)")
        #expect(refund > unrelated + 0.1, "same topic \(refund) vs different \(unrelated)")
        #expect(v.similarity("", corpus[0]) == 0)
    }

    @Test func sparseDotMatchesDictionaryDot() {
        let a = SparseVector([1: 1, 5: 2, 9: 3])
        let b = SparseVector([5: 4, 9: -1, 12: 7, 0: 0])
        #expect(b.indices == [5, 9, 12])
        #expect(a.dot(b) == 8 - 3)
    }

    // MARK: Clusterer on the fixtures

    @Test func fixtureClusteringQuality() throws {
        let tickets = try loadFixtureTickets()
        #expect(tickets.count >= 60)
        var clusterer = TicketClusterer()
        var returned: [(Int64, String)] = []
        for t in tickets {
            let a = clusterer.add(id: t.id, text: t.summary.summary, similarityKey: t.summary.similarity_key)
            returned.append((t.id, a.clusterID))
        }
        // Every id handed out stays valid after later merges: it resolves to the ticket's current cluster
        // (in this order no pair is split, which would move a ticket under a new id; see below).
        for (ticket, id) in returned {
            #expect(clusterer.members(of: id).contains(ticket), "\(id) lost ticket \(ticket)")
            #expect(clusterer.cluster(id)?.id == clusterer.clusterID(of: ticket))
        }
        #expect(clusterer.clusterSizes.count == clusterer.clusterCount)
        #expect(clusterer.clusterSizes.values.reduce(0, +) == tickets.count)
        let assigned = tickets.map { clusterer.clusterID(of: $0.id) ?? "?" }
        let truth = tickets.map(\.topic)
        let purity = ClusteringQuality.purity(assigned: assigned, truth: truth)
        let ari = ClusteringQuality.adjustedRandIndex(assigned: assigned, truth: truth)
        print(
            "fixture clustering: \(tickets.count) summaries, \(clusterer.clusterCount) clusters "
                + "(\(Set(truth).count) topics), purity \(String(format: "%.3f", purity)), "
                + "ARI \(String(format: "%.3f", ari))")
        for c in clusterer.clusters(atLeast: 1) {
            let topics = c.members.compactMap { id in tickets.first { $0.id == id }?.topic }
            print("  \(c.id) size \(c.size): \(topics.joined(separator: ","))")
        }
        // Honest bounds of the current method (measured purity 0.985, ARI 0.769, 22 clusters; before the
        // key-word features and small-cluster merge: 0.923 / 0.589). Some topics still split: server lag
        // (worded very differently) into 4, "password_2fa" into a 2FA and a password cluster of 3+, which
        // ARI punishes. These splits are in the text itself, not the incremental method: clustering all 65
        // at once by average or centroid linkage (full IDF, best stopping point chosen with the answers)
        // reaches only ARI 0.73-0.79 on these features, since the password tickets are closer to the account
        // link tickets than to the 2FA ones. Getting past that needs embeddings (or a better summary key).
        #expect(purity >= 0.97)
        #expect(ari >= 0.72)
        // Every topic with 5+ tickets reaches the default proposal threshold of 3 in one cluster.
        let big = clusterer.clusters(atLeast: 3)
        #expect(big.count >= 8)
    }

    @Test func clusterIDsAreStableAndQueriesAgree() {
        var c = TicketClusterer()
        let a = c.add(id: 10, text: "Card declined when buying premium, bank required 3D Secure.", similarityKey: "card-declined")
        let b = c.add(id: 11, text: "Premium purchase card declined by the bank; 3D Secure approval fixed it.", similarityKey: "payment-failed")
        let d = c.add(id: 12, text: "Dark mode suggestion for the web dashboard.", similarityKey: nil)
        #expect(a.clusterID == "c-10" && a.isNew)
        #expect(b.clusterID == "c-10" && !b.isNew && b.size == 2)
        #expect(d.clusterID == "c-12" && d.isNew)
        #expect(c.members(of: "c-10") == [10, 11])
        #expect(c.size(of: "c-12") == 1)
        #expect(c.clusterSizes == ["c-10": 2, "c-12": 1])
        #expect(c.clusters(atLeast: 2).map(\.id) == ["c-10"])
        // Re-adding is idempotent (a retried job).
        let again = c.add(id: 11, text: "whatever", similarityKey: nil)
        #expect(again.clusterID == "c-10" && c.count == 3)
        // Restoring from stored assignments reproduces ids.
        var r = TicketClusterer()
        r.restore(id: 10, text: "x", similarityKey: nil, clusterID: "c-10")
        r.restore(id: 11, text: "y", similarityKey: nil, clusterID: "c-10")
        #expect(r.members(of: "c-10") == [10, 11])
    }

    @Test func similarityKeyAloneDoesNotMerge() {
        var c = TicketClusterer()
        let a = c.add(id: 1, text: "The user's card was declined at checkout; a prepaid card is not accepted.", similarityKey: "account-issue")
        let b = c.add(id: 2, text: "The user forgot their password and the reset link had expired.", similarityKey: "Account Issue")
        #expect(a.clusterID != b.clusterID)
        #expect(TicketClusterer.normalizeKey("Account Issue") == TicketClusterer.normalizeKey("account_issue"))
    }

    @Test func similarityKeyHelpsABorderlineMatch() {
        let first = "The bot stopped answering commands in the channel after a permission change."
        let second = "Bot offline since the morning, a developer had reset its token."
        var without = TicketClusterer()
        _ = without.add(id: 1, text: first, similarityKey: "bot-down")
        let score = without.add(id: 2, text: second, similarityKey: "other").score
        var with = TicketClusterer()
        _ = with.add(id: 1, text: first, similarityKey: "bot-down")
        let joined = with.add(id: 2, text: second, similarityKey: "bot-down")
        // Whatever the text score, the key can only raise it, by exactly the bonus.
        #expect(score <= joined.score || joined.isNew)
    }

    @Test func embeddingsDecideWhenEveryMemberHasOne() {
        var c = TicketClusterer()
        // Texts share nothing; the embeddings say 1 and 2 are the same topic, 3 is not.
        let a = c.add(id: 1, text: "alpha", similarityKey: nil, embedding: [1, 0.1, 0])
        let b = c.add(id: 2, text: "omega", similarityKey: nil, embedding: [0.95, 0.15, 0.05])
        let d = c.add(id: 3, text: "alpha", similarityKey: nil, embedding: [0, 0, 1])
        #expect(b.clusterID == a.clusterID)
        #expect(d.clusterID != a.clusterID)
        // A member without an embedding moves the cluster to text similarity.
        let e = c.add(id: 4, text: "alpha", similarityKey: nil, embedding: nil)
        #expect(e.clusterID == "c-1" || e.clusterID == "c-3" || e.isNew)
        #expect(c.count == 4)
    }

    @Test func keyBonusIsBelowTheThresholds() {
        let config = TicketClusterer.Configuration()
        // The bonus is a fraction of the threshold, capped at one half: text must reach half alone.
        #expect(config.similarityKeyBonus < 1)
        #expect(TicketClusterer.Configuration(similarityKeyBonus: 3).similarityKeyBonus == 0.5)
    }

    // MARK: Quality metrics

    @Test func purityHandComputed() {
        // Clusters {a,a,b} and {b,c}: majorities 2 + 1 of 5.
        let p = ClusteringQuality.purity(assigned: ["1", "1", "1", "2", "2"], truth: ["a", "a", "b", "b", "c"])
        #expect(abs(p - 0.6) < 1e-12)
        #expect(ClusteringQuality.purity(assigned: [], truth: []) == 0)
    }

    @Test func adjustedRandIndexHandComputed() {
        // Identical partitions up to renaming.
        #expect(ClusteringQuality.adjustedRandIndex(assigned: ["x", "x", "y", "y", "z"], truth: ["a", "a", "b", "b", "c"]) == 1)
        // truth {0,1},{2,3}; assigned {0,1},{2},{3}: index 1, row pairs 1, column pairs 2, total 6,
        // expected 1·2/6 = 1/3, max 1.5 → (1 − 1/3)/(1.5 − 1/3) = 4/7.
        let ari = ClusteringQuality.adjustedRandIndex(assigned: ["0", "0", "1", "2"], truth: ["0", "0", "1", "1"])
        #expect(abs(ari - 4.0 / 7.0) < 1e-12)
        // One cluster against all singletons: agreement no better than chance.
        #expect(ClusteringQuality.adjustedRandIndex(assigned: ["a", "a", "a", "a"], truth: ["0", "1", "2", "3"]) == 0)
        // Degenerate: both all singletons.
        #expect(ClusteringQuality.adjustedRandIndex(assigned: ["a", "b"], truth: ["x", "y"]) == 1)
    }

    // MARK: Scale

    /// Many reworded summaries of a few topics stay with their topics (the timing of 10,000 and 100,000
    /// belongs in the release benchmark, not here).
    @Test func manySyntheticSummariesStayInTheirTopics() {
        var c = TicketClusterer()
        var assigned: [String] = [], truth: [String] = []
        for i in 0..<900 {
            // Deterministic variety, so the result (and the known issue below) is the same every run.
            let (text, topic) = syntheticSummary(i)
            assigned.append(c.add(id: Int64(i), text: text, similarityKey: nil).clusterID)
            truth.append(topic)
        }
        #expect(c.count == 900)
        #expect(c.clusterCount <= 30, "\(c.clusterCount) clusters for 9 topics")
        // While the corpus is tiny, IDF cannot tell topic words from filler, so "refund ... purchase" and
        // "premium role ... purchase" pair up on the third summary through "purchase" and three shared
        // filler words (purity 0.89 before the pair review). When the next refund summary arrives, the pair
        // review sees the premium summary is atypical of the two refunds and moves it out (purity 0.999).
        let purity = ClusteringQuality.purity(assigned: assigned, truth: truth)
        #expect(purity >= 0.95, "purity \(purity)")
    }
}


extension ClusteringTests {
    /// Small clusters merged after an addition: the absorbed ids stay valid aliases of the survivor,
    /// merged-away ids are no longer listed, and `mergeBelowSize: 0` turns merging off.
    @Test func smallClusterMergesKeepReturnedIDsValid() throws {
        let tickets = try loadFixtureTickets()
        func run(_ configuration: TicketClusterer.Configuration) -> (TicketClusterer, [(Int64, String)]) {
            var c = TicketClusterer(configuration: configuration)
            let returned = tickets.map { t in
                (t.id, c.add(id: t.id, text: t.summary.summary, similarityKey: t.summary.similarity_key).clusterID)
            }
            return (c, returned)
        }
        let (merged, returned) = run(.init())
        let moved = returned.filter { merged.clusterID(of: $0.0) != $0.1 }
        #expect(!moved.isEmpty, "the fixtures exercise at least one merge")
        for (ticket, oldID) in moved {
            let survivor = try #require(merged.clusterID(of: ticket))
            #expect(merged.clusterSizes[oldID] == nil && merged.clusterSizes[survivor] != nil)
            #expect(merged.members(of: oldID) == merged.members(of: survivor))
            #expect(merged.cluster(oldID)?.id == survivor)
        }
        // Restoring into a merged-away id lands in the survivor.
        if let (_, oldID) = moved.first {
            var copy = merged
            copy.restore(id: 9_999, text: "x", similarityKey: nil, clusterID: oldID)
            #expect(copy.clusterID(of: 9_999) == merged.cluster(oldID)?.id)
        }
        let (plain, plainReturned) = run(.init(mergeBelowSize: 0))
        #expect(plainReturned.allSatisfy { plain.clusterID(of: $0.0) == $0.1 })
    }
}

extension ClusteringTests {
    /// A real desk sees tickets in any order: the fixtures in three seeded shuffles.
    @Test func fixtureClusteringQualityInShuffledOrders() throws {
        let tickets = try loadFixtureTickets()
        var figures: [String] = []
        for seed: UInt64 in [1, 2, 3] {
            var rng = SeededGenerator(state: seed)
            let (clusterer, purity, ari) = clusterFixtures(tickets.shuffled(using: &rng))
            figures.append(String(format: "seed %llu: %d clusters, purity %.3f, ARI %.3f", seed, clusterer.clusterCount, purity, ari))
            // Measured 0.985 / 0.769, 0.985 / 0.746, 0.985 / 0.765. Over 20 other seeds (warden-bench
            // --clustering): ARI mean 0.741, min 0.681, purity min 0.892; the floor leaves room for the spread
            // of orders, not for regressions.
            #expect(purity >= 0.95, "seed \(seed): purity \(purity)")
            #expect(ari >= 0.70, "seed \(seed): ARI \(ari)")
        }
        print("fixture clustering, shuffled orders: " + figures.joined(separator: "; "))
    }

    /// A pair formed on filler words is split when a third summary shows it: the outlier keeps the old id
    /// (its stored assignment stays right), the other member moves to a new cluster with the newcomer, and
    /// the moved ticket is in the cluster `add` returns.
    @Test func pairFormedOnFillerIsSplitByTheThirdSummary() {
        func run(_ configuration: TicketClusterer.Configuration) -> (TicketClusterer, [ClusterAssignment]) {
            var c = TicketClusterer(configuration: configuration)
            let assignments = (0..<10).map { c.add(id: Int64($0), text: syntheticSummary($0).text, similarityKey: nil) }
            return (c, assignments)
        }
        let (c, a) = run(.init())
        // Summary 2 (premium role) pairs with summary 0 (refund) on "purchase" and filler words.
        #expect(a[2].clusterID == "c-0" && a[2].size == 2, "\(a[2])")
        // Summary 9 (refund again) splits the pair: 2 stays in c-0, 0 moves to a new cluster with 9.
        #expect(c.members(of: "c-0") == [2])
        #expect(c.members(of: a[9].clusterID) == [0, 9])
        #expect(a[9].clusterID != "c-0" && !a[9].isNew && a[9].size == 2)
        // With the review off, the pair takes the third member.
        let (off, b) = run(.init(outlierRatio: 0))
        #expect(b[9].clusterID == "c-0" && off.members(of: "c-0") == [0, 2, 9])

    }
}

extension ClusteringTests {
    /// The cluster's term table against a dictionary: every key found with its sums after many growths,
    /// absent keys absent, iteration yields each entry once, and `sum` agrees with the subscript.
    @Test func clusterTermsAgreeWithADictionary() {
        var table = ClusterTerms(keyBits: 18)
        var reference: [UInt32: TermSum] = [:]
        var rng = SeededGenerator(state: 18)
        for n in 0..<20_000 {
            // Keys over the whole 18-bit space, both halves (word and character features), some repeated.
            let key = UInt32.random(in: 0..<(1 << 18), using: &rng)
            let value = TermSum(sum: Float(n % 97) + 0.5, square: Float(n % 13) + 0.25)
            table[key] = value
            reference[key] = value
        }
        #expect(table.count == reference.count)
        for (key, value) in reference {
            #expect(table[key] == value)
            #expect(table.sum(key) == value.sum)
        }
        var seen: [UInt32: TermSum] = [:]
        for (key, value) in table {
            #expect(seen[key] == nil, "key \(key) twice")
            seen[key] = value
        }
        #expect(seen == reference)
        var missing = 0
        for key in UInt32(0)..<(1 << 18) where reference[key] == nil {
            if table[key] != nil || table.sum(key) != nil { missing += 1 }
        }
        #expect(missing == 0)
    }
}
