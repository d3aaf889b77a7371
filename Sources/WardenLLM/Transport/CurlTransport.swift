import CCurl
import Dispatch
import Foundation
import Synchronization

/// An ``HTTPTransport`` over libcurl's multi interface.
///
/// One dedicated driver thread (a Foundation `Thread`, so the Swift cooperative pool never blocks in
/// `poll`) owns a `CURLM` handle and loops on `curl_multi_perform` + `curl_multi_poll`. ``send(_:)`` hands
/// its request to that thread through a lock-protected queue and `curl_multi_wakeup`, then suspends on a
/// continuation; the driver resumes it when `curl_multi_info_read` reports the transfer done. Any number of
/// transfers can be in flight without parking a thread per request.
///
/// Connections are reused through the multi handle's connection cache (bounded by `maxConnections`, in
/// total and per host; transfers beyond it wait inside libcurl for a free connection). Easy handles are
/// recycled with `curl_easy_reset`.
///
/// Proxies: libcurl reads `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy` (and their upper-case
/// forms except `HTTP_PROXY`) from the environment by itself; this transport deliberately does not
/// override that. TLS peer and host verification stay on (libcurl's default). HTTP/1.1 or HTTP/2 is
/// whatever libcurl negotiates (ALPN over TLS). Redirects are not followed.
///
/// Ownership: the driver thread owns the multi handle, every easy handle and every in-flight transfer.
/// It runs until ``shutdown()`` is called or this object is deinitialized, then fails whatever is still
/// outstanding with `.cancelled`, frees every libcurl handle and exits. It never retains the
/// `CurlTransport` itself, so dropping the last reference is enough to stop it.
public final class CurlTransport: HTTPTransport {
    private let core: CurlDriverCore

    /// Starts the driver thread.
    /// - Parameters:
    ///   - maxConnections: the most connections open at once, in total and to one host
    ///     (`CURLMOPT_MAX_TOTAL_CONNECTIONS`, `CURLMOPT_MAX_HOST_CONNECTIONS`). HTTP/1.1 carries one
    ///     request per connection at a time, so this also bounds concurrency against an HTTP/1.1 server.
    ///   - userAgent: the `User-Agent` header, unless a request sets its own.
    public init(maxConnections: Int = 64, userAgent: String = "warden/0.3") {
        CurlGlobal.ensureInitialized()
        let core = CurlDriverCore(maxConnections: max(1, maxConnections), userAgent: userAgent)
        self.core = core
        guard let multi = core.multi else {
            // curl_multi_init failed (out of memory): there is no loop to run; `core` is already stopped
            // and fails every request.
            core.markExited()
            return
        }
        let thread = Thread {
            CurlDriverLoop(core: core, multi: multi.raw).run()
        }
        thread.name = "warden-curl"
        thread.start()
    }

    deinit {
        // Only signal: the thread finishes on its own and frees the handles. Nothing can be in flight
        // here, since every `send` holds a reference to `self` until it returns.
        core.requestStop()
    }

    /// Stops the driver thread: transfers still queued or in flight fail with `.cancelled`, later calls
    /// to ``send(_:)`` fail with `.cancelled` at once. Returns after the thread has freed its handles.
    /// Safe to call more than once and from several tasks.
    public func shutdown() {
        core.requestStop()
        core.waitUntilExited()
    }

    /// Sends one request and returns the complete response, whatever its status.
    ///
    /// Throws ``TransportError`` with kind `.invalidRequest` before anything is sent when a header name
    /// or value contains CR or LF (or the URL or method is unusable), `.cancelled` when the calling task
    /// is cancelled (the transfer is removed from libcurl promptly) or the transport was shut down, and
    /// `.timeout`, `.connection` or `.protocolError` from libcurl's result.
    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        try CurlRequestValidation.validate(request)
        let core = self.core
        let id = core.makeID()
        let result: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                core.submit(CurlSubmission(id: id, request: request, continuation: continuation))
            }
        } onCancel: {
            core.cancel(id)
        }
        // The cancellation handler can no longer run; drop any note it left after the transfer ended.
        core.forget(id)
        return try result.get()
    }
}

// MARK: - Process-wide initialization

enum CurlGlobal {
    /// `curl_global_init` must run once per process before any other libcurl call and is not safe to race
    /// with itself on older libcurl builds; a static `let` gives exactly-once, thread-safe initialization.
    private static let initialized: Bool = {
        curl_global_init(warden_curl_global_default()) == CURLE_OK
    }()

    static func ensureInitialized() {
        _ = initialized
    }
}

// MARK: - Validation (caller side, before anything reaches libcurl)

enum CurlRequestValidation {
    static func validate(_ request: HTTPRequest) throws(TransportError) {
        if request.url.isEmpty || request.url.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw TransportError(.invalidRequest, "the URL is empty or contains control characters")
        }
        if request.method.isEmpty || !request.method.utf8.allSatisfy(isTokenByte) {
            throw TransportError(.invalidRequest, "invalid HTTP method \(String(reflecting: request.method))")
        }
        for header in request.headers {
            // CR/LF would let a value start a new header or a new request (header injection).
            if header.name.utf8.contains(where: isLineBreakOrNUL) || header.value.utf8.contains(where: isLineBreakOrNUL) {
                throw TransportError(.invalidRequest, "header \(String(reflecting: header.name)) contains CR, LF or NUL")
            }
            if header.name.isEmpty || !header.name.utf8.allSatisfy(isTokenByte) {
                throw TransportError(.invalidRequest, "invalid header name \(String(reflecting: header.name))")
            }
        }
    }

    private static func isLineBreakOrNUL(_ byte: UInt8) -> Bool {
        byte == 0x0D || byte == 0x0A || byte == 0x00
    }

    /// RFC 9110 `tchar`: what a method or header name may contain.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

