import Hummingbird

/// The headers every console and appeal-form answer carries: a strict Content-Security-Policy (scripts and
/// styles only from Warden's own files, no plugins, no framing), no MIME sniffing, no caching of pages that
/// hold member data, no referrer leaving the site.
struct ConsoleHeaders: RouterMiddleware {
    typealias Context = WardenRequestContext

    static let contentSecurityPolicy =
        "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; img-src 'self' data:"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(to: &response.headers)
        return response
    }

    static func apply(to headers: inout HTTPFields) {
        // A page with a stricter policy of its own (a transcript allows its one style by hash) keeps it.
        if headers[.contentSecurityPolicy] == nil { headers[.contentSecurityPolicy] = contentSecurityPolicy }
        headers[.xContentTypeOptions] = "nosniff"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        headers[.referrerPolicy] = "no-referrer"
        headers[.xFrameOptions] = "DENY"
    }
}
