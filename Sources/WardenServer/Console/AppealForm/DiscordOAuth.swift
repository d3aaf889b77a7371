import Foundation
import WardenLLM

/// Signing a member in with Discord's OAuth2 (authorization code grant, `identify` scope only) for the appeal
/// form: the operator's application's client id, secret and redirect URL, and Discord's endpoints, which tests
/// point at a local fake provider.
public struct DiscordOAuth: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var clientID: String
        public var clientSecret: String
        /// Where Discord sends the member back: this service's `/appeal/oauth/callback`, as registered with Discord.
        public var redirectURL: String
        public var authorizeURL = "https://discord.com/oauth2/authorize"
        public var tokenURL = "https://discord.com/api/oauth2/token"
        public var userURL = "https://discord.com/api/users/@me"

        public init(clientID: String, clientSecret: String, redirectURL: String) {
            self.clientID = clientID; self.clientSecret = clientSecret; self.redirectURL = redirectURL
        }

        /// From `WARDEN_DISCORD_CLIENT_ID`, `_CLIENT_SECRET`, `_REDIRECT_URL` (all three, or nil: the form is off),
        /// and optionally `_AUTHORIZE_URL`, `_TOKEN_URL`, `_USER_URL`.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Configuration? {
            guard let id = environment["WARDEN_DISCORD_CLIENT_ID"], !id.isEmpty,
                  let secret = environment["WARDEN_DISCORD_CLIENT_SECRET"], !secret.isEmpty,
                  let redirect = environment["WARDEN_DISCORD_REDIRECT_URL"], !redirect.isEmpty else { return nil }
            var configuration = Configuration(clientID: id, clientSecret: secret, redirectURL: redirect)
            if let url = environment["WARDEN_DISCORD_AUTHORIZE_URL"], !url.isEmpty { configuration.authorizeURL = url }
            if let url = environment["WARDEN_DISCORD_TOKEN_URL"], !url.isEmpty { configuration.tokenURL = url }
            if let url = environment["WARDEN_DISCORD_USER_URL"], !url.isEmpty { configuration.userURL = url }
            return configuration
        }
    }

    /// Who Discord says signed in.
    public struct Member: Sendable, Equatable {
        public var id: Int64
        public var username: String
    }

    /// Discord refused or answered something unusable.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public let configuration: Configuration
    let transport: any HTTPTransport

    public init(configuration: Configuration, transport: any HTTPTransport) {
        self.configuration = configuration; self.transport = transport
    }

    /// The URL to send the member to, carrying `state` (which the callback must bring back).
    public func authorizeURL(state: String) -> String {
        var components = URLComponents(string: configuration.authorizeURL) ?? URLComponents()
        components.queryItems = (components.queryItems ?? []) + [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: configuration.clientID),
            URLQueryItem(name: "scope", value: "identify"), URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "redirect_uri", value: configuration.redirectURL), URLQueryItem(name: "prompt", value: "none"),
        ]
        return components.string ?? configuration.authorizeURL
    }

    /// Trades the callback's code for an access token, then asks Discord who it belongs to.
    public func member(code: String) async throws(Failure) -> Member {
        let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", configuration.redirectURL),
                    ("client_id", configuration.clientID), ("client_secret", configuration.clientSecret)]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let token = try await json(HTTPRequest(method: "POST", url: configuration.tokenURL,
                                               headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                               body: Array(form.utf8), timeout: .seconds(15), connectTimeout: .seconds(5)), what: "the token exchange")
        guard let access = token["access_token"] as? String, !access.isEmpty, access.count < 4_096,
              !access.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw Failure(description: "Discord's token answer holds no access token")
        }
        let user = try await json(HTTPRequest(method: "GET", url: configuration.userURL, headers: [("Authorization", "Bearer \(access)")],
                                              timeout: .seconds(15), connectTimeout: .seconds(5)), what: "the user lookup")
        guard let idText = user["id"] as? String, let id = UInt64(idText), id > 0, id < 1 << 63 else {
            throw Failure(description: "Discord's user answer holds no valid id")
        }
        let name = (user["global_name"] as? String) ?? (user["username"] as? String) ?? "member"
        return Member(id: Int64(id), username: String(name.prefix(100)))
    }

    private func json(_ request: HTTPRequest, what: String) async throws(Failure) -> [String: Any] {
        let response: HTTPResponse
        do { response = try await transport.send(request) } catch { throw Failure(description: "\(what) failed: \(error)") }
        guard response.status == 200 else { throw Failure(description: "\(what) was refused (HTTP \(response.status))") }
        guard response.body.count < 1 << 20, let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
            throw Failure(description: "\(what) answered something that is not a JSON object")
        }
        return object
    }

    static func formEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
