"""Scenario 4: hostile text (hostile.py) in message content, usernames, member nicknames, appeal reasons, staff's
FAQ edits, ticket text and the model's rationale renders as text on every page that shows it, and no script runs
(the page's flag, markup that would run on a click, the browser console's CSP reports).

The model's text needs the LLM stage: a second `warden serve` on a store of its own, pointed at fake_llm.py, is
started by the `llm_warden` fixture (so the main server's guilds and jobs are never touched by it)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import struct
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

import hostile
from conftest import (GUILD_HOSTILE, WARDEN_BIN, WARDEN_DATABASE, WARDEN_STORE, WARDEN_URL, Browser, PageCheck,
                      bot_token, click, click_and_load, cli, draft, file_appeal, http, make_token, open_page, overflow_culprits,
                      phone_overflow, sign_in, wait)

G = GUILD_HOSTILE
BASE = f"/console/guilds/{G}"
LINK = " https://discord-nitro.gift/x"  # makes every hostile message a logged block (fake-discord-domain)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def visible_text(driver: Browser) -> str:
    """The page's text as stored in the DOM (textContent keeps what CSS would hide or wrap)."""
    text: str = driver.execute_script("return document.body.textContent")
    return text


# The characters the console shows as [U+XXXX] markers rather than writing them (invisible and bidirectional
# controls: they could hide or reorder what a moderator reads).
HIDDEN = set(range(0x00, 0x09)) | {0x0B, 0x0C} | set(range(0x0E, 0x20)) | set(range(0x7F, 0xA0)) | {
    0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0x2800, 0x3164,
    0xFEFF, 0xFFA0} | set(range(0x202A, 0x202F)) | set(range(0x2060, 0x2070)) | set(range(0xFFF9, 0xFFFC))


def as_shown(text: str) -> str:
    """The text as the console shows it: hidden characters as their markers."""
    return "".join(f"[U+{ord(c):04X}]" if ord(c) in HIDDEN else c for c in text)


def shown_as_text(driver: Browser, payload: str) -> bool:
    """Whether the payload's first characters are in the page as text (HTML parsing turns CRLF into LF; a page may
    shorten long text, so only a prefix is looked for), invisible characters shown as markers."""
    probe = as_shown(payload.replace("\r\n", "\n").strip())[:24]
    return probe in visible_text(driver)


def check_clean(driver: Browser, where: str) -> list[str]:
    """No payload ran or sits armed on the page, and the console holds no error (CSP reports included)."""
    problems = []
    if hostile.pwned(driver):
        problems.append(f"{where}: a payload ran")
    armed = hostile.armed_markup(driver)
    if armed:
        problems.append(f"{where}: armed markup {armed[:3]}")
    errors = driver.console_errors()
    if errors:
        problems.append(f"{where}: console errors {errors[:3]}")
        driver.forget_console()
    overflow = phone_overflow(driver)
    if overflow:
        problems.append(f"{where}: {overflow} px wider than a 375 px phone {overflow_culprits(driver)[-2:]}")
    return problems


def hostile_message(index: int, payload: str, guild: str = G) -> dict[str, Any]:
    author = str(810_000 + index)
    return {"id": str(1_500_000_000_000_000_000 + index * 10 + int(guild[-1])), "guild_id": guild, "channel_id": "7",
            "author": {"id": author, "username": payload[:200]},
            "member": {"roles": [], "nick": payload[:200]},
            "content": payload[: 4000 - len(LINK)] + LINK, "timestamp": "2026-11-30T10:00:00.000000+00:00"}


