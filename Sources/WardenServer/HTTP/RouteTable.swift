import Hummingbird
import Synchronization

/// The method and path pattern of every route, so a request for a path that exists under other methods
/// gets 405 with `Allow` rather than 404 (Hummingbird's router answers both the same).
final class RouteTable: Sendable {
    private struct Entry: Sendable {
        let path: RouterPath
        var methods: Set<HTTPRequest.Method>
    }

    private let entries = Mutex<[Entry]>([])

    /// Records the routes of a router whose routes are all registered.
    func record(_ routes: [(path: RouterPath, method: HTTPRequest.Method)]) {
        entries.withLock { entries in
            for route in routes {
                if let index = entries.firstIndex(where: { $0.path == route.path }) {
                    entries[index].methods.insert(route.method)
                } else {
                    entries.append(Entry(path: route.path, methods: [route.method]))
                }
            }
        }
    }

    /// The methods the route for `path` answers, sorted (not HEAD: the router does not answer it for GET);
    /// empty when no route has that path. Of several patterns that match, the most specific wins, as in
    /// the router (a literal segment before a parameter).
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let best: Entry? = entries.withLock { entries in
            var best: (entry: Entry, rank: [Int])?
            for entry in entries {
                guard let rank = Self.rank(entry.path, segments) else { continue }
                if let current = best, !current.rank.lexicographicallyPrecedes(rank) { continue }
                best = (entry, rank)
            }
            return best?.entry
        }
        guard let best else { return [] }
        return Set(best.methods.map(\.rawValue)).sorted()
    }

    /// How specifically `pattern` matches `segments` (per segment: 2 literal, 1 parameter, 0 wildcard), or nil.
    private static func rank(_ pattern: RouterPath, _ segments: [Substring]) -> [Int]? {
        var rank: [Int] = []
        for (index, element) in pattern.components.enumerated() {
            if element == .recursiveWildcard { return rank + [0] }
            guard index < segments.count, element ~= segments[index] else { return nil }
            rank.append(element == segments[index] ? 2 : (element == .wildcard ? 0 : 1))
        }
        return rank.count == segments.count ? rank : nil
    }
}
