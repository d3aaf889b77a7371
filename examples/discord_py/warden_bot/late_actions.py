"""Actions that come after the decision: late LLM verdicts, appeal reversals, appeal denials.

Warden puts them on each guild's events feed. Two ways to get them, either or both (``WARDEN_LATE_ACTIONS``):

- ``EventPoller``: one task per guild long-polls ``GET /v1/guilds/{g}/events?after=<cursor>&wait=25``
  and keeps its cursor in a file, so a restart resumes instead of replaying the guild's history (a guild
  seen for the first time starts at the feed's end: its history is skipped, not performed);
- ``WebhookReceiver``: an aiohttp endpoint for Warden's signed deliveries (``warden admin webhook add``);
  it checks ``X-Warden-Signature`` on the raw body with ``warden_client.webhooks`` before reading it, and
  answers once the event's actions are done, so an event in hand when the bot dies is delivered again
  (Warden sends a guild's next event only after that answer, which keeps them in order).

Both hand events to one ``EventSink``, which drops an event it has already seen (deliveries repeat; with
``both``, every event arrives twice) and routes it by ``kind``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
from collections import Counter, OrderedDict, deque
from typing import Any, Awaitable, Callable, Deque, Dict, List, Mapping, Optional, Set, Tuple

import discord
from aiohttp import web
from warden_client import Client as WardenClient
from warden_client import WardenError, webhooks

from .actions import ActionContext, ActionRegistry, ActionResult, reason_for

log = logging.getLogger("warden_bot.late_actions")

Event = Mapping[str, Any]
EventHandler = Callable[[int, Event], Awaitable[None]]


class EventNotDone(Exception):
    """An event's actions failed in a way that may pass (Discord unreachable or 5xx): it was not handled, and
    is to come again (the webhook answers 503, the poller keeps its cursor before it)."""


class EventSink:
    """Deduplicates events by (guild, id) and performs them, one kind handler each."""

    def __init__(self, client: discord.Client, actions: ActionRegistry, *, mod_channel_id: Optional[int] = None,
                 remember: int = 10_000) -> None:
        self._client = client
        self._actions = actions
        self._mod_channel_id = mod_channel_id
        self._seen: "OrderedDict[Tuple[int, int], None]" = OrderedDict()
        self._remember = remember
        #: The last events performed, with what each action did (the demo and tests read it; bounded).
        self.performed: Deque[Tuple[int, Event, List[ActionResult]]] = deque(maxlen=1000)
        #: Events received and repeats dropped, by where they came from ("poll", "webhook").
        self.received: Counter[str] = Counter()
        self.repeats: Counter[str] = Counter()
        self._kinds: Dict[str, EventHandler] = {
            "appeal_reversal": self._run_actions,
            "llm_verdict": self._run_actions,
            "appeal_denied": self._tell_denied,
        }

    def claim(self, guild_id: int, event_id: int, source: str) -> bool:
        """True the first time an event is seen; claimed before it runs, so a repeat arriving meanwhile is
        dropped too. The memory is bounded: a repeat older than ``remember`` events would run again."""
        key = (guild_id, event_id)
        self.received[source] += 1
        if key in self._seen:
            self.repeats[source] += 1
            return False
        self._seen[key] = None
        while len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return True

    async def process(self, guild_id: int, event: Event, source: str = "poll") -> bool:
        """Performs ``event`` unless it was seen before; returns whether it ran. Raises ``EventNotDone``
        (and forgets the claim, so the event's next arrival runs) when its actions may succeed later."""
        key = (guild_id, int(event["id"]))
        if not self.claim(*key, source):
            log.info("guild %s: event %s already handled, dropped", guild_id, event["id"])
            return False
        try:
            await self._perform(guild_id, event)
        except EventNotDone:
            self._seen.pop(key, None)
            raise
        return True

    async def _perform(self, guild_id: int, event: Event) -> None:
        handler = self._kinds.get(str(event.get("kind")))
        if handler is None:
            log.info("guild %s: event %s of kind %r has nothing for the bot to do", guild_id, event.get("id"),
                     event.get("kind"))
            return
        try:
            await handler(guild_id, event)
        except EventNotDone:
            raise
        except Exception:  # one broken event must not stop the feed behind it
            log.exception("guild %s: event %s (%s) failed", guild_id, event.get("id"), event.get("kind"))

    async def _run_actions(self, guild_id: int, event: Event) -> None:
        payload = event.get("payload") or {}
        actions = payload.get("actions") or []
        channel = payload.get("channel_id")
        message = payload.get("message_id")
        context = ActionContext(guild_id=guild_id, channel_id=int(channel) if channel else None,
                                message_id=int(message) if message else None,
                                reason=reason_for(actions, f"Warden {event.get('kind')}"),
                                source=f"guild {guild_id} event {event.get('id')} ({event.get('kind')})",
                                mod_channel_id=self._mod_channel_id)
        results = await self._actions.run(self._client, actions, context)
        self.performed.append((guild_id, event, results))
        failed = [r for r in results if r.retryable]
        if failed:
            # The whole event comes again; actions that did land are repeated, which Discord takes as no
            # change (a second unban is a 404, a second PATCH sets the same value).
            raise EventNotDone(f"event {event.get('id')}: {', '.join(f'{r.type} ({r.detail})' for r in failed)}")

    async def _tell_denied(self, guild_id: int, event: Event) -> None:
        # Not an action for Discord: the member hears the moderator's answer (warn's DM, without a warning).
        payload = event.get("payload") or {}
        user_id, note = int(payload["user_id"]), str(payload.get("note") or "")
        guild = self._client.get_guild(guild_id)
        where = f"**{guild.name}**" if guild is not None else "the server"
        try:
            dm = await self._client.create_dm(discord.Object(user_id))
            await dm.send(f"Your appeal in {where} was denied: {note}"[:2000])
            result = ActionResult("appeal_denied", "done", f"told user {user_id} by DM")
        except discord.HTTPException as error:
            result = ActionResult("appeal_denied", "failed", f"Discord {error.status} code {error.code}")
            log.warning("guild %s: could not tell user %s their appeal was denied: %s", guild_id, user_id, error)
        self.performed.append((guild_id, event, [result]))


class CursorStore:
    """Each guild's long-poll cursor, in one small JSON file (written whole, atomically)."""

    def __init__(self, folder: str) -> None:
        self._path = os.path.join(folder, "cursors.json")
        self._cursors: Dict[str, int] = {}
        try:
            with open(self._path, encoding="utf-8") as handle:
                self._cursors = {str(k): int(v) for k, v in json.load(handle).items()}
        except FileNotFoundError:
            pass

    def get(self, guild_id: int) -> Optional[int]:
        """The guild's cursor, or None for a guild this bot has not polled before."""
        return self._cursors.get(str(guild_id))

    def set(self, guild_id: int, cursor: int) -> None:
        if self._cursors.get(str(guild_id)) == cursor:
            return
        self._cursors[str(guild_id)] = cursor
        os.makedirs(os.path.dirname(self._path) or ".", exist_ok=True)
        temporary = self._path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(self._cursors, handle)
        os.replace(temporary, self._path)  # a crash mid-write leaves the old file, never half of one


class EventPoller:
    """Long-polls one guild's events feed until cancelled."""

    def __init__(self, warden: WardenClient, sink: EventSink, cursors: CursorStore, guild_id: int, *,
                 wait: float = 25.0, max_backoff: float = 30.0) -> None:
        self._warden = warden
        self._sink = sink
        self._cursors = cursors
        self.guild_id = guild_id
        self._wait = wait
        self._max_backoff = max_backoff
        #: How long an event whose actions failed for now waits before it is tried again.
        self._retry_wait = 5.0
        # A thread of its own: the long-poll blocks it for up to `wait` seconds, and in the shared pools it
        # would hold a thread that judging (or aiohttp's DNS lookups in the default pool) needs.
        self._thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"warden-poll-{guild_id}")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        backoff = 1.0
        try:
            while self._cursors.get(self.guild_id) is None:
                try:
                    await self._skip_history(loop)
                except WardenError as error:
                    log.warning("guild %s: events feed: %s; again in %.0f s", self.guild_id, error, backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self._max_backoff)
            while True:
                after = self._cursors.get(self.guild_id) or 0
                try:
                    page = await loop.run_in_executor(
                        self._thread, lambda: self._warden.events(self.guild_id, after=after, wait=self._wait))
                except WardenError as error:
                    log.warning("guild %s: events feed: %s; again in %.0f s", self.guild_id, error, backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self._max_backoff)
                    continue
                backoff = 1.0
                try:
                    for event in page["events"]:
                        await self._sink.process(self.guild_id, event)
                        # Saved per event, so a crash replays at most the event in hand (and dedupe is in memory).
                        self._cursors.set(self.guild_id, int(event["id"]))
                except EventNotDone as why:
                    # The cursor stays before it: the next poll brings it (and what follows) again.
                    log.warning("guild %s: %s; again in %.0f s", self.guild_id, why, self._retry_wait)
                    await asyncio.sleep(self._retry_wait)
                    continue
                self._cursors.set(self.guild_id, int(page["cursor"]))
        finally:
            # A long-poll in flight cannot be interrupted; its thread ends when the request does.
            self._thread.shutdown(wait=False)

    async def _skip_history(self, loop: asyncio.AbstractEventLoop) -> None:
        """A guild polled for the first time starts after its last event: what happened before this bot
        moderated it (old unbans, old verdicts) is not performed now. Pages through without waiting."""
        cursor = 0
        for _ in range(10_000):  # 500 events a page: bounded far above any real feed
            page = await loop.run_in_executor(
                self._thread, lambda: self._warden.events(self.guild_id, after=cursor, limit=500))
            if not page["events"]:
                break
            cursor = int(page["cursor"])
        self._cursors.set(self.guild_id, cursor)
        log.info("guild %s: first poll; earlier events (up to cursor %s) are skipped", self.guild_id, cursor)


