import Hummingbird

/// Resolves `Authorization: Bearer <token>` into the context's ``Principal``; answers 401 without a known
/// token. Attached to the `/v1` group only: the routes outside it (health, metrics, the OpenAPI document)
/// are public by where they are, not by a list.
struct TokenAuthenticator: RouterMiddleware {
    typealias Context = WardenRequestContext
    let tokens: TokenStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else { throw APIError.unauthorized }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 256, let principal = try await tokens.principal(for: token) else { throw APIError.unauthorized }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
