"""A client for Warden's HTTP API, on the standard library alone (``urllib``)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from email.utils import parsedate_to_datetime
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, cast

from .errors import Unavailable, WardenError
from .types import (Appeal, AppealDetail, BatchResult, Decision, Deflection, Event, EventPage, Snowflake, SuggestionPage, Ticket,
                    Verification)

JSON = Dict[str, Any]

#: Ticket state changes the API knows (``POST tickets/{id}/transitions``).
TICKET_EVENTS = ("claim", "wait_for_user", "user_replied", "escalate", "close", "reopen", "archive")

#: The Gateway events Warden acts on (``POST /v1/gateway``); :meth:`Client.judge_dispatch` sends only these.
GATEWAY_EVENTS = ("MESSAGE_CREATE", "MESSAGE_UPDATE", "AUTO_MODERATION_ACTION_EXECUTION", "GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE")

#: What a moderator can record (``POST cases``).
CASE_ACTIONS = ("warn", "timeout", "mute", "kick", "ban", "unban", "unmute", "note")

#: The forms a ticket transcript comes in (``GET tickets/{id}/transcript?format=``).
TRANSCRIPT_FORMATS = ("json", "markdown", "html")

_IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


class Client:
    """One Warden service, with one API token.

    >>> warden = Client("http://127.0.0.1:8080", token="...")
    >>> decision = warden.judge(message)          # Discord's Message JSON, as the Gateway gives it
    >>> for action in decision["actions"]: ...    # delete_message, ban, timeout, alert, ...

    Every error is a :class:`WardenError` carrying the API's code and message. A 503 (the store is
    unavailable or busy) is retried after its ``Retry-After``, up to ``retries`` times, as the API's
    contract asks; then :class:`Unavailable` is raised. Messages are idempotent by id, so a message sent
    again is judged and stored once.
    """

    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0, retries: int = 5,
                 max_retry_after: float = 30.0, user_agent: str = "warden-client-python") -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"base_url must be an http(s) URL such as http://127.0.0.1:8080, got {base_url!r}")
        if not token:
            raise ValueError("token must be a Warden API token (warden admin token create)")
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.retries = max(0, retries)
        self.max_retry_after = max_retry_after
        self.user_agent = user_agent

    # Messages

    def judge(self, message: Mapping[str, Any]) -> Decision:
        """Judges one Discord message (``POST /v1/messages``) and returns the decision: ``verdict``
        (allow, flag or block), ``matches`` with their evidence, ``actions`` to take in Discord's terms."""
        return cast(Decision, self._json("POST", "/v1/messages", message))

    def judge_dispatch(self, dispatch: Mapping[str, Any]) -> Optional[Decision]:
        """Sends a Gateway dispatch as the bot received it (``{"op": 0, "t": "MESSAGE_UPDATE", "d": {...}}``) to
        ``POST /v1/gateway`` and returns its decision: new messages, edits and the embeds Discord adds later,
        Discord's own AutoMod hits, members joining or changing their names (a member's decision has
        ``message_id`` None). Returns None, without a call, for dispatches Warden does not act on (other
        events, other opcodes, DMs), and when Warden answers that there was nothing to judge."""
        if not isinstance(dispatch, Mapping):
            raise TypeError(f"dispatch must be a mapping (the Gateway payload), got {type(dispatch).__name__}")
        data = dispatch.get("d")
        if dispatch.get("op", 0) != 0 or dispatch.get("t") not in GATEWAY_EVENTS or not isinstance(data, Mapping):
            return None
        if not data.get("guild_id"):
            return None  # a DM: nothing to moderate
        answer = self._json("POST", "/v1/gateway", dict(dispatch))
        return None if "ignored" in answer else cast(Decision, answer)

    def judge_batch(self, messages: Sequence[Mapping[str, Any]]) -> BatchResult:
        """Judges up to 1,000 messages in one call. ``results[i]`` is message i's decision, or
        ``{"index": i, "error": {...}}`` for a message that was refused; the others are still judged."""
        return cast(BatchResult, self._json("POST", "/v1/messages/batch", list(messages)))

    # Events: late LLM verdicts, appeal reversals, review results

    def events(self, guild: Snowflake, *, after: int = 0, wait: Optional[float] = None,
               limit: Optional[int] = None) -> EventPage:
        """The guild's events after cursor ``after``; with ``wait`` (seconds, at most 30) the call holds
        until one arrives or the time passes (a long-poll). Pass the answer's ``cursor`` as the next ``after``."""
        query: Dict[str, Any] = {"after": after}
        if wait is not None:
            query["wait"] = int(wait)
        if limit is not None:
            query["limit"] = limit
        return cast(EventPage, self._json("GET", self._guild(guild, "events"), query=query,
                                          timeout=self.timeout + (wait or 0)))

    def iter_events(self, guild: Snowflake, *, after: int = 0, wait: float = 25,
                    max_polls: Optional[int] = None) -> Iterator[Event]:
        """Every event of the guild after ``after``, long-polling for more; at most ``max_polls`` calls
        (unbounded when None). Each event has ``id`` (the cursor to resume after), ``kind`` and ``payload``."""
        polls = 0
        while max_polls is None or polls < max_polls:
            page = self.events(guild, after=after, wait=wait)
            polls += 1
            for event in page["events"]:
                yield event
            after = page["cursor"]

    # Appeals

    def file_appeal(self, guild: Snowflake, *, log_id: int, user_id: Snowflake, reason: str) -> Appeal:
        """A member appeals the decision of automod log ``log_id`` (the decision's ``log_id``)."""
        return cast(Appeal, self._json("POST", self._guild(guild, "appeals"),
                                       {"log_id": log_id, "user_id": str(user_id), "reason": reason}))

    def appeals(self, guild: Snowflake, *, status: Optional[str] = None, limit: Optional[int] = None) -> List[AppealDetail]:
        """The guild's appeals (moderator), pending first, each with its log, rule and evidence;
        ``status`` filters (pending, approved, denied)."""
        query = {k: v for k, v in (("status", status), ("limit", limit)) if v is not None}
        return cast(List[AppealDetail], self._json("GET", self._guild(guild, "appeals"), query=query).get("appeals") or [])

    def appeal(self, guild: Snowflake, appeal_id: int) -> AppealDetail:
        return cast(AppealDetail, self._json("GET", self._guild(guild, f"appeals/{appeal_id}")))

    def approve_appeal(self, guild: Snowflake, appeal_id: int, *, moderator_id: Snowflake,
                       note: Optional[str] = None) -> Appeal:
        """Approves an appeal (moderator): the reversal (unban, untimeout, ...) reaches the events feed."""
        return self._decide(guild, appeal_id, "approve", moderator_id, note)

    def deny_appeal(self, guild: Snowflake, appeal_id: int, *, moderator_id: Snowflake, note: str) -> Appeal:
        return self._decide(guild, appeal_id, "deny", moderator_id, note)

    def _decide(self, guild: Snowflake, appeal_id: int, verb: str, moderator_id: Snowflake, note: Optional[str]) -> Appeal:
        body: JSON = {"moderator_id": str(moderator_id)}
        if note is not None:
            body["note"] = note
        return cast(Appeal, self._json("POST", self._guild(guild, f"appeals/{appeal_id}/{verb}"), body))

    def history(self, guild: Snowflake, user_id: Snowflake, *, limit: Optional[int] = None) -> JSON:
        """A member's automod history (moderator): points, level and recent logs."""
        query = {"limit": limit} if limit is not None else {}
        return self._json("GET", self._guild(guild, f"users/{user_id}/history"), query=query)

    # Cases: moderators' actions, numbered with the automatic ones

    def record_case(self, guild: Snowflake, user_id: Snowflake, action: str, reason: str, *,
                    duration_seconds: Optional[int] = None, moderator_id: Optional[Snowflake] = None) -> JSON:
        """Records a moderator's action (moderator token): one of :data:`CASE_ACTIONS`, with a reason; a timeout
        needs ``duration_seconds``, a ban or mute with one is temporary. Returns ``case`` (with its ``number``),
        the ``actions`` the bot will receive as a ``manual_action`` event, and that event's ``event_id``."""
        if action not in CASE_ACTIONS:
            raise ValueError(f"action must be one of {', '.join(CASE_ACTIONS)}, got {action!r}")
        body: Dict[str, Any] = {"user_id": str(user_id), "action": action, "reason": reason}
        if duration_seconds is not None:
            body["duration_seconds"] = duration_seconds
        if moderator_id is not None:
            body["moderator_id"] = str(moderator_id)
        return self._json("POST", self._guild(guild, "cases"), body)

    def cases(self, guild: Snowflake, *, user_id: Optional[Snowflake] = None, limit: Optional[int] = None) -> List[JSON]:
        """The guild's cases, or one member's, newest first (moderator)."""
        query = {k: v for k, v in (("user", None if user_id is None else str(user_id)), ("limit", limit)) if v is not None}
        return cast(List[JSON], self._json("GET", self._guild(guild, "cases"), query=query).get("cases") or [])

    # Support tickets

    def open_ticket(self, guild: Snowflake, *, user_id: Snowflake, description: str,
                    username: Optional[str] = None, channel_id: Optional[Snowflake] = None) -> Ticket:
        body: JSON = {"user_id": str(user_id), "description": description}
        if username is not None:
            body["username"] = username
        if channel_id is not None:
            body["channel_id"] = str(channel_id)
        return cast(Ticket, self._json("POST", self._guild(guild, "tickets"), body))

    def ticket(self, guild: Snowflake, ticket_id: int) -> Ticket:
        return cast(Ticket, self._json("GET", self._guild(guild, f"tickets/{ticket_id}")))

    def add_ticket_message(self, guild: Snowflake, ticket_id: int, *, author_id: Snowflake, content: str) -> JSON:
        return self._json("POST", self._guild(guild, f"tickets/{ticket_id}/messages"),
                          {"author_id": str(author_id), "content": content})

    def transition_ticket(self, guild: Snowflake, ticket_id: int, event: str, *, by: Optional[Snowflake] = None) -> Ticket:
        """Moves a ticket through its states with one of :data:`TICKET_EVENTS`; a move the ticket's state
        does not allow is a :class:`WardenError` with status 409."""
        if event not in TICKET_EVENTS:
            raise ValueError(f"event must be one of {', '.join(TICKET_EVENTS)}, got {event!r}")
        body: JSON = {"event": event}
        if by is not None:
            body["by"] = str(by)
        return cast(Ticket, self._json("POST", self._guild(guild, f"tickets/{ticket_id}/transitions"), body))

    def faq_suggestions(self, guild: Snowflake, ticket_id: int, *, limit: Optional[int] = None) -> SuggestionPage:
        """The FAQ answers that best match the ticket's first message (``suggestions``, best first; at most
        ``limit``, 1-10, default 3), recorded as the ticket's suggestions so deflection can be measured. Ask
        when the ticket opens; asking again answers the same ones. Empty when the FAQ has nothing for it."""
        body: JSON = {} if limit is None else {"limit": limit}
        return cast(SuggestionPage, self._json("POST", self._guild(guild, f"tickets/{int(ticket_id)}/suggestions"), body))

    def faq_solved(self, guild: Snowflake, ticket_id: int, entry_id: int, *, user_id: Snowflake) -> SuggestionPage:
        """The member's "this solved it" for a suggested entry (``user_id`` must be the member who opened
        the ticket). Closes the ticket if it is open; saying it again changes nothing (``changed`` is False).
        An entry that was not suggested for the ticket is a :class:`WardenError` with status 409."""
        return cast(SuggestionPage, self._json("POST", self._guild(guild, f"tickets/{int(ticket_id)}/suggestions/{int(entry_id)}/solved"),
                                               {"user_id": str(user_id)}))

    def ticket_transcript(self, guild: Snowflake, ticket_id: int, *, format: str = "markdown") -> str:
        """The ticket's whole conversation as text in one of :data:`TRANSCRIPT_FORMATS`: JSON (parse it with
        ``json.loads``), Markdown, or a standalone HTML page. Member text is escaped for the form; attachments
        are the URLs the messages hold, listed and not fetched."""
        if format not in TRANSCRIPT_FORMATS:
            raise ValueError(f"format must be one of {', '.join(TRANSCRIPT_FORMATS)}, got {format!r}")
        path = self._guild(guild, f"tickets/{int(ticket_id)}/transcript")
        return self._send("GET", path, query={"format": format}, accept="*/*")[1].decode("utf-8")

    def faq_deflection(self, guild: Snowflake, *, days: Optional[int] = None, top: Optional[int] = None) -> Deflection:
        """How often suggested answers deflect the guild's tickets (staff): ``suggestion_rate``,
        ``deflection_rate`` (None when there is nothing to divide by) and the ``top_entries``."""
        query = {k: v for k, v in (("days", days), ("top", top)) if v is not None}
        return cast(Deflection, self._json("GET", self._guild(guild, "faq/deflection"), query=query))

    # Payment verification and FAQ

    def upload_verification(self, guild: Snowflake, *, user_id: Snowflake, image: bytes,
                            content_type: Optional[str] = None, channel_id: Optional[Snowflake] = None) -> Verification:
        """Uploads a payment screenshot (PNG, JPEG or WebP; the type is read from the bytes when not given)
        for the vision model; the answer's ``status`` says where it went (pending, verified, manual review)."""
        kind = content_type or _image_type(image)
        query: Dict[str, Any] = {"user_id": str(user_id)}
        if channel_id is not None:
            query["channel_id"] = str(channel_id)
        return cast(Verification, self._request("POST", self._guild(guild, "verifications"), query=query,
                                                body=image, content_type=kind))

    def faq_search(self, guild: Snowflake, query: str, *, user_id: Optional[Snowflake] = None,
                   limit: Optional[int] = None) -> JSON:
        """The guild's FAQ entries matching ``query``, best first (``results``)."""
        params: Dict[str, Any] = {"q": query}
        if user_id is not None:
            params["user_id"] = str(user_id)
        if limit is not None:
            params["limit"] = limit
        return self._json("GET", self._guild(guild, "faq/search"), query=params)

    def dry_run(self, guild: Snowflake, message: Mapping[str, Any]) -> Decision:
        """What the guild's rules would decide for ``message`` (admin), with nothing stored."""
        return cast(Decision, self._json("POST", self._guild(guild, "rules/dry-run"), message))

    # Webhooks (admin): signed POSTs of the events feed; check them with warden_client.webhooks.verify.

    def create_webhook(self, url: str, *, guild: Optional[Snowflake] = None,
                       events: Optional[Sequence[str]] = None) -> JSON:
        """Registers an endpoint for one guild (every guild when ``guild`` is None) and the event kinds in
        ``events`` (all when None). The answer's ``secret`` is shown this once; ``webhook`` is the endpoint."""
        body: JSON = {"url": url}
        if guild is not None:
            body["guild_id"] = str(guild)
        if events is not None:
            body["events"] = list(events)
        return self._json("POST", "/v1/webhooks", body)

    def webhooks(self) -> List[JSON]:
        """The endpoints this token may see, with their ``pending`` and ``dead`` delivery counts."""
        return cast(List[JSON], self._json("GET", "/v1/webhooks").get("webhooks") or [])

    def delete_webhook(self, webhook_id: int) -> None:
        self._json("DELETE", f"/v1/webhooks/{int(webhook_id)}")

    def rotate_webhook_secret(self, webhook_id: int, *, keep_previous_seconds: Optional[int] = None) -> JSON:
        """A new secret (in the answer's ``secret``); the old one still signs beside it for
        ``keep_previous_seconds`` (the server's default is a day)."""
        body: JSON = {} if keep_previous_seconds is None else {"keep_previous_seconds": keep_previous_seconds}
        return self._json("POST", f"/v1/webhooks/{int(webhook_id)}/secret", body)

    def webhook_deliveries(self, webhook_id: int, *, status: Optional[str] = None,
                           limit: Optional[int] = None) -> List[JSON]:
        """The endpoint's deliveries, newest first; ``status`` is pending, delivered or dead."""
        query = {k: v for k, v in (("status", status), ("limit", limit)) if v is not None}
        return cast(List[JSON], self._json("GET", f"/v1/webhooks/{int(webhook_id)}/deliveries", query=query).get("deliveries") or [])

    def replay_webhook(self, webhook_id: int, *, guild: Optional[Snowflake] = None) -> int:
        """Sends the endpoint's dead deliveries again (of one guild, or all) and returns how many."""
        body: JSON = {} if guild is None else {"guild_id": str(guild)}
        return int(self._json("POST", f"/v1/webhooks/{int(webhook_id)}/replay", body).get("replayed", 0))

    def health(self) -> JSON:
        return self._json("GET", "/health")

    # Transport

    @staticmethod
    def _guild(guild: Snowflake, rest: str) -> str:
        return f"/v1/guilds/{urllib.parse.quote(str(guild), safe='')}/{rest}"

    def _json(self, method: str, path: str, body: Any = None, *, query: Optional[Mapping[str, Any]] = None,
              timeout: Optional[float] = None) -> JSON:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self._request(method, path, query=query, body=data,
                             content_type="application/json" if data is not None else None, timeout=timeout)

    def _request(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None,
                 body: Optional[bytes] = None, content_type: Optional[str] = None,
                 timeout: Optional[float] = None) -> JSON:
        status, raw = self._send(method, path, query=query, body=body, content_type=content_type, timeout=timeout)
        return _decode(raw, method, path, status)

    def _send(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None,
              body: Optional[bytes] = None, content_type: Optional[str] = None,
              timeout: Optional[float] = None, accept: str = "application/json") -> Tuple[int, bytes]:
        """The answer's status and body; errors raised as :class:`WardenError`, 503s sent again after ``Retry-After``."""
        url = self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Authorization": f"Bearer {self._token}", "Accept": accept, "User-Agent": self.user_agent}
        if content_type is not None:
            headers["Content-Type"] = content_type
        attempt = 0
        while True:
            request = urllib.request.Request(url, data=body, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                    return int(response.status), cast(bytes, response.read())
            except urllib.error.HTTPError as answer:
                error = _error(answer, method, path)
                if answer.code != 503:
                    raise error from None
                if attempt >= self.retries:
                    raise Unavailable(error.status, error.code, error.message, method=method, path=path,
                                      retry_after=error.retry_after) from None
                attempt += 1
                time.sleep(min(self.max_retry_after, error.retry_after if error.retry_after is not None else 1.0))
            except (urllib.error.URLError, OSError) as failure:
                reason = getattr(failure, "reason", failure)
                raise WardenError(0, "connection_failed", f"no answer from {self.base_url}: {reason}",
                                  method=method, path=path) from None


def _decode(raw: bytes, method: str, path: str, status: int) -> JSON:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise WardenError(status, "invalid_response", f"the answer is not JSON: {raw[:200]!r}", method=method, path=path) from None
    return value if isinstance(value, dict) else {"value": value}


def _error(answer: urllib.error.HTTPError, method: str, path: str) -> WardenError:
    raw = answer.read()
    code, message = "http_error", (raw[:500].decode("utf-8", "replace") or str(answer.reason))
    try:
        payload = json.loads(raw).get("error", {})
        code, message = str(payload.get("code", code)), str(payload.get("message", message))
    except (ValueError, AttributeError):
        pass
    return WardenError(answer.code, code, message, method=method, path=path,
                       retry_after=_retry_after(answer.headers.get("Retry-After")))


def _retry_after(value: Optional[str]) -> Optional[float]:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _image_type(image: bytes) -> str:
    for magic, kind in _IMAGE_TYPES:
        if image.startswith(magic):
            return kind
    if image[:4] == b"RIFF" and image[8:12] == b"WEBP":
        return "image/webp"
    raise ValueError("image is not a PNG, JPEG or WebP file; pass content_type to send it anyway")


__all__ = ["Client", "TICKET_EVENTS"]
