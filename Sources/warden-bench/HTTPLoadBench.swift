import Foundation
import WardenApp
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization
import WardenCore
import WardenPipeline
import WardenServer
import WardenStore

// The load test of `warden-bench --http`: starts the service on loopback (SQLite file, or PostgreSQL with
// --postgres), then `--connections` keep-alive clients each send one message, wait for its decision and
// send the next, until `--http-messages` have been answered. It reports sustained messages/second and
// p50/p99 latency of POST /v1/messages, and checks that every request got exactly one answer, for its
// own message, and that the store holds exactly one decision per message.

/// One keep-alive connection's client: sends the next message as soon as the previous answer is in.
final class LoadClient: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let load: LoadState
    let token: String
    private var current: Int?
    private var started: ContinuousClock.Instant = .now
    private var status: HTTPResponseStatus = .ok
    private var body = ByteBuffer()

    init(load: LoadState, token: String) { self.load = load; self.token = token }

    func channelActive(context: ChannelHandlerContext) { sendNext(context) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = head.status; body.clear()
        case .body(var part): body.writeBuffer(&part)
        case .end:
            if let index = current {
                load.answered(index, status: status.code, body: body, latency: ContinuousClock.now - started)
            }
            current = nil
            sendNext(context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        load.failed("\(error)")
        context.close(promise: nil)
    }

    private func sendNext(_ context: ChannelHandlerContext) {
        guard let index = load.take() else { context.close(promise: nil); return }
        current = index
        let payload = load.payloads[index]
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/messages")
        head.headers.add(name: "host", value: "127.0.0.1")
        head.headers.add(name: "authorization", value: "Bearer \(token)")
        head.headers.add(name: "content-type", value: "application/json")
        head.headers.add(name: "content-length", value: String(payload.readableBytes))
        started = .now
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(payload))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// Shared by the clients: which message is next, and what came back.
final class LoadState: Sendable {
    let payloads: [ByteBuffer]
    let ids: [String]
    let expected: [[UInt8]]
    private let next = Atomic<Int>(0)
    private struct Tally {
        var latencies: [UInt64] = []
        var answers: [Int] = []
        var statuses: [UInt: Int] = [:]
        var wrongMessage = 0
        var errors: [String] = []
    }
    private let tally: Mutex<Tally>

    init(payloads: [ByteBuffer], ids: [String]) {
        self.payloads = payloads; self.ids = ids
        expected = ids.map { Array(#""message_id":"\#($0)""#.utf8) }
        tally = Mutex(Tally(latencies: [], answers: [Int](repeating: 0, count: payloads.count)))
    }

    func take() -> Int? {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < payloads.count ? index : nil
    }

    func answered(_ index: Int, status: UInt, body: ByteBuffer, latency: Duration) {
        // The decision must be for the message sent: its id appears as "message_id":"<id>".
        let needle = expected[index]
        let mine = body.withUnsafeReadableBytes { haystack in
            contains(haystack, needle)
        }
        tally.withLock { tally in
            tally.latencies.append(nanos(latency))
            tally.answers[index] += 1
            tally.statuses[status, default: 0] += 1
            if status == 200 && !mine { tally.wrongMessage += 1 }
        }
    }

    func failed(_ error: String) { tally.withLock { $0.errors.append(error) } }

    var result: (latencies: [UInt64], answers: [Int], statuses: [UInt: Int], wrong: Int, errors: [String]) {
        tally.withLock { ($0.latencies, $0.answers, $0.statuses, $0.wrongMessage, $0.errors) }
    }
}

func httpLoadBench(url: String, label: String, count: Int, connections: Int, packPath: String) async {
    do {
        let database = try await DatabaseOpener.open(url: url)
        let (pack, _) = try RulePackDirectory.load(packPath)
        let wardenApp = try WardenApp(database: database, configuration: WardenApp.Configuration(defaultPack: pack))
        var configuration = WardenService.Configuration()
        configuration.port = 0
        configuration.lanes = Int(option("--lanes", nil) ?? "") ?? (database.dialect == .postgres ? 2 : 1)
        let service = try WardenService(app: wardenApp, configuration: configuration)
        let token = try await service.tokens.create(role: .bot, guild: nil, label: "load test").token
        let (server, services, port) = await startService(service)

        // Messages with ids unique to this run, so a PostgreSQL database used before does not replay them.
        let base = UInt64(Date().timeIntervalSince1970 * 1000) * 1_000_000
        let messages = Corpus.generate(count: count).enumerated().map { index, message in
            var message = message
            message.id = Snowflake(base + UInt64(index))
            return message
        }
        let encoder = JSONEncoder()
        let payloads = try messages.map { ByteBuffer(bytes: try encoder.encode($0)) }
        let load = LoadState(payloads: payloads, ids: messages.map { String($0.id.rawValue) })
        _ = try await wardenApp.guilds.context(for: messages[0].guildID)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clock = ContinuousClock()
        let started = clock.now
        var channels: [any Channel] = []
        for _ in 0..<connections {
            let channel = try await ClientBootstrap(group: group)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(LoadClient(load: load, token: token))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            channels.append(channel)
        }
        for channel in channels { try? await channel.closeFuture.get() }
        let seconds = Double(nanos(clock.now - started)) / 1e9
        try await group.shutdownGracefully()

        let result = load.result
        let stored = try await database.transaction { conn in
            try conn.queryFirst("SELECT COUNT(*) AS n FROM message_decisions WHERE message_id >= $1 AND message_id < $2",
                                [.int(Int64(base)), .int(Int64(base) + Int64(count))]).map { try $0.int("n") } ?? 0
        }
        let latencies = result.latencies.sorted()
        let lost = result.answers.filter { $0 == 0 }.count
        let twice = result.answers.filter { $0 > 1 }.count
        let statuses = result.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        print(String(format: "  %-12@ %8.0f msg/s   p50 %.2f ms   p99 %.2f ms   p99.9 %.2f ms   max %.1f ms", label as NSString,
                     Double(latencies.count) / seconds, percentile(latencies, 0.5) / 1000, percentile(latencies, 0.99) / 1000,
                     percentile(latencies, 0.999) / 1000, Double(latencies.last ?? 0) / 1e6))
        print("               \(count) messages over \(connections) connections in \(String(format: "%.1f", seconds)) s; statuses {\(statuses)}; "
              + "lost \(lost), answered twice \(twice), wrong message \(result.wrong), decisions stored \(stored)"
              + (result.errors.isEmpty ? "" : "; client errors: \(result.errors.prefix(3))"))
        if lost > 0 || twice > 0 || result.wrong > 0 || stored != count || result.statuses.keys.contains(where: { $0 != 200 }) {
            print("               FAILED: every message must be answered once, with its own decision, and stored once")
        }
        await services.triggerGracefulShutdown()
        _ = try? await server.value
        await database.close()
    } catch {
        print("  \(label): failed: \(error)")
    }
}

/// Whether `needle` occurs in `haystack` (a plain loop; specialised, it costs less than the response's parse).
func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
    guard let first = needle.first, haystack.count >= needle.count else { return false }
    var index = 0
    let last = haystack.count - needle.count
    while index <= last {
        if haystack[index] == first {
            var offset = 1
            while offset < needle.count && haystack[index + offset] == needle[offset] { offset += 1 }
            if offset == needle.count { return true }
        }
        index += 1
    }
    return false
}

/// Runs `service` as `warden serve` does (its application in a service group, quiet logs) on the port it was
/// configured with (0: any free one); returns the running task, its service group (for a graceful stop) and the
/// port, once the server listens.
func startService(_ service: WardenService) async -> (server: Task<Void, any Error>, services: ServiceGroup, port: Int) {
    var logger = Logger(label: "warden-bench")
    logger.logLevel = .warning
    let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = service.application(logger: logger) { port in portContinuation.yield(port) }
    let services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
    let server = Task { try await services.run() }
    var ports = portStream.makeAsyncIterator()
    guard let port = await ports.next(), port > 0 else { fail("the service did not start") }
    return (server, services, port)
}
