"""The client against a real `warden serve` (started by scripts/python-client-test.sh, which sets the
WARDEN_* variables), and against a loopback server of the test's own that answers 503 as an unavailable
store would."""

from __future__ import annotations

import http.server
import os
import socket
import threading
import time
import unittest
from email.utils import formatdate
from pathlib import Path
from typing import Any, Dict, List, Tuple

import json

from warden_client import TICKET_EVENTS, TRANSCRIPT_FORMATS, Client, Unavailable, WardenError
from warden_client.client import _retry_after

GUILD = "1100000000000000001"


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run these tests through scripts/python-client-test.sh")
    return value


class Ids:
    """Message ids unique to this run (snowflakes of now), so a rerun against the same store is new."""
    _next = int(time.time() * 1000 - 1420070400000) << 22

    @classmethod
    def next(cls) -> str:
        cls._next += 1
        return str(cls._next)


def message(content: str, *, user: str = "42", message_id: str = "") -> Dict[str, Any]:
    return {"id": message_id or Ids.next(), "guild_id": GUILD, "channel_id": "7",
            "author": {"id": user, "username": "sam"}, "content": content,
            "timestamp": "2026-11-30T10:00:00.000000+00:00"}


SCAM = "FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim"


class AgainstWarden(unittest.TestCase):
    bot: Client
    moderator: Client
    admin: Client

    @classmethod
    def setUpClass(cls) -> None:
        url = env("WARDEN_URL")
        cls.bot = Client(url, env("WARDEN_BOT_TOKEN"), retries=0)
        cls.moderator = Client(url, env("WARDEN_MODERATOR_TOKEN"), retries=0)
        cls.admin = Client(url, env("WARDEN_ADMIN_TOKEN"), retries=0)

    def test_a_scam_is_blocked_with_discord_actions_and_judged_once(self) -> None:
        sent = message(SCAM, user="5001")
        decision = self.bot.judge(sent)
        self.assertEqual(decision["verdict"], "block")
        kinds = [action["type"] for action in decision["actions"]]
        self.assertIn("delete_message", kinds)
        self.assertIn("ban", kinds)
        self.assertTrue(any(m["rule"] == "fake-discord-domain" for m in decision["matches"]))
        again = self.bot.judge(sent)
        self.assertEqual(again["log_id"], decision["log_id"], "a message sent twice is judged once")

    def test_gateway_dispatches_new_messages_edits_and_nothing_else(self) -> None:
        sent = message(SCAM, user="5005")
        decision = self.bot.judge_dispatch({"op": 0, "s": 42, "t": "MESSAGE_CREATE", "d": sent})
        assert decision is not None
        self.assertEqual((decision["verdict"], decision["message_id"]), ("block", sent["id"]))
        self.assertEqual(self.bot.judge(sent)["log_id"], decision["log_id"], "the same message, judged once")
        # A clean message edited into a scam: judged again, linked to the first decision.
        clean = message("see you tonight", user="5006")
        self.assertEqual(self.bot.judge(clean)["verdict"], "allow")
        edited = {**clean, "content": SCAM, "edited_timestamp": "2026-12-01T18:09:40.871000+00:00"}
        judged = self.bot.judge_dispatch({"op": 0, "s": 43, "t": "MESSAGE_UPDATE", "d": edited})
        assert judged is not None
        self.assertEqual((judged["verdict"], judged["revision"]["kind"], judged["revision"]["previous_verdict"]), ("block", "edit", "allow"))
        # A pin changes nothing Warden reads; other events, opcodes and DMs are not sent at all.
        self.assertIsNone(self.bot.judge_dispatch({"op": 0, "t": "MESSAGE_UPDATE", "d": {**clean, "pinned": True}}))
        for other in ({"op": 11}, {"op": 0, "t": "TYPING_START", "d": {"guild_id": GUILD}},
                      {"op": 0, "t": "MESSAGE_CREATE", "d": {**sent, "guild_id": None}}):
            self.assertIsNone(self.bot.judge_dispatch(other), other.get("t"))
        with self.assertRaises(WardenError) as caught:
            self.bot.judge_dispatch({"op": 0, "t": "GUILD_MEMBER_ADD", "d": {"guild_id": GUILD}})
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_dispatch"))

    def test_a_moderators_warning_is_a_numbered_case_for_the_bot(self) -> None:
        recorded = self.moderator.record_case(GUILD, "5090", "warn", "Spoilers in #general", moderator_id=9)
        self.assertEqual(([a["type"] for a in recorded["actions"]], recorded["case"]["source"]), (["warn"], "manual"))
        self.assertIsInstance(recorded["event_id"], int)
        listed = self.moderator.cases(GUILD, user_id="5090")
        self.assertEqual([c["number"] for c in listed], [recorded["case"]["number"]])
        with self.assertRaises(ValueError):
            self.moderator.record_case(GUILD, "5090", "smite", "x")
        with self.assertRaises(WardenError) as caught:
            self.moderator.record_case(GUILD, "5090", "timeout", "no duration", moderator_id=9)
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_duration"))

    def test_ordinary_chat_is_allowed(self) -> None:
        decision = self.bot.judge(message("anyone up for a game tonight?", user="5002"))
        self.assertEqual((decision["verdict"], decision["actions"]), ("allow", []))

    def test_a_batch_refuses_a_bad_element_in_place_and_judges_the_others(self) -> None:
        result = self.bot.judge_batch([message("hello there", user="5003"), {"id": "x"}, message(SCAM, user="5004")])
        first, bad, third = result["results"]
        self.assertEqual(first["verdict"], "allow")
        self.assertEqual((bad["index"], bad["error"]["code"]), (1, "invalid_field"))
        self.assertIn("'id'", bad["error"]["message"])
        self.assertEqual(third["verdict"], "block")

    def test_bad_input_raises_with_the_apis_code_and_message(self) -> None:
        with self.assertRaises(WardenError) as caught:
            self.bot.judge({"id": "not-a-snowflake"})
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_field"))
        self.assertIn("'id'", caught.exception.message)
        self.assertIn("POST /v1/messages", str(caught.exception))

    def test_a_role_the_route_does_not_allow_is_forbidden(self) -> None:
        with self.assertRaises(WardenError) as caught:
            self.bot.appeals(GUILD)
        self.assertEqual((caught.exception.status, caught.exception.code), (403, "forbidden_role"))

    def test_a_wrong_token_is_unauthorized(self) -> None:
        with self.assertRaises(WardenError) as caught:
            Client(env("WARDEN_URL"), "not-a-token", retries=0).judge(message("hi"))
        self.assertEqual(caught.exception.status, 401)

    def test_an_approved_appeal_reaches_the_events_feed_as_a_reversal(self) -> None:
        start = self.bot.events(GUILD)["cursor"]
        decision = self.bot.judge(message(SCAM, user="5005"))
        log_id = decision["log_id"]
        assert log_id is not None
        appeal = self.bot.file_appeal(GUILD, log_id=log_id, user_id=5005, reason="it was my little brother")
        self.assertEqual(appeal["status"], "pending")
        pending = {d["appeal"]["id"]: d for d in self.moderator.appeals(GUILD, status="pending")}
        self.assertIn(appeal["id"], pending)
        self.assertEqual(self.moderator.appeal(GUILD, appeal["id"])["appeal"]["reason"], "it was my little brother")
        # No LLM in this test's service: no triage, and the key is there all the same.
        self.assertIsNone(self.moderator.appeal(GUILD, appeal["id"])["triage"])
        approved = self.moderator.approve_appeal(GUILD, appeal["id"], moderator_id=9)
        self.assertEqual((approved["status"], approved["decided_by"]), ("approved", "9"))
        reversals = [e for e in self.bot.iter_events(GUILD, after=start, wait=2, max_polls=3)
                     if e["kind"] == "appeal_reversal" and e["payload"].get("appeal_id") == appeal["id"]]
        self.assertEqual(len(reversals), 1)
        self.assertIn("unban", [a["type"] for a in reversals[0]["payload"]["actions"]])
        with self.assertRaises(WardenError) as caught:
            self.moderator.deny_appeal(GUILD, appeal["id"], moderator_id=9, note="too late")
        self.assertEqual(caught.exception.status, 409)

    def test_a_ticket_moves_through_its_states(self) -> None:
        ticket = self.bot.open_ticket(GUILD, user_id=5006, username="sam", description="my payment did not go through")
        self.assertEqual(ticket["status"], "open")
        self.bot.add_ticket_message(GUILD, ticket["id"], author_id=5006, content="still waiting")
        claimed = self.bot.transition_ticket(GUILD, ticket["id"], "claim", by=9)
        self.assertEqual(claimed["status"], "claimed")
        self.assertEqual([m["content"] for m in self.bot.ticket(GUILD, ticket["id"])["messages"]],
                         ["my payment did not go through", "still waiting"])
        with self.assertRaises(WardenError) as caught:
            self.bot.transition_ticket(GUILD, ticket["id"], "reopen")
        self.assertEqual(caught.exception.status, 409)
        with self.assertRaises(ValueError):
            self.bot.transition_ticket(GUILD, ticket["id"], "explode")
        self.assertIn("archive", TICKET_EVENTS)

    def test_a_suggested_answer_that_solves_a_ticket_counts_as_a_deflection(self) -> None:
        # The script approved one FAQ entry about premium before starting the server (FAQ_ENTRY).
        entry = int(env("WARDEN_FAQ_ENTRY"))
        before = self.admin.faq_deflection(GUILD)
        ticket = self.bot.open_ticket(GUILD, user_id=5008, description="premium did not unlock after I paid with kofi")
        page = self.bot.faq_suggestions(GUILD, ticket["id"], limit=2)
        self.assertEqual([s["entry_id"] for s in page["suggestions"]][:1], [entry])
        self.assertEqual(self.bot.faq_suggestions(GUILD, ticket["id"]), page, "asking again answers the same")
        with self.assertRaises(WardenError) as caught:
            self.bot.faq_solved(GUILD, ticket["id"], entry, user_id=5009)
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_field"))
        solved = self.bot.faq_solved(GUILD, ticket["id"], entry, user_id=5008)
        self.assertEqual((solved["status"], solved["changed"]), ("closed", True))
        self.assertFalse(self.bot.faq_solved(GUILD, ticket["id"], entry, user_id=5008)["changed"])
        after = self.admin.faq_deflection(GUILD, days=30)
        self.assertEqual(after["tickets_suggested"], before["tickets_suggested"] + 1)
        self.assertEqual(after["solved"], before["solved"] + 1)
        self.assertIn(entry, [e["entry_id"] for e in after["top_entries"]])
        with self.assertRaises(WardenError) as forbidden:
            self.bot.faq_deflection(GUILD)
        self.assertEqual(forbidden.exception.status, 403)

    def test_a_transcript_comes_in_each_form_with_member_text_escaped(self) -> None:
        ticket = self.bot.open_ticket(GUILD, user_id=5010, username="<b>sam</b>", description="<script>alert(1)</script>")
        self.bot.add_ticket_message(GUILD, ticket["id"], author_id=77, content="see https://cdn.example/a.png")
        document = json.loads(self.bot.ticket_transcript(GUILD, ticket["id"], format="json"))
        self.assertEqual([m["author_role"] for m in document["messages"]], ["member", "staff"])
        self.assertEqual(document["messages"][0]["content"], "<script>alert(1)</script>")
        self.assertEqual(document["messages"][1]["attachments"], ["https://cdn.example/a.png"])
        markdown = self.bot.ticket_transcript(GUILD, ticket["id"])
        self.assertIn("> \\<script\\>alert\\(1\\)\\<\\/script\\>", markdown)
        page = self.bot.ticket_transcript(GUILD, ticket["id"], format="html")
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertNotIn("<script", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        self.assertEqual(TRANSCRIPT_FORMATS, ("json", "markdown", "html"))
        with self.assertRaises(ValueError):
            self.bot.ticket_transcript(GUILD, ticket["id"], format="pdf")

    def test_a_screenshot_upload_reads_its_type_from_the_bytes(self) -> None:
        image = Path(env("WARDEN_FIXTURES"), "screenshots", "valid.png").read_bytes()
        verification = self.bot.upload_verification(GUILD, user_id=5007, image=image)
        self.assertIn(verification["status"], ("pending", "manual_review", "verified", "error"))
        self.assertEqual(verification["user_id"], "5007")
        with self.assertRaises(ValueError):
            self.bot.upload_verification(GUILD, user_id=5007, image=b"GIF89a not accepted")

    def test_faq_search_answers_its_query(self) -> None:
        self.assertEqual(self.bot.faq_search(GUILD, "payment")["query"], "payment")

    def test_no_server_is_a_connection_error(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with self.assertRaises(WardenError) as caught:
            Client(f"http://127.0.0.1:{port}", "t", retries=0, timeout=5).health()
        self.assertEqual((caught.exception.status, caught.exception.code), (0, "connection_failed"))


class Unavailable503(http.server.BaseHTTPRequestHandler):
    """Answers 503 store_unavailable with `Retry-After` for the first `failures` requests, then a decision."""
    failures = 0
    retry_after = "0"
    seen: List[Tuple[str, str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        type(self).seen.append((self.path, body))
        if len(type(self).seen) <= type(self).failures:
            payload = b'{"error":{"code":"store_unavailable","message":"the store is unavailable; send again"}}'
            self.send_response(503)
            self.send_header("Retry-After", type(self).retry_after)
        else:
            payload = b'{"message_id":"1","verdict":"allow","matches":[],"actions":[]}'
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Retries(unittest.TestCase):
    def serve(self, failures: int, retry_after: str = "0") -> str:
        Unavailable503.failures, Unavailable503.retry_after, Unavailable503.seen = failures, retry_after, []
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unavailable503)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return f"http://127.0.0.1:{server.server_address[1]}"

    def test_a_503_is_sent_again_after_retry_after_until_answered(self) -> None:
        url = self.serve(failures=2)
        decision = Client(url, "t", retries=3).judge(message("hello"))
        self.assertEqual(decision["verdict"], "allow")
        self.assertEqual(len(Unavailable503.seen), 3)
        self.assertEqual(len({body for _, body in Unavailable503.seen}), 1, "the same message each time")

    def test_retries_spent_raise_unavailable_with_the_servers_words(self) -> None:
        url = self.serve(failures=100, retry_after="0")
        with self.assertRaises(Unavailable) as caught:
            Client(url, "t", retries=2).judge(message("hello"))
        self.assertEqual((caught.exception.status, caught.exception.code), (503, "store_unavailable"))
        self.assertEqual(caught.exception.retry_after, 0.0)
        self.assertEqual(len(Unavailable503.seen), 3)

    def test_the_wait_honours_retry_after_up_to_the_cap(self) -> None:
        url = self.serve(failures=1, retry_after="3600")
        started = time.monotonic()
        Client(url, "t", retries=1, max_retry_after=0.2).judge(message("hello"))
        self.assertLess(time.monotonic() - started, 30)
        self.assertEqual(len(Unavailable503.seen), 2)

    def test_retry_after_is_seconds_or_an_http_date(self) -> None:
        self.assertEqual(_retry_after("2"), 2.0)
        self.assertIsNone(_retry_after("soon"))
        self.assertIsNone(_retry_after(None))
        later = _retry_after(formatdate(time.time() + 60, usegmt=True))
        assert later is not None
        self.assertTrue(55 <= later <= 61, later)

    def test_a_base_url_that_is_not_http_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            Client("ftp://example", "t")
        with self.assertRaises(ValueError):
            Client("http://127.0.0.1:1", "")


if __name__ == "__main__":
    unittest.main()