class Pollers:
    """One ``EventPoller`` task per guild, started once each."""

    def __init__(self, warden: WardenClient, sink: EventSink, cursors: CursorStore, *, wait: float) -> None:
        self._warden, self._sink, self._cursors, self._wait = warden, sink, cursors, wait
        self._tasks: Dict[int, "asyncio.Task[None]"] = {}

    def cursor(self, guild_id: int) -> Optional[int]:
        """Where the guild's poller is; None until its first poll has skipped the guild's history."""
        return self._cursors.get(guild_id)

    @property
    def guilds(self) -> Set[int]:
        return {g for g, task in self._tasks.items() if not task.done()}

    def ensure(self, guild_id: int) -> None:
        task = self._tasks.get(guild_id)
        if task is not None and not task.done():
            return
        poller = EventPoller(self._warden, self._sink, self._cursors, guild_id, wait=self._wait)
        self._tasks[guild_id] = asyncio.create_task(poller.run(), name=f"warden-bot: events of guild {guild_id}")
        log.info("guild %s: polling Warden's events feed from cursor %s", guild_id, self._cursors.get(guild_id))

    def stop(self, guild_id: int) -> None:
        task = self._tasks.pop(guild_id, None)
        if task is not None:
            task.cancel()

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class WebhookReceiver:
    """``POST <path>``: verifies a Warden delivery, performs its event, then answers.

    401 for a missing, stale or wrong signature (Warden does not retry a 401, so a misconfigured secret
    shows up as dead deliveries in ``warden admin webhook list``); 200 for a repeat, which is dropped.
    """

    def __init__(self, sink: EventSink, secret: str, *, host: str, port: int, path: str,
                 moderates: Callable[[int], bool] = lambda _guild: True) -> None:
        self._sink, self._secret = sink, secret
        self.host, self.port, self.path = host, port, path
        self._moderates = moderates
        self._runner: Optional[web.AppRunner] = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    async def start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(self.path, self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # the OS picked one (tests)
            self.port = int(self._runner.addresses[0][1])
        log.info("receiving Warden webhooks on %s", self.url)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()  # the raw bytes: the signature covers them, not a re-encoding
        try:
            delivery = webhooks.parse_delivery(self._secret, request.headers, body)
        except webhooks.InvalidSignature as error:
            log.warning("webhook refused: %s", error)
            return web.json_response({"error": str(error)}, status=401)
        try:
            guild_id, event_id = int(delivery["guild_id"]), int(delivery["id"])
            event = {"id": event_id, "kind": str(delivery["kind"]), "created_at": delivery.get("created_at"),
                     "payload": delivery.get("payload") or {}}
        except (KeyError, TypeError, ValueError, OverflowError) as error:
            return web.json_response({"error": f"delivery lacks a field: {error}"}, status=400)
        if not self._moderates(guild_id):
            return web.json_response({"status": "ignored", "reason": "guild not moderated by this bot"})
        try:
            fresh = await self._sink.process(guild_id, event, "webhook")
        except EventNotDone as why:
            # 503: Warden retries with backoff (and the stream waits), instead of marking it delivered.
            log.warning("webhook: %s; answered 503 so Warden sends it again", why)
            return web.json_response({"status": "retry", "error": str(why)}, status=503)
        if not fresh:
            log.info("webhook: event %s of guild %s already handled (delivery %s, attempt %s)", event_id,
                     guild_id, delivery.get("delivery_id"), delivery.get("attempt"))
        return web.json_response({"status": "accepted" if fresh else "duplicate"})
