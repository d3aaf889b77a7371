"""Fixtures and helpers for the console's browser tests, run by scripts/console-test.sh against a real
`warden serve` and the fake Discord OAuth2 provider (fake_oauth.py).

Environment (set by the script): WARDEN_URL, WARDEN_BIN, WARDEN_DATABASE (the store URL the server uses),
WARDEN_STORE (sqlite|postgres), WARDEN_SCREENSHOTS (this store's screenshot folder), WARDEN_OAUTH_URL.

The browser is the Debian chromium driven through the Debian chromedriver: nothing is downloaded.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

WARDEN_URL = os.environ.get("WARDEN_URL", "http://127.0.0.1:8080").rstrip("/")
WARDEN_BIN = os.environ.get("WARDEN_BIN", ".build/debug/warden")
WARDEN_DATABASE = os.environ.get("WARDEN_DATABASE", "sqlite:warden.db")
WARDEN_STORE = os.environ.get("WARDEN_STORE", "sqlite")
WARDEN_OAUTH_URL = os.environ.get("WARDEN_OAUTH_URL", "").rstrip("/")
SCREENSHOTS = Path(os.environ.get("WARDEN_SCREENSHOTS", ".build-console/screenshots/" + WARDEN_STORE))

GUILD = "1100000000000000001"
OTHER_GUILD = "1100000000000000002"
# The fake OAuth provider's users: 42 (sam) has an appealed block, 43 (alex) a block not appealed yet.
SAM, ALEX = "42", "43"
SCAM = "FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim"

WAIT = 10.0  # seconds any single wait may take: a page of this console answers well within it
DESKTOP = (1280, 900)
PHONE = (375, 812)


# ---------------------------------------------------------------- the browser


class Browser(webdriver.Chrome):
    """Chromium that keeps every browser console entry: chromedriver hands each one out only once."""

    def __init__(self, width: int, height: int) -> None:
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking", f"--window-size={width},{height}"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        super().__init__(options=options, service=Service("/usr/bin/chromedriver"))
        self.set_page_load_timeout(WAIT * 3)
        self.set_script_timeout(WAIT)
        self.entries: list[dict[str, Any]] = []
        # The viewport is set exactly: a window's size includes its chrome, and Chromium keeps windows at least
        # 500 px wide, so a window alone cannot make a 375 px phone.
        self.viewport = (width, height)
        self.reset_viewport()

    def reset_viewport(self) -> None:
        width, height = self.viewport
        set_viewport(self, width, height, mobile=width < 500)

    def console(self) -> list[dict[str, Any]]:
        """Every console entry so far: {"level", "message", "source", "timestamp"}."""
        self.entries.extend(self.get_log("browser"))  # type: ignore[no-untyped-call]  # selenium leaves it untyped
        return self.entries

    def console_errors(self) -> list[str]:
        """SEVERE entries: uncaught errors, console.error, CSP violations, failed loads (a missing favicon too)."""
        return [e["message"] for e in self.console() if e["level"] == "SEVERE"]

    def forget_console(self) -> None:
        """Drops the entries so far, for a test that provokes errors on purpose before checking a page."""
        self.console()
        self.entries.clear()


def new_browser(width: int = DESKTOP[0], height: int = DESKTOP[1]) -> Browser:
    return Browser(width, height)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "window(width, height): the browser fixture's viewport (default 1280x900)")


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # The browser fixture's teardown reads this to save what the page looked like when a test failed.
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """A fresh headless Chromium per test (no cookies carried over); @pytest.mark.window(w, h) sets its viewport
    (below 500 px wide it is a mobile one, as on a phone)."""
    marker = request.node.get_closest_marker("window")
    driver = new_browser(*(marker.args if marker else DESKTOP))
    try:
        yield driver
    finally:
        if request.node.stash.get(FAILED, False):
            name = "failed-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            try:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
                (SCREENSHOTS / f"{name}.html").write_text(driver.page_source)
                (SCREENSHOTS / f"{name}.console.json").write_text(json.dumps(driver.console(), indent=1))
            except Exception as error:  # the test's own failure is the one to report
                print(f"could not save the failed page: {error}")
        driver.quit()


def shot(driver: Browser, name: str) -> list[Path]:
    """Saves the whole page at desktop (1280x900) and phone (375x812, mobile) sizes as <name>-desktop.png and
    <name>-phone.png in WARDEN_SCREENSHOTS. The viewport is set exactly (a window's size includes its chrome)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    try:
        for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
            set_viewport(driver, width, height, mobile=label == "phone")
            full = int(driver.execute_script(
                "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"))
            # The whole page, not only what fits; capped so a runaway page cannot make a huge file.
            clip = {"x": 0, "y": 0, "width": width, "height": min(max(full, height), 12_000), "scale": 1}
            data = driver.execute_cdp_cmd("Page.captureScreenshot",
                                          {"format": "png", "captureBeyondViewport": True, "clip": clip})
            path = SCREENSHOTS / f"{name}-{label}.png"
            path.write_bytes(base64.b64decode(data["data"]))
            paths.append(path)
    finally:
        driver.reset_viewport()
    return paths


def set_viewport(driver: webdriver.Chrome, width: int, height: int, mobile: bool = False) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def phone_overflow(driver: Browser) -> int:
    """How many CSS pixels the page is wider than a 375 px phone (0: no sideways scrolling)."""
    set_viewport(driver, PHONE[0], PHONE[1], mobile=True)
    try:
        return max(0, int(driver.execute_script("return document.documentElement.scrollWidth")) - PHONE[0])
    finally:
        driver.reset_viewport()


def wait(driver: Browser, seconds: float = WAIT) -> WebDriverWait[Browser]:
    return WebDriverWait(driver, seconds)


def sign_in(driver: Browser, token: str, base: str = WARDEN_URL) -> None:
    """Signs in through the form as a person would (typing the token, Enter), and waits to leave /signin.
    `base` is another Warden's root (a second server started by a test)."""
    driver.get(base + "/console/signin")
    field = wait(driver).until(lambda d: d.find_element(By.CSS_SELECTOR, 'input[name="token"]'))
    field.clear()
    field.send_keys(token)
    field.send_keys(Keys.ENTER)
    try:
        wait(driver).until(lambda d: not urlsplit(d.current_url).path.endswith("/signin"))
    except TimeoutException:
        raise AssertionError(f"still on {driver.current_url} after signing in; page says: "
                             f"{driver.find_element(By.TAG_NAME, 'body').text[:500]!r}") from None


# ---------------------------------------------------------------- the service: HTTP and the CLI


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 303 after a form POST is something to check, not to follow


# No proxies either: the server is on loopback.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def http(method: str, path: str, *, token: str | None = None, json_body: Any = None, form: dict[str, str] | None = None,
         headers: dict[str, str] | None = None, base: str = WARDEN_URL) -> Response:
    """One request to Warden (path from the root, e.g. /v1/messages); any status comes back, none raises."""
    sent = dict(headers or {})
    data = None
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        data, sent["Content-Type"] = json.dumps(json_body).encode(), "application/json"
    elif form is not None:
        data = urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(base + path, data=data, headers=sent, method=method)
    try:
        with _opener.open(request, timeout=WAIT * 3) as answer:
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as answer:
        return Response(answer.code, {k.lower(): v for k, v in answer.headers.items()}, answer.read())


