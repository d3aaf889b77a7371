"""A fake Discord REST API for the bot's tests and demo: records every request and answers like Discord.

It serves the endpoints the bot (through discord.py) calls, with plausible JSON, under ``/api/v10``:

- ``GET /users/@me`` and ``GET /oauth2/applications/@me`` (what ``Client.login`` reads);
- ``POST /users/@me/channels`` (open a DM) and ``POST /channels/{id}/messages`` (send);
- ``DELETE /channels/{id}/messages/{id}``;
- ``PATCH /guilds/{g}/members/{u}`` (timeouts), ``DELETE /guilds/{g}/members/{u}`` (kick);
- ``PUT``/``DELETE /guilds/{g}/bans/{u}`` (ban, unban);
- ``PUT``/``DELETE /guilds/{g}/members/{u}/roles/{r}`` (role mutes), ``PUT /guilds/{g}/incident-actions`` (raids).

Anything else is 404 with Discord's ``{"message": "404: Not Found", "code": 0}``, and is recorded too, so a
test sees a call it did not expect. Two behaviours can be switched on to exercise the bot's error paths:

- ``rate_limit(method, path_regex, times=1)``: the next ``times`` matching requests get a 429 exactly as
  Discord sends one (``retry_after`` in the body; ``Retry-After``, ``X-RateLimit-*``, ``X-RateLimit-Scope``
  and ``Via`` headers — discord.py treats a 429 without ``Via`` as a Cloudflare ban and gives up);
- ``close_dms(user_id)``: sending to that user's DM channel is 403 code 50007, as when a member has
  closed their DMs.

Run on its own (``python fake_discord.py --port 8999``) it prints each request as a JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from aiohttp import web

API_PREFIX = "/api/v10"
BOT_USER_ID = "1000000000000000001"
APPLICATION_ID = BOT_USER_ID

Json = Dict[str, Any]


@dataclass
class Request:
    """One request as the fake received it (the path without ``/api/v10``)."""
    method: str
    path: str
    query: Dict[str, str]
    body: Any
    reason: Optional[str]  # X-Audit-Log-Reason, percent-decoded as Discord stores it
    status: int  # what the fake answered
    at: float = field(default_factory=time.monotonic)

    def as_dict(self) -> Json:
        return {"method": self.method, "path": self.path, "query": self.query, "body": self.body,
                "reason": self.reason, "status": self.status}

    def __str__(self) -> str:
        query = ("?" + urllib.parse.urlencode(self.query)) if self.query else ""
        reason = f"  [X-Audit-Log-Reason: {self.reason}]" if self.reason else ""
        body = f" {json.dumps(self.body, ensure_ascii=False)}" if self.body is not None else ""
        return f"{self.method} {self.path}{query}{body}{reason} -> {self.status}"


@dataclass
class _RateLimit:
    method: str
    pattern: "re.Pattern[str]"
    remaining: int
    retry_after: float


class FakeDiscord:
    """The fake server; ``await start()`` it on a free port, read ``requests``, ``await stop()``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 on_request: Optional[Callable[[Request], None]] = None) -> None:
        self.host = host
        self.port = port
        self.requests: List[Request] = []
        self._on_request = on_request
        self._rate_limits: List[_RateLimit] = []
        self._closed_dms: Set[str] = set()
        self._dm_channels: Dict[str, str] = {}  # DM channel id -> recipient id
        self._ids = itertools.count(1500000000000000001)
        self._runner: Optional[web.AppRunner] = None
        self._changed = asyncio.Event()

    # Control

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` is set to so discord.py talks to this fake."""
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    def rate_limit(self, method: str, path_regex: str, *, times: int = 1, retry_after: float = 0.25) -> None:
        """The next ``times`` requests ``method`` on a path fully matching ``path_regex`` answer 429."""
        self._rate_limits.append(_RateLimit(method.upper(), re.compile(path_regex), times, retry_after))

    def close_dms(self, user_id: str) -> None:
        self._closed_dms.add(str(user_id))

    def clear(self) -> None:
        self.requests.clear()

    def calls(self, *, include_login: bool = False, include_429: bool = False) -> List[Request]:
        """The requests the bot made, without the login's and (unless asked) the rate-limited attempts."""
        login = {("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")}
        return [r for r in self.requests
                if (include_login or (r.method, r.path) not in login) and (include_429 or r.status != 429)]

    async def wait_for(self, predicate: Callable[[List[Request]], bool], timeout: float = 10.0) -> List[Request]:
        """Waits (at most ``timeout`` seconds) until ``predicate(calls())`` holds; returns the calls."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate(self.calls()):
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError("fake Discord never saw the expected calls; it saw:\n"
                                     + "\n".join(f"  {r}" for r in self.requests))
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(left, 0.5))
            except asyncio.TimeoutError:
                pass
        return self.calls()

    async def start(self) -> "FakeDiscord":
        app = web.Application()
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # the OS picked one
            self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Serving

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        reason_header = request.headers.get("X-Audit-Log-Reason")
        reason = urllib.parse.unquote(reason_header) if reason_header is not None else None
        status, payload, headers = self._answer(request.method, path, body)
        record = Request(request.method, path, dict(request.query), body, reason, status)
        self.requests.append(record)
        self._changed.set()
        if self._on_request is not None:
            self._on_request(record)
        if payload is None:
            return web.Response(status=status, headers=headers)
        # Exactly "application/json", no charset, as Discord sends it: discord.py compares the header
        # verbatim and treats anything else as text.
        return web.Response(status=status, headers={**headers, "Content-Type": "application/json"},
                            body=json.dumps(payload).encode())

    def _answer(self, method: str, path: str, body: Any) -> Tuple[int, Optional[Any], Dict[str, str]]:
        limited = self._take_rate_limit(method, path)
        if limited is not None:
            return 429, {"message": "You are being rate limited.", "retry_after": limited.retry_after,
                         "global": False}, self._limit_headers(path, remaining=0, reset_after=limited.retry_after,
                                                               extra={"Retry-After": str(max(1, round(limited.retry_after))),
                                                                      "X-RateLimit-Scope": "user", "Via": "1.1 google"})
        headers = self._limit_headers(path, remaining=4, reset_after=1.0)
        for route_method, pattern, handler in self._routes():
            if method == route_method:
                match = re.fullmatch(pattern, path)
                if match:
                    status, payload = handler(body, *match.groups())
                    return status, payload, headers
        return 404, {"message": "404: Not Found", "code": 0}, headers

    def _routes(self) -> List[Tuple[str, str, Callable[..., Tuple[int, Optional[Any]]]]]:
        snowflake = r"(\d+)"
        return [
            ("GET", r"/users/@me", lambda _b: (200, _bot_user())),
            ("GET", r"/oauth2/applications/@me", lambda _b: (200, _application())),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("POST", rf"/channels/{snowflake}/messages", self._send_message),
            ("DELETE", rf"/channels/{snowflake}/messages/{snowflake}", lambda _b, _c, _m: (204, None)),
            ("PATCH", rf"/guilds/{snowflake}/members/{snowflake}", self._edit_member),
            ("DELETE", rf"/guilds/{snowflake}/members/{snowflake}", lambda _b, _g, _u: (204, None)),
            ("PUT", rf"/guilds/{snowflake}/bans/{snowflake}", lambda _b, _g, _u: (204, None)),
            ("DELETE", rf"/guilds/{snowflake}/bans/{snowflake}", lambda _b, _g, _u: (204, None)),
            ("PUT", rf"/guilds/{snowflake}/members/{snowflake}/roles/{snowflake}", lambda _b, _g, _u, _r: (204, None)),
            ("DELETE", rf"/guilds/{snowflake}/members/{snowflake}/roles/{snowflake}", lambda _b, _g, _u, _r: (204, None)),
            ("PUT", rf"/guilds/{snowflake}/incident-actions", lambda b, _g: (200, b)),
        ]

    def _take_rate_limit(self, method: str, path: str) -> Optional[_RateLimit]:
        for limit in self._rate_limits:
            if limit.remaining > 0 and limit.method == method and limit.pattern.fullmatch(path):
                limit.remaining -= 1
                return limit
        return None

    @staticmethod
    def _limit_headers(path: str, *, remaining: int, reset_after: float,
                       extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        # One bucket per route shape (ids replaced), as Discord hashes its buckets.
        bucket = re.sub(r"\d{5,}", "{id}", path)
        headers = {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": str(remaining),
                   "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                   "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                   "X-RateLimit-Bucket": f"fake-{abs(hash(bucket)) % 10**12:012d}"}
        headers.update(extra or {})
        return headers

    def _open_dm(self, body: Any) -> Tuple[int, Any]:
        recipient = str((body or {}).get("recipient_id", ""))
        channel = next((c for c, u in self._dm_channels.items() if u == recipient), None)
        if channel is None:
            channel = str(next(self._ids))
            self._dm_channels[channel] = recipient
        return 200, {"id": channel, "type": 1, "last_message_id": None, "flags": 0,
                     "recipients": [_user(recipient, f"member-{recipient[-4:]}")]}

    def _send_message(self, body: Any, channel_id: str) -> Tuple[int, Any]:
        recipient = self._dm_channels.get(channel_id)
        if recipient is not None and recipient in self._closed_dms:
            return 403, {"message": "Cannot send messages to this user", "code": 50007}
        content = (body or {}).get("content", "")
        return 200, _message(str(next(self._ids)), channel_id, content)

    @staticmethod
    def _edit_member(body: Any, guild_id: str, user_id: str) -> Tuple[int, Any]:
        return 200, {"user": _user(user_id, f"member-{user_id[-4:]}"), "roles": [], "nick": None,
                     "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": False, "mute": False, "flags": 0,
                     "pending": False,
                     "communication_disabled_until": (body or {}).get("communication_disabled_until")}


def _user(user_id: str, name: str, *, bot: bool = False) -> Json:
    return {"id": user_id, "username": name, "discriminator": "0", "global_name": None, "avatar": None,
            "bot": bot, "public_flags": 0, "flags": 0}


def _bot_user() -> Json:
    return {**_user(BOT_USER_ID, "warden-bot", bot=True), "verified": True, "mfa_enabled": False, "locale": "en-US"}


def _application() -> Json:
    return {"id": APPLICATION_ID, "name": "Warden reference bot", "icon": None, "description": "",
            "bot_public": False, "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
            "owner": _user("1000000000000000099", "owner"), "team": None, "bot": _bot_user()}


def _message(message_id: str, channel_id: str, content: str) -> Json:
    now = datetime.now(timezone.utc).isoformat()
    return {"id": message_id, "channel_id": channel_id, "type": 0, "content": content, "author": _bot_user(),
            "timestamp": now, "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False, "flags": 0, "components": []}


async def _serve(port: int) -> None:
    fake = FakeDiscord(port=port, on_request=lambda r: print(json.dumps(r.as_dict(), ensure_ascii=False), flush=True))
    await fake.start()
    print(f"fake Discord listening on {fake.api_base}", file=sys.stderr, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8999)
    try:
        asyncio.run(_serve(parser.parse_args().port))
    except KeyboardInterrupt:
        pass
