import CCurl

/// The driver thread's side of ``CurlTransport``: everything here runs on that one thread, so none of it
/// is `Sendable` and none of it needs a lock.
final class CurlDriverLoop {
    private let core: CurlDriverCore
    private let multi: UnsafeMutableRawPointer
    /// In-flight transfers by request id (for cancellation) and by easy handle (for completion).
    private var active: [UInt64: CurlTransfer] = [:]
    private var idsByHandle: [UnsafeMutableRawPointer: UInt64] = [:]
    /// Reset easy handles ready for the next transfer (saves an allocation and keeps their small caches).
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// Ids finished since the last `takeWork`, reported in batches to take the lock once per iteration.
    private var finishedIDs: [UInt64] = []

    private static let maxIdleHandles = 32
    /// With nothing in flight there is nothing for libcurl to time out; `curl_multi_wakeup` interrupts the
    /// wait when work arrives, so a long idle wait costs no latency.
    private static let idlePollMilliseconds: Int32 = 1_000
    /// While transfers run, libcurl shortens this to its own next timeout anyway.
    private static let busyPollMilliseconds: Int32 = 100

    init(core: CurlDriverCore, multi: UnsafeMutableRawPointer) {
        self.core = core
        self.multi = multi
    }

    func run() {
        while true {
            let work = core.takeWork(finished: finishedIDs)
            finishedIDs.removeAll(keepingCapacity: true)
            if work.stopping {
                stop(unstarted: work.submissions)
                return
            }
            for submission in work.submissions {
                start(submission)
            }
            for id in work.cancellations {
                cancel(id)
            }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            var ready: Int32 = 0
            let wait = active.isEmpty ? Self.idlePollMilliseconds : Self.busyPollMilliseconds
            _ = curl_multi_poll(multi, nil, 0, wait, &ready)
        }
    }

    private func start(_ submission: CurlSubmission) {
        guard let handle = idleHandles.popLast() ?? curl_easy_init() else {
            finishedIDs.append(submission.id)
            submission.continuation.resume(returning: .failure(TransportError(.connection, "libcurl could not create an easy handle")))
            return
        }
        let transfer = CurlTransfer(id: submission.id, handle: handle, continuation: submission.continuation)
        do {
            try transfer.configure(submission.request, userAgent: core.userAgent)
        } catch {
            finishedIDs.append(submission.id)
            recycle(transfer)
            transfer.continuation.resume(returning: .failure(error))
            return
        }
        let added = curl_multi_add_handle(multi, handle)
        guard added == CURLM_OK else {
            finishedIDs.append(submission.id)
            recycle(transfer)
            let message = String(cString: curl_multi_strerror(added))
            transfer.continuation.resume(returning: .failure(TransportError(.connection, "curl_multi_add_handle: \(message)")))
            return
        }
        active[submission.id] = transfer
        idsByHandle[handle] = submission.id
    }

    private func cancel(_ id: UInt64) {
        // Already finished (the cancellation raced with completion): the continuation was resumed then.
        guard let transfer = active.removeValue(forKey: id) else { return }
        idsByHandle.removeValue(forKey: transfer.handle)
        _ = curl_multi_remove_handle(multi, transfer.handle)
        recycle(transfer)
        finishedIDs.append(id)
        transfer.continuation.resume(returning: .failure(TransportError(.cancelled, "the task was cancelled")))
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let pointer = curl_multi_info_read(multi, &remaining) {
            // Copy the message out: it does not survive curl_multi_remove_handle.
            let message = pointer.pointee
            guard message.msg == CURLMSG_DONE, let handle = message.easy_handle,
                  let id = idsByHandle.removeValue(forKey: handle),
                  let transfer = active.removeValue(forKey: id) else { continue }
            let result = transfer.result(code: message.data.result)
            _ = curl_multi_remove_handle(multi, handle)
            recycle(transfer)
            finishedIDs.append(id)
            transfer.continuation.resume(returning: result)
        }
    }

    /// The handle must already be out of the multi handle. Resetting it first drops its pointers to the
    /// transfer's buffers, which are freed next.
    private func recycle(_ transfer: CurlTransfer) {
        curl_easy_reset(transfer.handle)
        transfer.releaseBuffers()
        if idleHandles.count < Self.maxIdleHandles {
            idleHandles.append(transfer.handle)
        } else {
            curl_easy_cleanup(transfer.handle)
        }
    }

