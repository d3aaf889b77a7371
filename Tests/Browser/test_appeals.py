"""Scenario 1: a moderator works the appeal queue in the browser, by keyboard and by clicks; the bot's events
feed holds the reversal an approval causes; a denial without a note is refused, in the page and by the server."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import (GUILD_APPEALS, SCAM, Browser, PageCheck, bot_post, bot_token, click, console_post, csrf_of,
                      file_appeal, http, make_token, message, open_page, path_of, session_cookie, sign_in, text_of, wait,
                      wait_for_path)

G = GUILD_APPEALS
QUEUE = f"/console/guilds/{G}/appeals"
# The smaller checks work in a guild of their own, so the first test's queue holds exactly its three appeals.
G2 = "1100000000000000111"
QUEUE2 = f"/console/guilds/{G2}/appeals"
MODERATOR_USER = "900"


def blocked_and_appealed(guild: str, authors: list[str], reason: str) -> list[tuple[int, int]]:
    """Each author posts the scam (a ban) and appeals it; returns (log id, appeal id), oldest first."""
    made = []
    for author in authors:
        decision = bot_post(message(SCAM, author=author, username=f"member{author}", guild=guild))
        assert decision["verdict"] == "block", decision
        appeal = file_appeal(guild, int(decision["log_id"]), author, f"{reason} ({author})")
        made.append((int(decision["log_id"]), int(appeal["id"])))
    return made


def appeal_json(guild: str, appeal: int, token: str) -> dict[str, Any]:
    answer = http("GET", f"/v1/guilds/{guild}/appeals/{appeal}", token=token)
    assert answer.status == 200, (answer.status, answer.body[:300])
    view: dict[str, Any] = answer.json()["appeal"]
    return view


def press(driver: Browser, *keys: str) -> None:
    """Keys pressed on the page itself (nothing focused that takes text)."""
    ActionChains(driver).send_keys(*keys).perform()


def test_moderator_works_the_queue(browser: Browser, pages: PageCheck) -> None:
    (_, oldest), (_, middle), (_, newest) = blocked_and_appealed(G, ["501", "502", "503"], "I was warning others")
    moderator = make_token("moderator", G, MODERATOR_USER)

    sign_in(browser, moderator)
    # A guild-scoped token lands on its guild's dashboard: charts, each with its numbers beside it.
    wait_for_path(browser, lambda p: p == f"/console/guilds/{G}", "the guild's dashboard after signing in")
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert charts, "the dashboard has no svg.chart"
    assert len(browser.find_elements(By.CSS_SELECTOR, "table")) >= len(charts), "a chart without its table of numbers"
    pages("dashboard")

    open_page(browser, QUEUE)
    rows = [int(r.get_attribute("data-appeal-id") or 0) for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-appeal-id]")]
    assert rows == [newest, middle, oldest], f"the pending queue lists {rows}, expected newest first"
    pages("appeals-queue")

    # Keyboard: j selects the first row (the newest), Enter opens it.
    press(browser, "j")
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, f'tr[data-appeal-id="{newest}"]').get_attribute("data-selected") == "true")
    press(browser, "j", "k")
    assert browser.find_element(By.CSS_SELECTOR, f'tr[data-appeal-id="{newest}"]').get_attribute("data-selected") == "true"
    press(browser, Keys.ENTER)
    wait_for_path(browser, lambda p: p == f"{QUEUE}/{newest}", f"appeal {newest} opened by Enter")

    # The detail: the message with the evidence highlighted, the decision form.
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "mark")]
    assert any("discord-nitro.gift" in m for m in marks), f"no mark on the evidence span; marks: {marks}"
    assert "I was warning others (503)" in text_of(browser), "the member's reason is not shown"
    assert browser.find_elements(By.CSS_SELECTOR, "textarea[name=note]")
    pages("appeal-detail")

    # A denial without a note is refused in the page: the error shows, nothing is posted.
    click(browser, "button[data-action=deny]")
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-note-error]").is_displayed())
    assert path_of(browser) == f"{QUEUE}/{newest}"
    assert appeal_json(G, newest, moderator)["status"] == "pending", "a denial without a note was recorded"

    # a approves (focus off the note first: keys typed into the textarea are text, not shortcuts).
    browser.execute_script("document.activeElement.blur()")
    press(browser, "a")
    # After the decision the browser moves on to the next pending appeal (the next older one).
    wait_for_path(browser, lambda p: p == f"{QUEUE}/{middle}", f"appeal {middle} (the next pending) after approving {newest}")
    decided = appeal_json(G, newest, moderator)
    assert decided["status"] == "approved", decided
    assert str(decided["decided_by"]) == MODERATOR_USER, f"the approval is not attributed to the token's user: {decided}"

    # The second appeal by clicks, with a note.
    note = browser.find_element(By.CSS_SELECTOR, "textarea[name=note]")
    note.send_keys("quoted the scam to warn others")
    click(browser, "button[data-action=approve]")
    wait_for_path(browser, lambda p: p == f"{QUEUE}/{oldest}", f"appeal {oldest} after approving {middle}")
    decided = appeal_json(G, middle, moderator)
    assert (decided["status"], decided["note"]) == ("approved", "quoted the scam to warn others"), decided

    # The last one denied with a note: no pending appeal is left, so the queue (now empty) comes back.
    browser.find_element(By.CSS_SELECTOR, "textarea[name=note]").send_keys("the link was posted, not quoted")
    click(browser, "button[data-action=deny]")
    wait_for_path(browser, lambda p: p == QUEUE, "the queue after the last pending appeal")
    assert "No pending appeals." in text_of(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "tr[data-appeal-id]")
    assert appeal_json(G, oldest, moderator)["status"] == "denied"
    pages("appeals-queue-empty")

    # The tabs list the decided ones.
    click(browser, f'a[href*="status=approved"]')
    wait(browser).until(lambda d: "status=approved" in d.current_url)
    approved = sorted(int(r.get_attribute("data-appeal-id") or 0) for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-appeal-id]"))
    assert approved == sorted([newest, middle]), approved
    pages("appeals-approved")
    open_page(browser, QUEUE + "?status=denied")
    denied = [int(r.get_attribute("data-appeal-id") or 0) for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-appeal-id]")]
    assert denied == [oldest], denied

    # The bot's events feed: one reversal per approval, a ban undone by an unban of that member.
    answer = http("GET", f"/v1/guilds/{G}/events?after=0", token=bot_token())
    assert answer.status == 200, answer
    reversals = [e for e in answer.json()["events"] if e["kind"] == "appeal_reversal"]
    unbanned = sorted(str(a.get("user_id")) for e in reversals for a in e["payload"]["actions"] if a["type"] == "unban")
    assert unbanned == ["502", "503"], f"reversal events: {reversals}"
    pages.assert_clean()


def test_denial_without_note_refused_by_server(browser: Browser, pages: PageCheck) -> None:
    """Without the page's script the server itself refuses: 400, the form again with the error, nothing decided."""
    [(_, appeal)] = blocked_and_appealed(G2, ["511"], "not me")
    moderator = make_token("moderator", G2, MODERATOR_USER)
    sign_in(browser, moderator)
    open_page(browser, f"{QUEUE2}/{appeal}")
    cookie, csrf = session_cookie(browser), csrf_of(browser)
    for note in ("", "   \n "):
        answer = console_post(f"{QUEUE2}/{appeal}/deny", {"csrf": csrf, "note": note}, cookie)
        assert answer.status == 400, (answer.status, answer.body[:300])
        assert b"A denial needs a note" in answer.body and b'class="error"' in answer.body, answer.body[:2000]
    assert appeal_json(G2, appeal, moderator)["status"] == "pending"

    # The same refusal in a browser that runs no script: the form posts, the 400 page shows the error.
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    browser.get(browser.current_url)
    click(browser, "button[data-action=deny]")
    # Waits for the answer's page itself: the old page's elements go stale when it arrives.
    def refused(d: Browser) -> bool:
        try:
            return any("A denial needs a note" in e.text for e in d.find_elements(By.CSS_SELECTOR, ".error") if e.is_displayed())
        except StaleElementReferenceException:
            return False
    wait(browser).until(refused)
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    pages("appeal-deny-refused", expect=400)
    assert appeal_json(G2, appeal, moderator)["status"] == "pending"
    pages.assert_clean()