// MARK: - State shared between callers and the driver thread

/// A request on its way to the driver thread. Everything in it is `Sendable`; libcurl structures are
/// only created on the driver thread.
struct CurlSubmission: Sendable {
    let id: UInt64
    let request: HTTPRequest
    let continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>
}

/// The multi handle's address, so the driver thread can be given it and callers can wake it.
///
/// `@unchecked Sendable` because a raw pointer is not `Sendable`: the handle is used only on the driver
/// thread, except `curl_multi_wakeup`, which libcurl documents as callable from any thread, and which
/// ``CurlDriverCore`` only calls under its lock before the driver has started to clean the handle up.
struct CurlMultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// What callers and the driver thread share: the hand-over queue, cancellation requests and the stop flag,
/// all behind one `Mutex`.
final class CurlDriverCore: Sendable {
    struct Shared {
        /// Submitted, not yet taken by the driver. A cancellation finds it here and fails it directly.
        var queue: [CurlSubmission] = []
        /// Ids the driver took that have not been reported finished yet: a cancellation goes to the driver.
        var withDriver: Set<UInt64> = []
        /// Cancellations for the driver to carry out.
        var cancellations: [UInt64] = []
        /// Cancelled before being submitted (the handler ran first) or after finishing; `submit` fails
        /// the first kind at once, `forget` clears the second.
        var cancelledEarly: Set<UInt64> = []
        var stopping = false
    }

    let multi: CurlMultiHandle?
    let userAgent: String
    private let shared: Mutex<Shared>
    private let ids = Atomic<UInt64>(1)
    /// Signalled once when the driver thread has freed everything; each waiter passes it on.
    private let exited = DispatchSemaphore(value: 0)

    init(maxConnections: Int, userAgent: String) {
        self.userAgent = userAgent
        if let raw = curl_multi_init() {
            _ = warden_curl_multi_setopt_long(raw, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxConnections)
            _ = warden_curl_multi_setopt_long(raw, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnections)
            // Keep idle connections for every slot we may open, so a burst's connections are reused.
            _ = warden_curl_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, maxConnections)
            multi = CurlMultiHandle(raw: raw)
            shared = Mutex(Shared())
        } else {
            multi = nil
            shared = Mutex(Shared(stopping: true))
        }
    }

    func makeID() -> UInt64 {
        ids.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Must be called with the lock held and `stopping == false`: after `stopping` is set, the driver may
    /// free the multi handle at any moment.
    private func wakeDriverLocked() {
        if let multi {
            _ = curl_multi_wakeup(multi.raw)
        }
    }

    func submit(_ submission: CurlSubmission) {
        let rejection: TransportError? = shared.withLock { state in
            if state.stopping {
                return TransportError(.cancelled, multi == nil ? "libcurl could not create a multi handle" : "the transport was shut down")
            }
            if state.cancelledEarly.remove(submission.id) != nil {
                return TransportError(.cancelled, "the task was cancelled")
            }
            state.queue.append(submission)
            wakeDriverLocked()
            return nil
        }
        if let rejection {
            submission.continuation.resume(returning: .failure(rejection))
        }
    }

    func cancel(_ id: UInt64) {
        let unstarted: CurlSubmission? = shared.withLock { state in
            if let index = state.queue.firstIndex(where: { $0.id == id }) {
                return state.queue.remove(at: index)
            }
            if state.withDriver.contains(id) {
                // When stopping, the driver fails it with `.cancelled` anyway.
                if !state.stopping {
                    state.cancellations.append(id)
                    wakeDriverLocked()
                }
            } else {
                state.cancelledEarly.insert(id)
            }
            return nil
        }
        unstarted?.continuation.resume(returning: .failure(TransportError(.cancelled, "the task was cancelled")))
    }

    func forget(_ id: UInt64) {
        shared.withLock { state in
            _ = state.cancelledEarly.remove(id)
        }
    }

    func requestStop() {
        shared.withLock { state in
            if !state.stopping {
                state.stopping = true
                wakeDriverLocked()
            }
        }
    }

    /// Driver side: reports the transfers finished since the last call and takes new work.
    func takeWork(finished: [UInt64]) -> (submissions: [CurlSubmission], cancellations: [UInt64], stopping: Bool) {
        shared.withLock { state in
            for id in finished {
                state.withDriver.remove(id)
            }
            let submissions = state.queue
            state.queue.removeAll(keepingCapacity: true)
            for submission in submissions {
                state.withDriver.insert(submission.id)
            }
            let cancellations = state.cancellations
            state.cancellations.removeAll(keepingCapacity: true)
            return (submissions, cancellations, state.stopping)
        }
    }

    func markExited() {
        exited.signal()
    }

    func waitUntilExited() {
        exited.wait()
        exited.signal()
    }
}