    private func stop(unstarted: [CurlSubmission]) {
        let shutDown = TransportError(.cancelled, "the transport was shut down")
        for submission in unstarted {
            submission.continuation.resume(returning: .failure(shutDown))
        }
        let transfers = active.values
        active.removeAll()
        idsByHandle.removeAll()
        for transfer in transfers {
            _ = curl_multi_remove_handle(multi, transfer.handle)
            recycle(transfer)
            transfer.continuation.resume(returning: .failure(shutDown))
        }
        for handle in idleHandles {
            curl_easy_cleanup(handle)
        }
        idleHandles.removeAll()
        _ = curl_multi_cleanup(multi)
        core.markExited()
    }
}

/// One transfer's libcurl-facing state. Lives on the driver thread; libcurl's callbacks reach it through
/// `CURLOPT_WRITEDATA`/`CURLOPT_HEADERDATA` as an unretained pointer, valid because the driver's `active`
/// table holds it until the easy handle has left the multi handle and been reset.
final class CurlTransfer {
    let id: UInt64
    let handle: UnsafeMutableRawPointer
    let continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>

    private var body: [UInt8] = []
    private var headers: [(name: String, value: String)] = []
    private var bodyTooLarge = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl keeps the pointer given to `CURLOPT_POSTFIELDS` without copying it.
    private var postData: UnsafeMutableRawPointer?
    private var errorBuffer: UnsafeMutablePointer<CChar>?

    /// A response body beyond this is refused (the model replies are a few KiB; this guards memory).
    static let maxBodyBytes = 32 << 20

    init(id: UInt64, handle: UnsafeMutableRawPointer, continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) {
        self.id = id
        self.handle = handle
        self.continuation = continuation
    }