def cli(*args: str, database: str = WARDEN_DATABASE, env: dict[str, str] | None = None) -> str:
    """Runs `warden ARGS --database $WARDEN_DATABASE` (or `database`) and returns its stdout. With SQLite the
    server holds the file open, but in WAL mode the CLI can still write to it. `env` adds to the environment."""
    done = subprocess.run([WARDEN_BIN, *args, "--database", database], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise AssertionError(f"warden {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def make_token(role: str, guild: str | None = None, user: str | None = None, database: str = WARDEN_DATABASE) -> str:
    """A new API token (bot, moderator, staff, admin), optionally scoped to a guild and tied to a Discord user."""
    args = ["admin", "token", "create", "--role", role, "--label", "console-test"]
    if guild is not None:
        args += ["--guild", guild]
    if user is not None:
        args += ["--user", user]
    return cli(*args, database=database).strip().splitlines()[-1]


_bot_token: str | None = None
_ids = itertools.count(1_400_000_000_000_000_001)


def bot_token() -> str:
    global _bot_token
    if _bot_token is None:
        _bot_token = make_token("bot")
    return _bot_token


def message(content: str, *, author: str = SAM, username: str = "sam", guild: str = GUILD, channel: str = "7") -> dict[str, Any]:
    """A Discord Message object as the bot would hand it over, with a fresh message id."""
    return {"id": str(next(_ids)), "guild_id": guild, "channel_id": channel,
            "author": {"id": author, "username": username}, "content": content,
            "timestamp": "2026-11-30T10:00:00.000000+00:00"}


def bot_post(message_dict: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/messages as the bot; returns the decision (verdict, log_id, ...)."""
    answer = http("POST", "/v1/messages", token=bot_token(), json_body=message_dict)
    assert answer.status == 200, f"POST /v1/messages: {answer.status} {answer.body[:300]!r}"
    decision: dict[str, Any] = answer.json()
    return decision


def file_appeal(guild: str, log_id: int, user_id: str, reason: str) -> dict[str, Any]:
    """POST /v1/guilds/{guild}/appeals as the bot; returns the appeal (id, status, ...)."""
    answer = http("POST", f"/v1/guilds/{guild}/appeals", token=bot_token(),
                  json_body={"log_id": log_id, "user_id": user_id, "reason": reason})
    assert answer.status == 201, f"POST appeals: {answer.status} {answer.body[:300]!r}"
    appeal: dict[str, Any] = answer.json()
    return appeal


@dataclass(frozen=True)
class Seed:
    """What the session's store holds for GUILD, made through the API and the CLI as staff and the bot would."""
    admin: str
    moderator: str  # scoped to GUILD
    staff: str  # scoped to GUILD
    other_moderator: str  # scoped to OTHER_GUILD: must see nothing of GUILD
    appealed_log: int  # sam's blocked scam message ...
    appeal: int  # ... and his pending appeal of it
    open_log: int  # alex's blocked scam message, not appealed yet
    ticket: int
    faq_entry: int  # an approved FAQ entry (searchable) ...
    proposal: int  # ... and a proposal still waiting for staff


@pytest.fixture(scope="session")
def seed() -> Seed:
    sam = bot_post(message(SCAM))
    alex = bot_post(message(SCAM + " now", author=ALEX, username="alex"))
    for decision in (sam, alex):
        assert decision["verdict"] == "block" and decision.get("log_id"), decision
    appeal = file_appeal(GUILD, sam["log_id"], SAM, "I was warning others about that link")
    ticket = int(cli("support", "tickets", "open", "--guild", GUILD, "--user", SAM, "--username", "sam",
                     "--description", "My payment did not go through").strip().splitlines()[-1])
    approved = cli("support", "faq", "approve", draft("Premium did not unlock after paying",
                                                      "Link your Ko-fi email with /premium link; it unlocks within a minute.",
                                                      "premium,kofi"), "--guild", GUILD, "--by", "77")
    entry = re.search(r"FAQ entry #(\d+)", approved)
    assert entry, approved
    proposal = draft("How do I change my nickname?", "Right-click your name and choose Edit Server Profile.", "nickname")
    return Seed(admin=make_token("admin"), moderator=make_token("moderator", GUILD), staff=make_token("staff", GUILD),
                other_moderator=make_token("moderator", OTHER_GUILD), appealed_log=int(sam["log_id"]),
                appeal=int(appeal["id"]), open_log=int(alex["log_id"]), ticket=ticket, faq_entry=int(entry.group(1)),
                proposal=int(proposal))


def draft(title: str, answer: str, keywords: str, guild: str = GUILD) -> str:
    """Drafts an FAQ proposal as staff member 77 through the CLI; returns its id."""
    out = cli("support", "faq", "draft", "--guild", guild, "--by", "77", "--title", title, "--answer", answer,
              "--keywords", keywords)
    found = re.search(r"drafted proposal #(\d+)", out)
    assert found, out
    return found.group(1)


# ---------------------------------------------------------------- scenario helpers: pages, sessions, checks

# Each scenario works in a guild of its own (the default rule pack is imported on a guild's first message), so
# the queues, logs and rules one test changes are never another test's.
GUILD_APPEALS = "1100000000000000101"
GUILD_FAQ = "1100000000000000102"
GUILD_RULES = "1100000000000000103"
GUILD_HOSTILE = "1100000000000000104"
GUILD_SECURITY = "1100000000000000105"
GUILD_APPEAL_FORM = "1100000000000000106"
GUILD_PAGES = "1100000000000000107"
COOKIE = "warden_console"


def document_status(driver: Browser) -> int:
    """The HTTP status of the document now shown (after redirects: the last response's)."""
    status = driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : 0")
    return int(status or 0)


def open_page(driver: Browser, path: str, *, expect: int = 200, base: str = WARDEN_URL) -> None:
    """Opens a console path and checks the status the document came with: a page still missing (404) or
    failing fails here, with what it said."""
    driver.get(base + path)
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert_status(driver, expect)


def assert_status(driver: Browser, expect: int = 200) -> None:
    status = document_status(driver)
    if status != expect:
        body = driver.find_element(By.TAG_NAME, "body").text if driver.find_elements(By.TAG_NAME, "body") else ""
        raise AssertionError(f"{driver.current_url} answered {status}, expected {expect}; page says: {body[:300]!r}")


def path_of(driver: Browser) -> str:
    return urlsplit(driver.current_url).path


def query_of(driver: Browser) -> str:
    return urlsplit(driver.current_url).query


def session_cookie(driver: Browser) -> str:
    cookie = driver.get_cookie(COOKIE)
    assert cookie is not None, f"no {COOKIE} cookie on {driver.current_url}"
    return str(cookie["value"])


def csrf_of(driver: Browser) -> str:
    fields = driver.find_elements(By.CSS_SELECTOR, 'input[name="csrf"]')
    assert fields, f"no csrf field on {driver.current_url}"
    value = fields[0].get_attribute("value") or ""
    assert value, f"an empty csrf field on {driver.current_url}"
    return value


def console_post(path: str, fields: dict[str, str], cookie: str, base: str = WARDEN_URL) -> Response:
    """A form POST outside the browser, carrying the browser's session cookie (the redirect is not followed)."""
    return http("POST", path, form=fields, headers={"Cookie": f"{COOKIE}={cookie}"}, base=base)


def sign_out(driver: Browser) -> None:
    """Presses the header's sign-out button and waits for the sign-in page."""
    button = driver.find_element(By.CSS_SELECTOR, 'form[action="/console/signout"] button')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    wait(driver).until(lambda d: path_of(d) == "/console/signin")


def click(driver: Browser, css: str) -> None:
    """Scrolls an element into view and clicks it (a phone layout may have put it below the fold)."""
    element = wait(driver).until(lambda d: d.find_element(By.CSS_SELECTOR, css))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def text_of(driver: Browser, css: str = "body") -> str:
    return str(driver.find_element(By.CSS_SELECTOR, css).text)


def wait_for_path(driver: Browser, predicate: Any, what: str) -> None:
    try:
        wait(driver).until(lambda d: predicate(path_of(d)))
    except TimeoutException:
        raise AssertionError(f"expected {what}, still on {driver.current_url}: {text_of(driver)[:300]!r}") from None


_UNPROTECTED_FORMS = """
return Array.from(document.forms)
  .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'post')
  .filter(f => { const c = f.querySelector('input[name=csrf]'); return !c || c.type !== 'hidden' || !c.value; })
  .map(f => f.getAttribute('action') || '(no action)');
"""


_CULPRITS = """
const out = [];
const seen = new Set();
for (const el of document.querySelectorAll('body, body *')) {
  const r = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const spills = el.scrollWidth > el.clientWidth + 1 && style.overflowX === 'visible' && el.clientWidth > 0;
  if ((r.width > 0 && r.right > 376) || spills) {
    const name = el.tagName.toLowerCase() + (el.getAttribute('class') ? '.' + el.getAttribute('class').split(' ').join('.') : '')
      + (spills ? ' spills ' + (el.scrollWidth - el.clientWidth) + ' px' : ' to ' + Math.round(r.right) + ' px');
    if (!seen.has(name)) { seen.add(name); out.push(name); }
  }
  if (out.length >= 8) break;
}
return out;
"""


def overflow_culprits(driver: Browser) -> list[str]:
    """The outermost elements that stick out of a 375 px phone's viewport, for the report."""
    set_viewport(driver, PHONE[0], PHONE[1], mobile=True)
    try:
        found: list[str] = driver.execute_script(_CULPRITS)
        return found
    finally:
        driver.reset_viewport()


class PageCheck:
    """Checks every page a test visits: screenshots at both sizes, no console error since the last check, no
    sideways scrolling on a 375 px phone, every POST form carrying a hidden csrf field. Problems are collected
    (so one ugly page does not hide what a scenario goes on to prove) and asserted by `assert_clean`."""

    def __init__(self, driver: Browser) -> None:
        self.driver = driver
        self.problems: list[str] = []
        self.seen = 0
        self.checked: list[str] = []

    def __call__(self, name: str, *, expect: int = 200) -> None:
        d = self.driver
        wait(d).until(lambda x: x.execute_script("return document.readyState") == "complete")
        assert_status(d, expect)
        shot(d, name)
        self.checked.append(name)
        entries = d.console()
        fresh, self.seen = entries[self.seen:], len(entries)
        url = d.current_url
        errors = [e["message"] for e in fresh if e["level"] == "SEVERE"
                  and not (expect != 200 and str(e["message"]).startswith(url) and f"status of {expect}" in str(e["message"]))]
        if errors:
            self.problems.append(f"{name} ({url}): console errors {errors}")
        overflow = phone_overflow(d)
        if overflow:
            wide = overflow_culprits(d)
            self.problems.append(f"{name} ({url}): {overflow} px wider than a 375 px phone {wide}")
        unprotected = d.execute_script(_UNPROTECTED_FORMS)
        if unprotected:
            self.problems.append(f"{name} ({url}): POST forms without a hidden csrf field: {unprotected}")

    def forget_console(self) -> None:
        """Marks the console entries so far as seen (a test provoked them on purpose)."""
        self.seen = len(self.driver.console())

    def assert_clean(self) -> None:
        assert not self.problems, "page problems:\n" + "\n".join(self.problems)


@pytest.fixture
def pages(browser: Browser) -> PageCheck:
    return PageCheck(browser)


def click_and_load(driver: Browser, css: str) -> None:
    """Clicks a submit button (or link) and waits until the browser shows the next document, even when it has the
    same URL as this one (a form that answers with its own page)."""
    driver.execute_script("document.documentElement.setAttribute('data-left-behind', '1')")
    click(driver, css)
    try:
        wait(driver).until(lambda d: d.execute_script(
            "return !document.documentElement.hasAttribute('data-left-behind') && document.readyState === 'complete'"))
    except TimeoutException:
        raise AssertionError(f"clicking {css} on {driver.current_url} loaded no new page") from None
