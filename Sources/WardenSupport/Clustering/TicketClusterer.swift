import Foundation
import WardenCore

/// Where `TicketClusterer.add` put a summary.
public struct ClusterAssignment: Sendable, Equatable {
    /// Stable id of the cluster (after any merge or pair split this addition caused), `c-<ticket id>` of the
    /// ticket that started it (after a pair split, the moved member's or the newcomer's); what
    /// `faq_proposals.cluster_key` stores.
    public var clusterID: String
    /// True when the summary started a new cluster (and it was not merged into another right away).
    public var isNew: Bool
    /// Score that decided the join (similarity plus key bonus), or, when the summary's cluster was then
    /// merged, the best merge score; 0 for a new cluster.
    public var score: Double
    /// Members of the cluster after this addition.
    public var size: Int
}

/// One cluster as seen from outside.
public struct TicketCluster: Sendable, Equatable {
    public var id: String
    /// Ticket ids in the order they joined (an absorbed cluster's members appended at the merge).
    public var members: [Int64]
    /// How often each (normalized) similarity key occurs among the members.
    public var similarityKeys: [String: Int]

    public var size: Int { members.count }
    /// The most frequent similarity key (ties broken alphabetically), a label for the proposal prompt.
    public var dominantKey: String? {
        similarityKeys.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
    }
}