    func configure(_ request: HTTPRequest, userAgent: String) throws(TransportError) {
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        self.errorBuffer = errorBuffer
        try check(warden_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")

        try check(warden_curl_setopt_string(handle, CURLOPT_URL, request.url), "CURLOPT_URL")
        // No signals: libcurl would otherwise use SIGALRM for DNS timeouts, which is unsafe off the main thread.
        try check(warden_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try check(warden_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)), "CURLOPT_TIMEOUT_MS")
        try check(warden_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)), "CURLOPT_CONNECTTIMEOUT_MS")
        // "" = offer every encoding this libcurl can decode (gzip at least) and decode transparently.
        try check(warden_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""), "CURLOPT_ACCEPT_ENCODING")
        // A redirect from an API endpoint is an error to surface, not to follow with the bearer token.
        try check(warden_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION")
        try check(warden_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent), "CURLOPT_USERAGENT")
        try check(warden_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), "CURLOPT_TCP_KEEPALIVE")

        try configureMethod(request)
        try configureHeaders(request.headers)

        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(warden_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            CurlTransfer.receive(data, size * count, context, isHeader: false)
        }), "CURLOPT_WRITEFUNCTION")
        try check(warden_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        // CURLOPT_HEADERFUNCTION has the write callback's signature, so the same shim sets it.
        try check(warden_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            CurlTransfer.receive(data, size * count, context, isHeader: true)
        }), "CURLOPT_HEADERFUNCTION")
        try check(warden_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA")
    }

    private func configureMethod(_ request: HTTPRequest) throws(TransportError) {
        switch request.method {
        case "GET" where request.body.isEmpty:
            try check(warden_curl_setopt_long(handle, CURLOPT_HTTPGET, 1), "CURLOPT_HTTPGET")
        case "HEAD" where request.body.isEmpty:
            try check(warden_curl_setopt_long(handle, CURLOPT_NOBODY, 1), "CURLOPT_NOBODY")
        default:
            if request.method == "POST" || !request.body.isEmpty {
                // Our own copy: libcurl reads CURLOPT_POSTFIELDS in place while the transfer runs, and
                // the request's array storage cannot be pinned that long.
                let count = request.body.count
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 1)
                request.body.withUnsafeBytes { bytes in
                    if let base = bytes.baseAddress, count > 0 {
                        buffer.copyMemory(from: base, byteCount: count)
                    }
                }
                postData = buffer
                try check(warden_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(count)), "CURLOPT_POSTFIELDSIZE_LARGE")
                try check(warden_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, buffer), "CURLOPT_POSTFIELDS")
            }
            if request.method != "POST" {
                try check(warden_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method), "CURLOPT_CUSTOMREQUEST")
            }
        }
    }

    private func configureHeaders(_ headers: [(name: String, value: String)]) throws(TransportError) {
        var lines = headers.map { header in
            // "Name:" would make libcurl remove the header; "Name;" is its spelling for an empty value.
            header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
        }
        if !headers.contains(where: { $0.name.lowercased() == "expect" }) {
            // libcurl adds `Expect: 100-continue` to larger POSTs and then waits up to a second for a
            // 100 that many servers never send; an empty Expect suppresses it.
            lines.append("Expect:")
        }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw TransportError(.invalidRequest, "could not build the header list (out of memory)")
            }
            headerList = appended
        }
        try check(warden_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "CURLOPT_HTTPHEADER")
    }

    private func check(_ code: CURLcode, _ option: String) throws(TransportError) {
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            throw TransportError(.invalidRequest, "\(option): \(message)", curlCode: Int(code.rawValue))
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 1 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        if overflow { return Int.max }
        // 0 would mean "no limit" to libcurl; the smallest real limit is 1 ms.
        return max(1, Int(whole) + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// The write and header callbacks. Returning anything but `byteCount` makes libcurl abort the
    /// transfer with CURLE_WRITE_ERROR.
    private static func receive(_ data: UnsafeMutablePointer<CChar>?, _ byteCount: Int, _ context: UnsafeMutableRawPointer?, isHeader: Bool) -> Int {
        guard let context else { return 0 }
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
        guard byteCount > 0, let data else { return byteCount }
        let bytes = UnsafeRawBufferPointer(start: data, count: byteCount)
        if isHeader {
            transfer.receiveHeaderLine(bytes)
        } else {
            if transfer.body.count + byteCount > maxBodyBytes {
                transfer.bodyTooLarge = true
                return 0
            }
            transfer.body.append(contentsOf: bytes)
        }
        return byteCount
    }

    /// libcurl calls the header callback once per complete header line, status lines included.
    private func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        // Trim the line ending on bytes: as a String, "\r\n" is one Character and equals neither "\r" nor "\n".
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0D || bytes[end - 1] == 0x0A {
            end -= 1
        }
        let line = Substring(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self))
        if line.hasPrefix("HTTP/") {
            // A new response head (after a 100 Continue, a 103, or a redirect): only the last one counts.
            headers.removeAll(keepingCapacity: true)
            body.removeAll(keepingCapacity: true)
            return
        }
        if line.isEmpty { return }
        if let first = line.first, first == " " || first == "\t" {
            // Obsolete line folding: continues the previous header's value.
            if let lastIndex = headers.indices.last {
                headers[lastIndex].value += " " + line.trimmingSpaces()
            }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingSpaces().lowercased()
        let value = line[line.index(after: colon)...].trimmingSpaces()
        headers.append((name: name, value: value))
    }

    func result(code: CURLcode) -> Result<HTTPResponse, TransportError> {
        guard code == CURLE_OK else {
            return .failure(error(for: code))
        }
        var status = 0
        _ = warden_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: headers, body: body))
    }

    private func error(for code: CURLcode) -> TransportError {
        if code == CURLE_WRITE_ERROR && bodyTooLarge {
            return TransportError(.protocolError, "the response body exceeds \(Self.maxBodyBytes) bytes", curlCode: Int(code.rawValue))
        }
        var message = ""
        if let errorBuffer, errorBuffer.pointee != 0 {
            message = String(cString: errorBuffer)
        }
        if message.isEmpty {
            message = String(cString: curl_easy_strerror(code))
        }
        return TransportError(Self.kind(of: code), message, curlCode: Int(code.rawValue))
    }

    static func kind(of code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
             CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE, CURLE_PROXY:
            return .connection
        case CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP2, CURLE_HTTP2_STREAM,
             CURLE_HTTP3, CURLE_WRITE_ERROR, CURLE_TOO_MANY_REDIRECTS:
            return .protocolError
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return .invalidRequest
        default:
            // Everything else (out of memory, internal errors, TLS engine trouble) is treated like a failed
            // connection: nothing usable came back, and a retry may succeed.
            return .connection
        }
    }

    /// Frees what the easy handle pointed at. Call only after `curl_easy_reset`.
    func releaseBuffers() {
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        postData?.deallocate()
        postData = nil
        errorBuffer?.deallocate()
        errorBuffer = nil
    }

    deinit {
        // Normally already done by the driver; this catches a transfer dropped on an unexpected path.
        releaseBuffers()
    }
}

private extension Substring {
    func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