def test_hostile_messages_names_and_reasons(browser: Browser, pages: PageCheck) -> None:
    """Content, author.username, member.nick and the appeal's reason, through the bot's API; then the queue, every
    appeal, the logs and the tester."""
    appeals: list[tuple[int, str]] = []
    for index, payload in enumerate(hostile.PAYLOADS):
        answer = http("POST", "/v1/messages", token=bot_token(), json_body=hostile_message(index, payload))
        assert answer.status == 200, f"payload {index}: {answer.status} {answer.body[:300]!r}"
        decision = answer.json()
        assert decision["verdict"] == "block", (index, decision)
        filed = file_appeal(G, int(decision["log_id"]), str(810_000 + index), payload[:1000] or "x")
        appeals.append((int(filed["id"]), payload))
    sign_in(browser, make_token("moderator", G, "900"))

    problems: list[str] = []
    open_page(browser, f"{BASE}/appeals")
    problems += check_clean(browser, "appeal queue")
    pages("hostile-appeals-queue")
    for appeal, payload in appeals:
        open_page(browser, f"{BASE}/appeals/{appeal}")
        problems += check_clean(browser, f"appeal {appeal} ({payload[:30]!r})")
        if not shown_as_text(browser, payload):
            problems.append(f"appeal {appeal}: the payload {payload[:30]!r} is not shown as text")
        if browser.find_elements(By.CSS_SELECTOR, ".message img, .message script, .message svg, .message iframe"):
            problems.append(f"appeal {appeal}: the message became markup")
    # The 4,000-character word and the long URL must wrap inside the page on a phone.
    long_word = next(a for a, p in appeals if p.startswith("WWWW"))
    open_page(browser, f"{BASE}/appeals/{long_word}")
    pages("hostile-appeal-long-word")

    open_page(browser, f"{BASE}/logs")
    problems += check_clean(browser, "logs")
    listed = browser.find_elements(By.CSS_SELECTOR, "tr[data-log-id]")
    if not listed:
        problems.append("logs: no tr[data-log-id] for the hostile messages")
    pages("hostile-logs")

    # The tester (an admin's page) renders the text it is given, its views and the matched spans.
    sign_in(browser, make_token("admin", G))
    for index, payload in enumerate(hostile.ACTIVE):
        open_page(browser, f"{BASE}/tester")
        field = browser.find_element(By.CSS_SELECTOR, "textarea[name=message]")
        browser.execute_script("arguments[0].value = arguments[1]", field, payload + LINK)
        click_and_load(browser, "button[data-action=test]")
        wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-verdict]"))
        problems += check_clean(browser, f"tester with payload {index} ({payload[:30]!r})")
        if index == 0:
            pages("hostile-tester")

    # Staff's own FAQ edits: a proposal whose title and answer are payloads (the answer is rendered as Markdown).
    staff = make_token("staff", G, "77")
    proposals = [draft(p[:200], p[:2000], "hostile", guild=G) for p in hostile.ACTIVE[::4]]
    sign_in(browser, staff)
    open_page(browser, f"{BASE}/proposals")
    problems += check_clean(browser, "proposals")
    for proposal in proposals:
        open_page(browser, f"{BASE}/proposals/{proposal}")
        problems += check_clean(browser, f"proposal {proposal}")
    pages("hostile-proposal")
    assert not problems, "\n".join(problems)
    pages.assert_clean()


# ---------------------------------------------------------------- the model's text: a second Warden with an LLM