/// Incremental clustering of one guild's ticket summaries into candidate FAQ topics.
///
/// Each summary joins the most similar existing cluster when the score reaches a threshold, or starts a
/// new one. Clusters of three or more members never split. **Pair review:** when a third summary is about
/// to join a pair, the three are compared under the current IDF; if one of the pair is atypical of the
/// other two (`outlierRatio`) it stays alone under the pair's id and the other member moves, with the
/// newcomer, to a new cluster. This undoes pairs formed on filler words while the corpus was too small for
/// IDF to know them. **Merging:** right after an addition, a *small* cluster (fewer than
/// `mergeBelowSize` members, default 3) whose centroid is now close enough to another cluster's centroid
/// (`textMergeThreshold`) is absorbed into it; this joins same-topic tickets that arrived before IDF or
/// the cluster had enough data to match them. A cluster of `mergeBelowSize`+ members (big enough for a
/// proposal) is never absorbed, so its id and members stay. The survivor keeps its id (between two small
/// clusters, the older one's); the absorbed id stays valid as an alias (`members(of:)`, `cluster(_:)` and
/// `restore` resolve it to the survivor), `clusterID(of:)` of a moved ticket returns the survivor, and
/// `add` reports the cluster after merging. Every ticket that moves during an `add` (merged in, or the pair
/// member moved by a review) is in the cluster `add` returns; callers that persist assignments should store
/// the returned cluster's members again when their count differs, or `restore` rebuilds the old state.
///
/// **Features.** The summary text plus the words of its similarity key (`featureText`).
///
/// **Similarity.** Cosine between the summary and the cluster centroid: dense over embeddings when the
/// summary and every member of the cluster have one (of the same dimension), otherwise sparse TF-IDF
/// (`TextVectorizer`). A matching similarity key (any member's key, normalized) adds
/// `similarityKeyBonus`, which is below the threshold: the key helps a borderline text match, it never
/// merges unrelated texts alone. Dense and sparse scores live on different scales, so candidates are
/// compared by their margin over the threshold of their own mode. **Typicality veto:** a text cluster of
/// 2+ members is not joined (or merged with) when the newcomer's average cosine to its members is below
/// `outlierRatio` × the members' own average pairwise cosine, so a tight cluster is not diluted by a text
/// that only matches its centroid loosely.
///
/// **IDF drift.** Centroids store the *sum of the members' term-frequency vectors* (corpus-independent),
/// and IDF is applied at comparison time with the current document frequencies, so early members are not
/// frozen with the poor IDF of a near-empty corpus. Each feature also keeps the sum of the members'
/// squared term frequencies, which gives Σ‖member‖² under any IDF and so the average pairwise cosine of the
/// members without storing them. The centroid's and the members' weighted norms are cached and refreshed
/// fully whenever the corpus has grown by `normRefreshGrowth` since the last refresh (updated
/// incrementally in between), which keeps scoring O(summary features) per candidate.
///
/// **Scale.** Clusters are indexed by their word features (inverted index). A new summary looks up only
/// its `candidateFeatures` highest-weighted word features, ranks the clusters found by shared weight and
/// scores only the best `maxCandidates` exactly, plus clusters sharing its similarity key. With
/// embeddings, all embedded clusters are compared when there are at most `bruteForceEmbeddingLimit` of
/// them; beyond that the text index narrows the candidates.
/// `warden-bench --clustering` measures it: 100,000 summaries of one guild in 6.2-6.6 s (62-66 µs per add,
/// p99 121-135 µs, 10.9-11.2x the time of 10,000) on a 2-core machine; scoring is then mostly cache misses in
/// the candidates' term tables (`ClusterTerms`).
///
/// A `Sendable` value type with `mutating add`: the caller owns one per guild (e.g. inside an actor or
/// a `Mutex`), and a value is easy to copy into tests and benchmarks. Not internally synchronized.
public struct TicketClusterer: Sendable {
    /// Thresholds and search limits. Defaults chosen on `fixtures/tickets/tickets.jsonl` (in file order and
    /// 20 seeded shuffles) and the synthetic test of `ClusteringTests`.
    public struct Configuration: Sendable, Equatable {
        /// Minimum TF-IDF cosine (plus key bonus) to join a cluster. At the defaults the fixtures give purity
        /// 0.985, ARI 0.769 in file order (`warden-bench --clustering`, 20 shuffles: ARI mean 0.741, min
        /// 0.681, purity min 0.892); 0.20-0.23 was a plateau (mean ARI 0.72-0.74, with 3-5-grams). Below it the synthetic test's topics merge through shared filler
        /// words (0.18: purity 0.67 there) and at 0.16 fixture purity falls to 0.92.
        public var textThreshold: Double
        /// Minimum embedding cosine (plus key bonus) to join a cluster. 0.80 suits typical sentence
        /// embedding models, whose unrelated texts still score around 0.6-0.7.
        public var embeddingThreshold: Double
        /// Bonus for a matching similarity key, as a fraction of the threshold in use: a match adds
        /// `similarityKeyBonus × threshold` to the score. Relative rather than absolute because TF-IDF
        /// cosines between summaries run about 0.05-0.4 while embedding cosines run 0.6-1.0, so one
        /// absolute bonus would mean very different things. Kept below 1 (clamped to 0.5) so that the key
        /// never decides alone: the text must reach at least half the threshold by itself. Default 0.4.
        public var similarityKeyBonus: Double
        /// How many of the summary's top word features are looked up in the inverted index. 24: the top
        /// features are the rarest, and while the corpus is tiny those are the ones no cluster shares, so
        /// 12 missed an obvious same-topic match once the key words added more unshared features.
        public var candidateFeatures: Int
        /// How many clusters found through the index are scored exactly (plus as many sharing the summary's
        /// key). 8: scoring is one lookup per feature of the summary in each candidate's term table, most of
        /// the cost of an addition in a big guild; 24 took twice as long for the same fixture figures and
        /// slightly worse ones in the benchmark (10,000 generated summaries: purity 0.502 against 0.523).
        public var maxCandidates: Int
        /// Longest tail of one posting list scanned (the most recent clusters), bounding very common words.
        public var maxPostingsPerFeature: Int
        /// Compare embeddings against every embedded cluster up to this many clusters.
        public var bruteForceEmbeddingLimit: Int
        /// Refresh a centroid's cached norm when the corpus has grown by this factor since.
        public var normRefreshGrowth: Double
        public var vectorizer: TextVectorizer.Configuration
        /// Minimum centroid-to-centroid TF-IDF cosine (plus key bonus) to merge a small cluster into
        /// another after an addition. Centroids are smoother than single summaries, so this sits above
        /// `textThreshold`. 0.22: 0.20 scores better in file order (ARI 0.77) but worse over shuffles (purity
        /// down to 0.89), 0.18 lets clusters swallow small clusters of other topics (synthetic test purity
        /// 0.67); 0.25 gives ARI 0.70.
        public var textMergeThreshold: Double
        /// Same for clusters whose members all have embeddings (cosine of the embedding centroids).
        public var embeddingMergeThreshold: Double
        /// Only clusters with fewer members than this are ever absorbed into another (default 3, the
        /// default proposal size), so a cluster big enough to back a proposal keeps its id and members.
        /// 0 or 1 turns merging off.
        public var mergeBelowSize: Int
        /// Typicality veto and pair review: a summary (or a small cluster being merged) whose average cosine
        /// to a text cluster of 2+ members is below this fraction of the members' average pairwise cosine does
        /// not join it; and when a pair is joined by a third summary, a pair member whose average cosine to
        /// the other two is below this fraction of theirs leaves. 0 turns both off. 0.5: the synthetic test
        /// goes from purity 0.89 to 0.999 (0.4 also fixes it), fixture purity over 20 shuffles stays at
        /// 0.954 or more (0.892 without); 0.6 lowers fixture ARI to 0.727.
        public var outlierRatio: Double

        public init(
            textThreshold: Double = 0.20, embeddingThreshold: Double = 0.80, similarityKeyBonus: Double = 0.4,
            candidateFeatures: Int = 24, maxCandidates: Int = 8, maxPostingsPerFeature: Int = 2_000,
            bruteForceEmbeddingLimit: Int = 2_000, normRefreshGrowth: Double = 1.25,
            vectorizer: TextVectorizer.Configuration = TextVectorizer.Configuration(),
            textMergeThreshold: Double = 0.22, embeddingMergeThreshold: Double = 0.85, mergeBelowSize: Int = 3,
            outlierRatio: Double = 0.5
        ) {
            self.outlierRatio = max(0, outlierRatio)
            self.textMergeThreshold = textMergeThreshold
            self.embeddingMergeThreshold = embeddingMergeThreshold
            self.mergeBelowSize = max(0, mergeBelowSize)
            self.textThreshold = textThreshold
            self.embeddingThreshold = embeddingThreshold
            self.similarityKeyBonus = min(max(similarityKeyBonus, 0), 0.5)
            self.candidateFeatures = max(1, candidateFeatures)
            self.maxCandidates = max(1, maxCandidates)
            self.maxPostingsPerFeature = max(1, maxPostingsPerFeature)
            self.bruteForceEmbeddingLimit = max(0, bruteForceEmbeddingLimit)
            self.normRefreshGrowth = max(1, normRefreshGrowth)
            self.vectorizer = vectorizer
        }
    }

