import CLibPQ
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A connection of its own that LISTENs on every `StoreChannel` and hands each notification to its handler,
/// on a thread of its own (libpq's wait blocks). It reconnects with a growing pause after losing the server,
/// and then reports a nil guild: changes made while it was away were not heard.
final class PostgresListener: StoreListener {
    private let stopped = StopFlag()

    init(url: String, redactedURL: String, handler: @escaping StoreNotificationHandler) {
        let stopped = self.stopped
        DispatchQueue(label: "warden.postgres.listener").async {
            Self.run(url: url, redactedURL: redactedURL, stopped: stopped, handler: handler)
        }
    }

    func stop() { stopped.set() }

    deinit { stopped.set() }

    final class StopFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        func set() { flag.store(true, ordering: .relaxed) }
        var isSet: Bool { flag.load(ordering: .relaxed) }
    }

    private static func run(url: String, redactedURL: String, stopped: StopFlag, handler: StoreNotificationHandler) {
        var connection: PostgresConnection?
        var pause = 0.1
        var lastCheck = ContinuousClock.now
        while !stopped.isSet {
            guard let listening = connection else {
                do {
                    let fresh = try PostgresConnection(url: url, redactedURL: redactedURL)
                    try fresh.runScript(StoreChannel.allCases.map { "LISTEN \($0.rawValue)" }.joined(separator: "; "))
                    connection = fresh
                    pause = 0.1
                    for channel in StoreChannel.allCases { handler(channel, nil) }
                } catch {
                    Thread.sleep(forTimeInterval: pause)
                    pause = min(pause * 2, 5)
                }
                continue
            }
            // A quarter second at most, so `stop()` is noticed soon.
            let healthy = listening.awaitNotifications(timeoutMillis: 250) { channel, payload in
                guard let channel = StoreChannel(rawValue: channel) else { return }
                handler(channel, Int64(payload))
            }
            if !healthy { connection = nil; continue }
            // A connection cut without a word (a NAT timeout, a failover) would otherwise wait forever: a round trip
            // every 15 s finds it, and the reconnect reports everything as changed.
            if ContinuousClock.now - lastCheck >= .seconds(15) {
                lastCheck = .now
                do { _ = try listening.query("SELECT 1", []) } catch { connection = nil }
            }
        }
    }
}

extension PostgresConnection {
    /// Waits up to `timeoutMillis` for notifications and delivers those that arrived; false when the
    /// connection is lost.
    func awaitNotifications(timeoutMillis: Int32, _ deliver: (String, String) -> Void) -> Bool {
        drainNotifications(deliver)
        let socket = PQsocket(handle)
        guard socket >= 0 else { return false }
        var wanted = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&wanted, 1, timeoutMillis)
        if ready < 0 { return errno == EINTR }
        if ready > 0 {
            guard PQconsumeInput(handle) == 1 else { return false }
            drainNotifications(deliver)
        }
        return isHealthy
    }

    private func drainNotifications(_ deliver: (String, String) -> Void) {
        while let notification = PQnotifies(handle) {
            let channel = String(cString: notification.pointee.relname)
            let payload = String(cString: notification.pointee.extra)
            PQfreemem(notification)
            deliver(channel, payload)
        }
    }
}
