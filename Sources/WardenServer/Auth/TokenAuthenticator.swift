import Hummingbird

/// Resolves `Authorization: Bearer <token>` into the context's ``Principal``. The public routes
/// (health, metrics, the OpenAPI document) need no token; every other route answers 401 without one.
struct TokenAuthenticator: RouterMiddleware {
    typealias Context = WardenRequestContext
    let tokens: TokenStore

    static let publicPaths: Set<String> = ["/health", "/metrics", "/openapi.json"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else { throw APIError.unauthorized }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 256, let principal = try await tokens.principal(for: token) else { throw APIError.unauthorized }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
