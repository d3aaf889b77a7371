"""A fake Discord OAuth2 provider for the console's browser tests (scripts/console-test.sh).

    python fake_oauth.py --port N [--redirect-uri URL]

Discord's authorization-code flow with its shapes, on loopback, so the appeal form's "Sign in with Discord"
can be driven by a browser without a Discord account:

  GET  /oauth2/authorize?response_type=code&client_id=..&scope=identify&state=..&redirect_uri=..
       a page with one button per test user (button[data-user="42"], and data-user="deny" to refuse)
  GET  /oauth2/authorize/approve?user=42&state=..&redirect_uri=..
       302 to redirect_uri?code=<random>&state=<state> (or ?error=access_denied&state=.. for user=deny)
  POST /api/oauth2/token   form-encoded grant_type=authorization_code&code&redirect_uri&client_id&client_secret
       (or the client credentials in HTTP Basic auth, which Discord also takes)
  GET  /api/users/@me      Authorization: Bearer <access_token>
  GET  /                   200 "ok", for the script waiting until the port answers

A code is single-use and tied to the redirect_uri it was issued for, as on Discord. With --redirect-uri the
authorize step refuses any other redirect_uri, as Discord refuses one that is not registered for the app.
Runs until killed (SIGTERM); logs one line per request to stderr.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import secrets
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "warden-test"
CLIENT_SECRET = "warden-test-secret"
# Discord user objects (https://discord.com/developers/docs/resources/user#user-object), trimmed.
USERS: dict[str, dict[str, object]] = {
    "42": {"id": "42", "username": "sam", "global_name": "Sam", "avatar": None, "discriminator": "0"},
    "43": {"id": "43", "username": "alex", "global_name": "Alex", "avatar": None, "discriminator": "0"},
}


@dataclass(frozen=True)
class Grant:
    user: str
    redirect_uri: str


class Provider:
    """Issued codes and access tokens; handler threads share it, so every change holds the lock."""

    def __init__(self, registered_redirect: str | None) -> None:
        self.registered_redirect = registered_redirect
        self.lock = threading.Lock()
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, str] = {}

    def issue_code(self, grant: Grant) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = grant
        return code

    def redeem(self, code: str, redirect_uri: str) -> str | None:
        """The access token for a known, unused code issued for this redirect_uri; the code is spent."""
        with self.lock:
            grant = self.codes.get(code)
            if grant is None or grant.redirect_uri != redirect_uri:
                return None
            del self.codes[code]
            token = secrets.token_urlsafe(32)
            self.tokens[token] = grant.user
            return token

    def user_for(self, token: str) -> str | None:
        with self.lock:
            return self.tokens.get(token)


def with_query(url: str, params: dict[str, str]) -> str:
    # The redirect_uri may carry a query of its own; Discord appends to it.
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params)


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeDiscordOAuth/1"
    provider: Provider  # set on the class in main()

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write("fake-oauth: " + (format % args) + "\n")

    def send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, value: object) -> None:
        self.send(status, json.dumps(value).encode(), "application/json")

    def send_page(self, status: int, title: str, body: str) -> None:
        # An empty icon: without it the browser asks for /favicon.ico, and its 404 is a console error in the tests.
        page = f"<!doctype html><meta charset=utf-8><link rel=icon href=\"data:,\"><title>{html.escape(title)}</title>{body}"
        self.send(status, page.encode(), "text/html; charset=utf-8")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == "/":
            self.send(200, b"ok\n", "text/plain")
        elif url.path == "/oauth2/authorize":
            self.authorize(query)
        elif url.path == "/oauth2/authorize/approve":
            self.approve(query)
        elif url.path == "/api/users/@me":
            self.me()
        else:
            self.send_json(404, {"message": "404: Not Found", "code": 0})

    def do_POST(self) -> None:
        if urlsplit(self.path).path == "/api/oauth2/token":
            self.token()
        else:
            self.send_json(404, {"message": "404: Not Found", "code": 0})

    def authorize_error(self, query: dict[str, str]) -> str | None:
        if query.get("response_type") != "code":
            return "response_type must be code"
        if query.get("client_id") != CLIENT_ID:
            return "unknown client_id"
        if "identify" not in query.get("scope", "").split():
            return "scope must include identify"
        redirect = query.get("redirect_uri", "")
        if not redirect.startswith(("http://", "https://")):
            return "redirect_uri missing or not http(s)"
        if self.provider.registered_redirect is not None and redirect != self.provider.registered_redirect:
            return "Invalid OAuth2 redirect_uri"
        if not query.get("state"):
            # Discord does not insist on state, but a client without one has no CSRF protection: fail loudly.
            return "state missing"
        return None

    def authorize(self, query: dict[str, str]) -> None:
        error = self.authorize_error(query)
        if error is not None:
            self.send_page(400, "Invalid authorization", f"<p id=error>{html.escape(error)}</p>")
            return
        hidden = "".join(
            f'<input type=hidden name="{name}" value="{html.escape(query[name])}">' for name in ("state", "redirect_uri")
        )
        buttons = "".join(
            f'<button name=user value="{uid}" data-user="{uid}">{html.escape(str(user["username"]))}</button>'
            for uid, user in USERS.items()
        )
        buttons += '<button name=user value=deny data-user="deny">Cancel</button>'
        self.send_page(
            200,
            "Authorize warden-test",
            f'<h1>warden-test wants to know who you are</h1><form method=get action="/oauth2/authorize/approve">{hidden}{buttons}</form>',
        )

    def approve(self, query: dict[str, str]) -> None:
        user, state, redirect = query.get("user", ""), query.get("state", ""), query.get("redirect_uri", "")
        if not redirect.startswith(("http://", "https://")):
            self.send_page(400, "Invalid authorization", "<p id=error>redirect_uri missing</p>")
        elif user == "deny":
            error = {"error": "access_denied", "error_description": "The resource owner or authorization server denied the request", "state": state}
            self.send(302, b"", "text/plain", {"Location": with_query(redirect, error)})
        elif user not in USERS:
            self.send_page(400, "Invalid authorization", "<p id=error>unknown user</p>")
        else:
            code = self.provider.issue_code(Grant(user=user, redirect_uri=redirect))
            self.send(302, b"", "text/plain", {"Location": with_query(redirect, {"code": code, "state": state})})

    def client_credentials(self, form: dict[str, str]) -> tuple[str, str]:
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
                return client_id, secret
            except (ValueError, UnicodeDecodeError):
                return "", ""
        return form.get("client_id", ""), form.get("client_secret", "")

    def token(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 65_536)).decode("utf-8", "replace")
        # Discord takes only form-encoded bodies here; a JSON body is a client bug worth seeing.
        if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            self.send_json(400, {"error": "invalid_request", "error_description": "form-encoded body required"})
            return
        form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
        if form.get("grant_type") != "authorization_code":
            self.send_json(400, {"error": "unsupported_grant_type"})
            return
        if self.client_credentials(form) != (CLIENT_ID, CLIENT_SECRET):
            self.send_json(401, {"error": "invalid_client"})
            return
        token = self.provider.redeem(form.get("code", ""), form.get("redirect_uri", ""))
        if token is None:
            self.send_json(400, {"error": "invalid_grant"})
            return
        self.send_json(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 604800,
                "refresh_token": secrets.token_urlsafe(32),
                "scope": "identify",
            },
        )

    def me(self) -> None:
        header = self.headers.get("Authorization", "")
        user = self.provider.user_for(header[7:]) if header.startswith("Bearer ") else None
        if user is None:
            self.send_json(401, {"message": "401: Unauthorized", "code": 0})
        else:
            self.send_json(200, USERS[user])


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Discord OAuth2 provider on loopback.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--redirect-uri", help="The one redirect_uri registered for the app (default: any).")
    args = parser.parse_args()
    Handler.provider = Provider(args.redirect_uri)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