@dataclass(frozen=True)
class LLMWarden:
    url: str
    database: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_answers(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url} exited {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered; log: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def llm_warden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LLMWarden]:
    work = tmp_path_factory.mktemp("llm")
    llm_port, serve_port = free_port(), free_port()
    fake_log = work / "fake_llm.log"
    fake = subprocess.Popen([sys.executable, str(HERE / "fake_llm.py"), "--port", str(llm_port)], cwd=HERE,
                            stdout=fake_log.open("wb"), stderr=subprocess.STDOUT)
    processes = [fake]
    dropped: str | None = None
    try:
        wait_until_answers(f"http://127.0.0.1:{llm_port}/", fake, fake_log)
        if WARDEN_STORE == "postgres":
            base = os.environ["WARDEN_TEST_POSTGRES_URL"]
            name = WARDEN_DATABASE.rsplit("/", 1)[1] + "_llm"
            subprocess.run(["psql", "-q", base, "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True, timeout=60)
            database, dropped = base.rsplit("/", 1)[0] + "/" + name, name
        else:
            database = f"sqlite:{work}/llm.db"
        cli("admin", "migrate", database=database)
        env = {**os.environ, "WARDEN_LLM_BASE_URL": f"http://127.0.0.1:{llm_port}/v1", "WARDEN_LLM_MODEL": "fake",
               "WARDEN_LLM_PROVIDER": "openai", "WARDEN_LLM_API_KEY": "test-key", "WARDEN_LLM_MAX_ATTEMPTS": "1"}
        serve_log = work / "serve.log"
        serve = subprocess.Popen([WARDEN_BIN, "serve", "--database", database, "--port", str(serve_port),
                                  "--prompts", str(ROOT / "prompts"), "--rules", str(ROOT / "rules")],
                                 cwd=ROOT, env=env, stdout=serve_log.open("wb"), stderr=subprocess.STDOUT)
        processes.append(serve)
        wait_until_answers(f"http://127.0.0.1:{serve_port}/health", serve, serve_log)
        yield LLMWarden(url=f"http://127.0.0.1:{serve_port}", database=database)
    finally:
        for process in reversed(processes):
            stop(process)
        if dropped is not None:
            subprocess.run(["psql", "-q", os.environ["WARDEN_TEST_POSTGRES_URL"], "-c", f"DROP DATABASE IF EXISTS {dropped}"],
                           capture_output=True, timeout=60)


def tiny_png() -> bytes:
    """A 1x1 white PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b"")


def post_image(url: str, token: str, image: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=image, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "image/png"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read()


def until(what: str, check: Any, seconds: float = 30.0) -> Any:
    """Polls `check()` (a background job's result) until it is truthy; bounded."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.25)


def test_hostile_model_text_and_tickets(browser: Browser, pages: PageCheck, llm_warden: LLMWarden, tmp_path: Path) -> None:
    """The model's rationale and triage, ticket descriptions and messages, and an FAQ proposal the model drafted."""
    url, database = llm_warden.url, llm_warden.database
    bot = make_token("bot", database=database)
    moderator = make_token("moderator", G, "900", database=database)
    staff = make_token("staff", G, "77", database=database)
    problems: list[str] = []

    # Messages no rule catches; the model calls them harassment (an `ai` rule of the default pack times out), and
    # its rationale carries payload i.
    appeals: list[tuple[int, str]] = []
    for index in range(len(hostile.ACTIVE)):
        body = {"id": str(1_600_000_000_000_000_000 + index), "guild_id": G, "channel_id": "7",
                "author": {"id": str(820_000 + index), "username": f"member{index}"},
                "content": f"you are the worst player here payload={index}", "timestamp": "2026-11-30T10:00:00.000000+00:00"}
        answer = http("POST", "/v1/messages", token=bot, json_body=body, base=url)
        assert answer.status == 200, (answer.status, answer.body[:300])
        decision = answer.json()
        assert decision.get("log_id"), f"the model's harassment verdict was not logged: {decision}"
        filed = http("POST", f"/v1/guilds/{G}/appeals", token=bot, base=url,
                     json_body={"log_id": decision["log_id"], "user_id": str(820_000 + index), "reason": "it was a joke"})
        assert filed.status == 201, (filed.status, filed.body[:300])
        appeals.append((int(filed.json()["id"]), hostile.ACTIVE[index]))

    # The triage runs in the background (the second server's workers): wait for the first to be done.
    def triaged() -> bool:
        view = http("GET", f"/v1/guilds/{G}/appeals/{appeals[0][0]}", token=moderator, base=url).json()
        return bool(view.get("triage") and view["triage"].get("status") in ("done", "failed"))
    until("the first appeal's triage", triaged)

    sign_in(browser, moderator, base=url)
    for appeal, payload in appeals:
        open_page(browser, f"{BASE}/appeals/{appeal}", base=url)
        problems += check_clean(browser, f"LLM appeal {appeal} ({payload[:30]!r})")
        if "Insults the member." not in visible_text(browser) or not shown_as_text(browser, payload):
            problems.append(f"LLM appeal {appeal}: the rationale {payload[:30]!r} is not shown as text")
    open_page(browser, f"{BASE}/appeals/{appeals[0][0]}", base=url)
    pages("hostile-ai-rationale")
    open_page(browser, f"{BASE}/logs", base=url)
    problems += check_clean(browser, "LLM logs")

    # Tickets whose descriptions and messages are payloads; closing queues summaries, three similar summaries
    # make a cluster, and the model drafts a proposal from it (title and answer carrying payloads too).
    lines = []
    for index, payload in enumerate(hostile.ACTIVE[:6]):
        lines.append(json.dumps({"guild_id": G, "user_id": str(830_000 + index), "username": payload[:100],
                                 "messages": [{"author": "user", "content": payload},
                                              {"author": "staff", "content": hostile.ACTIVE[-1 - index]},
                                              {"author": "user", "content": payload + " thanks"}]}))
    jsonl = tmp_path / "hostile-tickets.jsonl"
    jsonl.write_text("\n".join(lines) + "\n")
    cli("support", "tickets", "import", str(jsonl), "--guild", G, database=database)

    def proposed() -> list[dict[str, Any]]:
        answer = http("GET", f"/v1/guilds/{G}/faq/proposals", token=staff, base=url)
        body = answer.json() if answer.status == 200 else {}
        found: list[dict[str, Any]] = body.get("proposals", []) if isinstance(body, dict) else body
        return found
    proposal = int(until("a proposal drafted from the hostile tickets", proposed, 45.0)[0]["id"])

    sign_in(browser, staff, base=url)
    open_page(browser, f"{BASE}/proposals", base=url)
    problems += check_clean(browser, "LLM proposals")
    open_page(browser, f"{BASE}/proposals/{proposal}", base=url)
    problems += check_clean(browser, f"LLM proposal {proposal}")
    sources = browser.find_elements(By.CSS_SELECTOR, "[data-source-tickets]")
    if not sources or len(sources[0].find_elements(By.CSS_SELECTOR, "li, tr")) < 3:
        problems.append(f"proposal {proposal}: the source tickets are not listed under [data-source-tickets]")
    else:
        # The tickets' descriptions (and their members' names) are shown, as text.
        described = [p for p in hostile.ACTIVE[:6] if p.strip()[:24] in str(browser.execute_script(
            "return document.querySelector('[data-source-tickets]').textContent"))]
        if len(described) < 3:
            problems.append(f"proposal {proposal}: ticket descriptions shown as text: {len(described)} of at least 3")
    if browser.find_elements(By.CSS_SELECTOR, '[data-preview] a[href^="javascript"]'):
        problems.append("the preview made a javascript: link")
    pages("hostile-llm-proposal")

    # A payment screenshot the model sends to review with a hostile reason: listed for a moderator, as text,
    # and resolved from the page.
    posted = post_image(f"{url}/v1/guilds/{G}/verifications?user_id=840000", bot, tiny_png())
    assert posted[0] == 202, posted
    verification = int(json.loads(posted[1])["id"])

    def reviewed() -> bool:
        body = http("GET", f"/v1/guilds/{G}/verifications/{verification}", token=moderator, base=url).json()
        return str(body.get("status")) == "manual_review"
    until("the screenshot's review", reviewed)
    sign_in(browser, moderator, base=url)
    open_page(browser, f"{BASE}/verifications", base=url)
    entry = f'[data-verification-id="{verification}"]'
    if not browser.find_elements(By.CSS_SELECTOR, entry):
        problems.append(f"verification {verification} is not listed")
    else:
        problems += check_clean(browser, "verifications")
        if not shown_as_text(browser, hostile.PAYLOADS[0]):
            problems.append("the model's verification reason is not shown as text")
        pages("hostile-verifications")
        click(browser, f"{entry} button[data-action=verify]")
        wait(browser).until(lambda d: not d.find_elements(By.CSS_SELECTOR, entry))
        body = http("GET", f"/v1/guilds/{G}/verifications/{verification}", token=moderator, base=url).json()
        if str(body.get("status")) != "verified":
            problems.append(f"verified from the page, the verification is {body.get('status')}")
    assert not problems, "\n".join(problems)
    pages.assert_clean()