    private struct Cluster: Sendable {
        var id: String
        var members: [Int64]
        var terms: ClusterTerms
        /// Cached under the current IDF w: ‖Σ tf ∘ w‖² (the centroid) and Σ ‖tf ∘ w‖² (the members), with the
        /// corpus size at which they were last fully computed.
        var weightedNormSquared: Double
        var memberNormSquared: Double
        var normComputedAt: Int
        var keys: [String: Int]
        /// Sum of the members' unit embeddings, nil once a member had none (or another dimension).
        var embeddingSum: [Double]?
        /// Set when this cluster was merged into another (then `members` is empty): the survivor's index.
        var absorbedInto: Int? = nil
        /// While the cluster has exactly two members: the first one's term frequencies and key, so that the
        /// pair can be re-examined (and split) when a third member arrives. Nil otherwise.
        var firstMember: FirstMember? = nil
    }

    private struct FirstMember: Sendable {
        var tf: SparseVector
        var key: String?
    }

    /// A new summary's term frequencies prepared once for scoring against many clusters.
    private struct Query {
        /// (feature, tf × idf²): the dot product with a cluster's TF sum weighted by idf is Σ weight × sum.
        var features: [(UInt32, Double)]
        /// ‖tf ∘ idf‖.
        var norm: Double
    }

    /// Text scores of a summary (or a cluster) against a cluster.
    private struct TextScore {
        /// Cosine with the cluster centroid.
        var centroid: Double
        /// Average cosine with the members (exact up to the members' norms being averaged).
        var average: Double
    }