def test_queue_filters(browser: Browser, pages: PageCheck) -> None:
    blocked_and_appealed(G2, ["521"], "filter me")
    sign_in(browser, make_token("moderator", G2, MODERATOR_USER))
    open_page(browser, QUEUE2)
    before = {r.get_attribute("data-appeal-id") for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-appeal-id]")}
    assert before, "no pending appeal listed"
    # The scam's rule keeps them; an action none of them had empties the list, with the filtered empty state.
    options = [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "select[name=rule] option")]
    assert "fake-discord-domain" in options, options
    browser.execute_script("document.querySelector('select[name=rule]').value = 'fake-discord-domain'")
    browser.find_element(By.CSS_SELECTOR, "select[name=rule]").submit()
    wait(browser).until(lambda d: "rule=fake-discord-domain" in d.current_url)
    kept = {r.get_attribute("data-appeal-id") for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-appeal-id]")}
    assert kept == before, (kept, before)
    pages("appeals-filtered")
    open_page(browser, QUEUE2 + "?rule=invite-link")
    assert not browser.find_elements(By.CSS_SELECTOR, "tr[data-appeal-id]")
    assert "No pending appeals match these filters." in text_of(browser)
    for age in ("day", "week", "month", "older"):
        open_page(browser, QUEUE2 + f"?age={age}")
    pages.assert_clean()