    public let configuration: Configuration
    public private(set) var vectorizer: TextVectorizer
    private var clusters: [Cluster] = []
    private var clusterIndex: [String: Int] = [:]
    private var ticketCluster: [Int64: Int] = [:]
    /// Word feature → clusters containing it, in creation order.
    private var postings: [UInt32: [Int32]] = [:]
    /// Normalized similarity key → clusters with a member carrying it.
    private var keyPostings: [String: [Int32]] = [:]
    private var embeddedClusterCount = 0
    /// Scratch for `textCandidates`: shared weight per cluster index, all zero between calls.
    private var sharedWeight: [Double] = []
    private var liveClusterCount = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        vectorizer = TextVectorizer(configuration: configuration.vectorizer)
    }

    // MARK: Queries

    /// Number of summaries added.
    public var count: Int { ticketCluster.count }
    /// Number of clusters.
    public var clusterCount: Int { liveClusterCount }

    /// Cluster of a ticket, if it was added: after a merge, the surviving cluster.
    public func clusterID(of ticketID: Int64) -> String? {
        ticketCluster[ticketID].map { clusters[$0].id }
    }

    /// Ticket ids of a cluster in joining order, the members of an absorbed cluster appended when it was
    /// merged in (empty for an unknown id). The id of a cluster that was
    /// merged into another resolves to the survivor.
    public func members(of clusterID: String) -> [Int64] {
        clusterIndex[clusterID].map { clusters[resolve($0)].members } ?? []
    }

    /// Size of a cluster (0 for an unknown id).
    public func size(of clusterID: String) -> Int { members(of: clusterID).count }

    /// Size of every live cluster by id (merged-away ids are not listed).
    public var clusterSizes: [String: Int] {
        Dictionary(uniqueKeysWithValues: clusters.lazy.filter { $0.absorbedInto == nil }.map { ($0.id, $0.members.count) })
    }

    /// One cluster by id; the id of a cluster merged into another gives the survivor.
    public func cluster(_ clusterID: String) -> TicketCluster? {
        clusterIndex[clusterID].map { public_(clusters[resolve($0)]) }
    }

    /// Clusters with at least `n` members, largest first (ties in creation order): the FAQ candidates.
    public func clusters(atLeast n: Int) -> [TicketCluster] {
        clusters.enumerated()
            .filter { $0.element.absorbedInto == nil && $0.element.members.count >= n }
            .sorted { a, b in
                a.element.members.count != b.element.members.count
                    ? a.element.members.count > b.element.members.count : a.offset < b.offset
            }
            .map { public_($0.element) }
    }

    private func public_(_ c: Cluster) -> TicketCluster {
        TicketCluster(id: c.id, members: c.members, similarityKeys: c.keys)
    }

    /// Normalizes a similarity key so that "Refund Request", "refund_request" and "refund-request" match.
    public static func normalizeKey(_ key: String?) -> String? {
        guard let key else { return nil }
        let parts = TextVectorizer.words(key)
        return parts.isEmpty ? nil : parts.joined(separator: "-")
    }

    // MARK: Adding

    /// Adds one summary and returns its cluster. Adding a ticket id a second time changes nothing and
    /// returns its existing cluster (the summary job may be retried).
    ///
    /// Every ticket whose cluster changes during the call (a small cluster merged in, or the pair member that
    /// moves when a pair is split) ends up in the returned cluster, so a caller that persists assignments only
    /// needs to re-store the members of `clusterID` when their number differs from what it has stored.
    ///
    /// - Parameters:
    ///   - embedding: the summary's embedding, when an embeddings model is configured; compared densely
    ///     with clusters whose members all have one.
    public mutating func add(id: Int64, text: String, similarityKey: String?, embedding: [Double]? = nil)
        -> ClusterAssignment
    {
        if let existing = ticketCluster[id] {
            let c = clusters[existing]
            return ClusterAssignment(clusterID: c.id, isNew: false, score: 0, size: c.members.count)
        }
        let tf = vectorizer.termFrequencies(Self.featureText(text, similarityKey))
        vectorizer.addDocument(tf)
        let key = Self.normalizeKey(similarityKey)
        let unitEmbedding = embedding.flatMap(Self.unit)
        let query = prepare(tf)

        // Every cluster that would accept the summary; the best margin wins.
        var accepted: [(index: Int, score: Double, margin: Double)] = []
        let found = candidates(tf: tf, key: key, embedded: unitEmbedding != nil)
        for candidate in found {
            let c = clusters[candidate]
            let bonus = (key.map { c.keys[$0] != nil } ?? false) ? configuration.similarityKeyBonus : 0
            if let e = unitEmbedding, let sum = c.embeddingSum, sum.count == e.count {
                let threshold = configuration.embeddingThreshold
                let score = Self.cosine(e, sum) + bonus * threshold
                if score >= threshold { accepted.append((candidate, score, score - threshold)) }
            } else if let (score, margin) = textDecision(query, candidate, bonus: bonus) {
                accepted.append((candidate, score, margin))
            }
        }
        var target: Int?
        var score = 0.0
        var splitFrom: Int?
        if let best = accepted.max(by: { $0.margin != $1.margin ? $0.margin < $1.margin : $0.index > $1.index }) {
            score = best.score
            target = best.index
            if let outlierIsFirst = reviewPair(best.index, newcomer: tf, key: key) {
                splitFrom = best.index
                target = splitPair(best.index, outlierIsFirst: outlierIsFirst, newcomer: id)
            }
        }
        let final: Int
        if let target {
            join(target, id: id, tf: tf, key: key, embedding: unitEmbedding)
            final = target
        } else {
            final = create(id: Self.freshID(for: id, in: clusterIndex), ticketID: id, tf: tf, key: key, embedding: unitEmbedding)
        }
        let merged = mergeSmall(around: final, candidates: found, excluding: splitFrom)
        let result = clusters[resolve(final)]
        let isNew = target == nil && merged == nil
        return ClusterAssignment(
            clusterID: result.id, isNew: isNew, score: target != nil ? score : merged ?? 0, size: result.members.count)
    }

    /// Puts a summary into a known cluster without comparing, creating the cluster if needed: rebuilds the
    /// state from stored assignments after a restart so that ids and members match what was persisted even
    /// if thresholds have changed since. A ticket already present is left where it is.
    public mutating func restore(
        id: Int64, text: String, similarityKey: String?, embedding: [Double]? = nil, clusterID: String
    ) {
        guard ticketCluster[id] == nil else { return }
        let tf = vectorizer.termFrequencies(Self.featureText(text, similarityKey))
        vectorizer.addDocument(tf)
        let key = Self.normalizeKey(similarityKey)
        let unitEmbedding = embedding.flatMap(Self.unit)
        if let index = clusterIndex[clusterID] {
            join(resolve(index), id: id, tf: tf, key: key, embedding: unitEmbedding)
        } else {
            _ = create(id: clusterID, ticketID: id, tf: tf, key: key, embedding: unitEmbedding)
        }
    }

    // MARK: Internals

    private mutating func candidates(tf: SparseVector, key: String?, embedded: Bool) -> [Int] {
        if embedded, embeddedClusterCount <= configuration.bruteForceEmbeddingLimit {
            // Few enough to compare all; text-only clusters still come through the index below.
            var all = clusters.indices.filter { clusters[$0].embeddingSum != nil && clusters[$0].absorbedInto == nil }
            all.append(contentsOf: textCandidates(tf: tf, key: key).filter { clusters[$0].embeddingSum == nil })
            return all
        }
        return textCandidates(tf: tf, key: key)
    }

    private mutating func textCandidates(tf: SparseVector, key: String?) -> [Int] {
        // The summary's most informative word features under the current IDF.
        var words: [(UInt32, Double)] = []
        for (i, v) in zip(tf.indices, tf.values) where vectorizer.isWordFeature(i) {
            words.append((i, v * vectorizer.idf(i)))
        }
        words.sort { $0.1 > $1.1 }
        // Shared weight per cluster on a dense board indexed by cluster (a dictionary here cost a hash per
        // posting, tens of thousands per summary in a big guild); `touched` lists the entries to read and reset.
        if sharedWeight.count < clusters.count {
            sharedWeight.append(contentsOf: repeatElement(0, count: clusters.count - sharedWeight.count))
        }
        var touched: [Int32] = []
        for (feature, weight) in words.prefix(configuration.candidateFeatures) {
            guard let list = postings[feature] else { continue }
            for c in list.suffix(configuration.maxPostingsPerFeature) where clusters[Int(c)].absorbedInto == nil {
                if sharedWeight[Int(c)] == 0 { touched.append(c) }
                sharedWeight[Int(c)] += weight
            }
        }
        // The best `maxCandidates` by shared weight (ties: the older cluster), kept sorted while scanning.
        let limit = configuration.maxCandidates
        var best: [(cluster: Int32, weight: Double)] = []
        best.reserveCapacity(limit + 1)
        for c in touched {
            let w = sharedWeight[Int(c)]
            sharedWeight[Int(c)] = 0
            func ranksAbove(_ other: (cluster: Int32, weight: Double)) -> Bool {
                w > other.weight || (w == other.weight && c < other.cluster)
            }
            if best.count == limit, let last = best.last, !ranksAbove(last) { continue }
            var at = best.count
            while at > 0, ranksAbove(best[at - 1]) { at -= 1 }
            best.insert((c, w), at: at)
            if best.count > limit { best.removeLast() }
        }
        var ranked = best.map { Int($0.cluster) }
        if let key, let list = keyPostings[key] {
            let seen = Set(ranked)
            for c in list.suffix(configuration.maxCandidates)
            where !seen.contains(Int(c)) && clusters[Int(c)].absorbedInto == nil {
                ranked.append(Int(c))
            }
        }
        return ranked
    }

    private func prepare(_ tf: SparseVector) -> Query {
        var features: [(UInt32, Double)] = []
        features.reserveCapacity(tf.count)
        var squared = 0.0
        for (i, v) in zip(tf.indices, tf.values) {
            let idf = vectorizer.idf(i)
            squared += v * idf * v * idf
            // A feature no other document has (the summary is already counted) is in no cluster: looking it
            // up would only cost a cache miss per candidate. It still counts in the norm.
            if vectorizer.documentFrequency(i) > 1 { features.append((i, v * idf * idf)) }
        }
        return Query(features: features, norm: squared.squareRoot())
    }

    /// Whether a text cluster accepts the summary: (score, margin over `textThreshold`), nil if not. The
    /// centroid cosine plus key bonus must reach the threshold, and the typicality veto must not apply.
    private mutating func textDecision(_ query: Query, _ index: Int, bonus: Double) -> (Double, Double)? {
        let s = textScore(query, index)
        if let cohesion = cohesion(index), s.average < configuration.outlierRatio * cohesion { return nil }
        let threshold = configuration.textThreshold
        let score = s.centroid + bonus * threshold
        return score >= threshold ? (score, score - threshold) : nil
    }

    /// Cosines of the summary with the cluster's centroid and (on average) with its members, current IDF.
    private mutating func textScore(_ query: Query, _ index: Int) -> TextScore {
        refreshNormIfStale(index)
        let w = clusters[index].weightedNormSquared, m = clusters[index].memberNormSquared
        let n = Double(clusters[index].members.count)
        guard w > 0, m > 0, query.norm > 0 else { return TextScore(centroid: 0, average: 0) }
        var dot = 0.0
        let terms = clusters[index].terms
        for (i, weight) in query.features { if let sum = terms.sum(i) { dot += weight * Double(sum) } }
        return TextScore(centroid: dot / (query.norm * w.squareRoot()), average: dot / (query.norm * (n * m).squareRoot()))
    }

    /// Average pairwise cosine of the members (their norms averaged), nil below two members. From the cached
    /// norms: ‖Σ v‖² − Σ ‖v‖² is twice the sum of the pairwise dot products.
    private mutating func cohesion(_ index: Int) -> Double? {
        let n = clusters[index].members.count
        guard n >= 2 else { return nil }
        refreshNormIfStale(index)
        let w = clusters[index].weightedNormSquared, m = clusters[index].memberNormSquared
        guard m > 0 else { return nil }
        return min(max((w - m) / (Double(n - 1) * m), 0), 1)
    }

    private mutating func refreshNormIfStale(_ index: Int) {
        let n = vectorizer.documentCount
        let at = clusters[index].normComputedAt
        guard Double(n) > Double(at) * configuration.normRefreshGrowth else { return }
        var sumSquared = 0.0, membersSquared = 0.0
        for (i, t) in clusters[index].terms {
            let idf = vectorizer.idf(i)
            let s = Double(t.sum) * idf
            sumSquared += s * s
            membersSquared += Double(t.square) * idf * idf
        }
        clusters[index].weightedNormSquared = sumSquared
        clusters[index].memberNormSquared = membersSquared
        clusters[index].normComputedAt = n
    }

    /// `c-<ticket id>`, or with a suffix in the rare case that id is taken (restored ids are arbitrary).
    private static func freshID(for ticket: Int64, in index: [String: Int]) -> String {
        let base = "c-\(ticket)"
        guard index[base] != nil else { return base }
        var n = 2
        while index["\(base)-\(n)"] != nil { n += 1 }
        return "\(base)-\(n)"
    }

    private var emptyTerms: ClusterTerms { ClusterTerms(keyBits: vectorizer.configuration.bucketBits) }

    private mutating func create(id: String, ticketID: Int64, tf: SparseVector, key: String?, embedding: [Double]?)
        -> Int
    {
        let index = clusters.count
        clusters.append(
            Cluster(
                id: id, members: [], terms: emptyTerms, weightedNormSquared: 0, memberNormSquared: 0,
                normComputedAt: vectorizer.documentCount, keys: [:], embeddingSum: embedding.map { $0.map { _ in 0 } }))
        if embedding != nil { embeddedClusterCount += 1 }
        liveClusterCount += 1
        clusterIndex[id] = index
        join(index, id: ticketID, tf: tf, key: key, embedding: embedding)
        return index
    }

    private mutating func join(_ index: Int, id: Int64, tf: SparseVector, key: String?, embedding: [Double]?) {
        switch clusters[index].members.count {
        case 1:
            // Becoming a pair: remember the first member so that the pair can be re-examined at three.
            clusters[index].firstMember = FirstMember(tf: Self.sumVector(clusters[index].terms), key: clusters[index].keys.first?.key)
        default:
            clusters[index].firstMember = nil
        }
        ticketCluster[id] = index
        clusters[index].members.append(id)
        var sumSquared = clusters[index].weightedNormSquared
        var membersSquared = clusters[index].memberNormSquared
        for (i, v) in zip(tf.indices, tf.values) {
            let old = clusters[index].terms[i]
            if old == nil, vectorizer.isWordFeature(i) { postings[i, default: []].append(Int32(index)) }
            let oldSum = Double(old?.sum ?? 0)
            let new = TermSum(sum: Float(oldSum + v), square: (old?.square ?? 0) + Float(v * v))
            clusters[index].terms[i] = new
            // Incremental update with today's IDF; a full refresh corrects the drift later.
            let idf = vectorizer.idf(i)
            sumSquared += (Double(new.sum) * Double(new.sum) - oldSum * oldSum) * idf * idf
            membersSquared += v * v * idf * idf
        }
        clusters[index].weightedNormSquared = max(sumSquared, 0)
        clusters[index].memberNormSquared = max(membersSquared, 0)
        if let key {
            if clusters[index].keys[key] == nil { keyPostings[key, default: []].append(Int32(index)) }
            clusters[index].keys[key, default: 0] += 1
        }
        if let sum = clusters[index].embeddingSum {
            if let e = embedding, e.count == sum.count {
                clusters[index].embeddingSum = zip(sum, e).map { $0 + $1 }
            } else {
                // A member without an embedding: this cluster falls back to text similarity for good.
                clusters[index].embeddingSum = nil
                embeddedClusterCount -= 1
            }
        }
    }

    private static func sumVector(_ terms: ClusterTerms) -> SparseVector {
        var sums: [UInt32: Double] = [:]
        for (i, t) in terms { sums[i] = Double(t.sum) }
        return SparseVector(sums)
    }

    /// Re-examines a text pair that the summary is about to join: returns which old member to move out
    /// (true: the first, false: the second) when it is atypical of the other two, nil to keep the pair.
    ///
    /// While the corpus is tiny, IDF cannot tell topic words from filler, so two summaries of different
    /// topics can pair up on shared filler; a third summary of one topic shows it (it is close to one member
    /// and far from the other). Only pairs are re-examined: from three members on, a cluster may back a
    /// proposal and keeps its members.
    private func reviewPair(_ index: Int, newcomer: SparseVector, key: String?) -> Bool? {
        let c = clusters[index]
        guard configuration.outlierRatio > 0, c.members.count == 2, c.embeddingSum == nil,
            let first = c.firstMember
        else { return nil }
        var second: [UInt32: Double] = [:]
        for (i, t) in c.terms { second[i] = Double(t.sum) }
        for (i, v) in zip(first.tf.indices, first.tf.values) { second[i, default: 0] -= v }
        let v1 = vectorizer.weighted(first.tf)
        let v2 = vectorizer.weighted(SparseVector(second.filter { abs($0.value) > 1e-6 }))
        let v3 = vectorizer.weighted(newcomer)
        let c12 = v1.dot(v2), c13 = v1.dot(v3), c23 = v2.dot(v3)
        // Each old member's average cosine to the others, against the cosine of the pair that would remain.
        let firstRatio = c23 > 0 ? (c12 + c13) / 2 / c23 : .infinity
        let secondRatio = c13 > 0 ? (c12 + c23) / 2 / c13 : .infinity
        let outlierIsFirst = firstRatio <= secondRatio
        guard min(firstRatio, secondRatio) < configuration.outlierRatio else { return nil }
        // The remaining pair must be one that would have formed on its own.
        let remaining = outlierIsFirst ? c23 : c13
        let remainingKey = outlierIsFirst ? Self.secondKey(c.keys, first: first.key) : first.key
        let bonus = key != nil && key == remainingKey ? configuration.similarityKeyBonus : 0
        guard remaining + bonus * configuration.textThreshold >= configuration.textThreshold else { return nil }
        return outlierIsFirst
    }

    /// The key of a pair's second member, given the first one's.
    private static func secondKey(_ keys: [String: Int], first: String?) -> String? {
        var keys = keys
        if let first, let n = keys[first] { keys[first] = n - 1 }
        return keys.first { $0.value > 0 }?.key
    }

    /// Splits a pair before the newcomer joins: the outlier stays alone in the pair's cluster (keeping its id,
    /// so its stored assignment stays right) and the other member moves to a new cluster, which the newcomer
    /// then joins (so every moved ticket is in the cluster `add` returns). Returns the new cluster's index.
    private mutating func splitPair(_ index: Int, outlierIsFirst: Bool, newcomer: Int64) -> Int {
        let c = clusters[index]
        guard let first = c.firstMember, c.members.count == 2 else { return index }
        var secondTerms: [UInt32: Double] = [:]
        for (i, t) in c.terms { secondTerms[i] = Double(t.sum) }
        for (i, v) in zip(first.tf.indices, first.tf.values) { secondTerms[i, default: 0] -= v }
        let second = (
            id: c.members[1], tf: SparseVector(secondTerms.filter { abs($0.value) > 1e-6 }),
            key: Self.secondKey(c.keys, first: first.key))
        let firstMember = (id: c.members[0], tf: first.tf, key: first.key)
        let (outlier, moving) = outlierIsFirst ? (firstMember, second) : (second, firstMember)
        // Rebuild the outlier's cluster (old postings stay: a stale posting only adds a candidate).
        for id in c.members { ticketCluster[id] = nil }
        clusters[index] = Cluster(
            id: c.id, members: [], terms: emptyTerms, weightedNormSquared: 0, memberNormSquared: 0,
            normComputedAt: vectorizer.documentCount, keys: [:], embeddingSum: nil)
        join(index, id: outlier.id, tf: outlier.tf, key: outlier.key, embedding: nil)
        var id = "c-\(moving.id)"
        if clusterIndex[id] != nil { id = Self.freshID(for: newcomer, in: clusterIndex) }
        return create(id: id, ticketID: moving.id, tf: moving.tf, key: moving.key, embedding: nil)
    }

    /// The text that is vectorized: the summary plus the words of its similarity key as one more
    /// sentence. The key is the summarizer's own topic label ("premium-role-missing"), so its words are
    /// strong topic features; on the fixtures they (with the merge) raised ARI from 0.59 to 0.75.
    static func featureText(_ text: String, _ similarityKey: String?) -> String {
        guard let key = similarityKey else { return text }
        let words = TextVectorizer.words(key)
        return words.isEmpty ? text : text + "\n" + words.joined(separator: " ")
    }

    /// Index of the live cluster that `index` is, or was merged into.
    private func resolve(_ index: Int) -> Int {
        var i = index
        while let next = clusters[i].absorbedInto { i = next }
        return i
    }

    /// After an addition to `target`: merges `target` into the most similar of `candidates` (or the most
    /// similar of them into `target`) when the clusters are similar enough and the absorbed cluster is
    /// small (`mergeBelowSize`). Repeats while merges happen. Returns the best merge score, nil if none.
    private mutating func mergeSmall(around target: Int, candidates: [Int], excluding: Int?) -> Double? {
        let limit = configuration.mergeBelowSize
        guard limit > 1 else { return nil }
        var bestScore: Double?
        var current = target
        var pool = candidates
        while true {
            current = resolve(current)
            let currentSmall = clusters[current].members.count < limit
            var best: (index: Int, score: Double, margin: Double)?
            for raw in pool {
                let other = resolve(raw)
                guard other != current, other != excluding.map(resolve) else { continue }
                guard currentSmall || clusters[other].members.count < limit else { continue }
                let sharedKey = clusters[current].keys.keys.contains { clusters[other].keys[$0] != nil }
                guard let (score, margin) = mergeDecision(current, other, sharedKey: sharedKey) else { continue }
                if margin > (best?.margin ?? -.infinity) { best = (other, score, margin) }
            }
            guard let best else { return bestScore }
            bestScore = max(bestScore ?? 0, best.score)
            // The absorbed cluster is a small one; between two small ones, the older id stays.
            let a = current, b = best.index
            let (survivor, absorbed): (Int, Int)
            if clusters[a].members.count >= limit { (survivor, absorbed) = (a, b) }
            else if clusters[b].members.count >= limit { (survivor, absorbed) = (b, a) }
            else { (survivor, absorbed) = (min(a, b), max(a, b)) }
            merge(absorbed, into: survivor)
            pool.removeAll { resolve($0) == survivor }
            current = survivor
        }
    }

    /// Whether two clusters should merge: (score, margin over the merge threshold), nil if not. Dense when
    /// both have embeddings of one dimension; otherwise centroid cosine, subject to the typicality veto
    /// against each side of 2+ members (so a small cluster does not dilute a tight one, and a member moved
    /// out of a pair by a review does not merge straight back).
    private mutating func mergeDecision(_ a: Int, _ b: Int, sharedKey: Bool) -> (Double, Double)? {
        let keyBonus = sharedKey ? configuration.similarityKeyBonus : 0
        if let ea = clusters[a].embeddingSum, let eb = clusters[b].embeddingSum, ea.count == eb.count,
            let ua = Self.unit(ea)
        {
            let threshold = configuration.embeddingMergeThreshold
            let score = Self.cosine(ua, eb) + keyBonus * threshold
            return score >= threshold ? (score, score - threshold) : nil
        }
        let s = clusterTextScore(a, b)
        for side in [a, b] {
            if let cohesion = cohesion(side), s.average < configuration.outlierRatio * cohesion { return nil }
        }
        let threshold = configuration.textMergeThreshold
        let score = s.centroid + keyBonus * threshold
        return score >= threshold ? (score, score - threshold) : nil
    }

    /// Centroid cosine and average member-to-member cosine of two text clusters, current IDF.
    private mutating func clusterTextScore(_ a: Int, _ b: Int) -> TextScore {
        refreshNormIfStale(a)
        refreshNormIfStale(b)
        let wa = clusters[a].weightedNormSquared, wb = clusters[b].weightedNormSquared
        let ma = clusters[a].memberNormSquared, mb = clusters[b].memberNormSquared
        guard wa > 0, wb > 0, ma > 0, mb > 0 else { return TextScore(centroid: 0, average: 0) }
        let (small, large) = clusters[a].terms.count <= clusters[b].terms.count ? (a, b) : (b, a)
        var dot = 0.0
        for (i, s) in clusters[small].terms {
            guard let t = clusters[large].terms[i] else { continue }
            let idf = vectorizer.idf(i)
            dot += Double(s.sum) * Double(t.sum) * idf * idf
        }
        let na = Double(clusters[a].members.count), nb = Double(clusters[b].members.count)
        return TextScore(centroid: dot / (wa * wb).squareRoot(), average: dot / (na * nb * ma * mb).squareRoot())
    }

    /// Moves every member of `absorbed` into `survivor`; the absorbed id stays an alias of the survivor.
    private mutating func merge(_ absorbed: Int, into survivor: Int) {
        let moved = clusters[absorbed]
        let pair = clusters[survivor].members.count == 1 && moved.members.count == 1
        clusters[survivor].firstMember =
            pair ? FirstMember(tf: Self.sumVector(clusters[survivor].terms), key: clusters[survivor].keys.first?.key) : nil
        for id in moved.members { ticketCluster[id] = survivor }
        clusters[survivor].members.append(contentsOf: moved.members)
        for (i, v) in moved.terms {
            if let t = clusters[survivor].terms[i] {
                clusters[survivor].terms[i] = TermSum(sum: t.sum + v.sum, square: t.square + v.square)
            } else {
                if vectorizer.isWordFeature(i) { postings[i, default: []].append(Int32(survivor)) }
                clusters[survivor].terms[i] = v
            }
        }
        clusters[survivor].normComputedAt = 0  // forces a full refresh on next use
        for (key, n) in moved.keys {
            if clusters[survivor].keys[key] == nil { keyPostings[key, default: []].append(Int32(survivor)) }
            clusters[survivor].keys[key, default: 0] += n
        }
        switch (clusters[survivor].embeddingSum, moved.embeddingSum) {
        case let (s?, m?) where s.count == m.count:
            clusters[survivor].embeddingSum = zip(s, m).map { $0 + $1 }
            embeddedClusterCount -= 1
        case (_?, _):
            clusters[survivor].embeddingSum = nil
            embeddedClusterCount -= moved.embeddingSum == nil ? 1 : 2
        case (nil, _?):
            embeddedClusterCount -= 1
        case (nil, nil):
            break
        }
        clusters[absorbed] = Cluster(
            id: moved.id, members: [], terms: emptyTerms, weightedNormSquared: 0, memberNormSquared: 0, normComputedAt: 0,
            keys: [:], embeddingSum: nil, absorbedInto: survivor)
        liveClusterCount -= 1
    }

    private static func unit(_ v: [Double]) -> [Double]? {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard n > 0, n.isFinite else { return nil }
        return v.map { $0 / n }
    }

    private static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        var dot = 0.0, nb = 0.0
        for i in 0..<min(a.count, b.count) {
            dot += a[i] * b[i]
            nb += b[i] * b[i]
        }
        // `a` is already a unit vector.
        return nb > 0 ? dot / nb.squareRoot() : 0
    }
}

