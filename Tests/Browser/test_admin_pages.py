"""The log search and its CSV export, guild settings with their history and rollback, API tokens (shown once,
revocable), and a tour of every console page for the screenshots (desktop and 375 px)."""

from __future__ import annotations

import csv
import io
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import (GUILD, GUILD_PAGES, PHONE, SCAM, Browser, PageCheck, Seed, bot_post, click, click_and_load, http,
                      make_token, message, open_page, path_of, session_cookie, set_viewport, sign_in, text_of, wait, wait_for_path)

G = GUILD_PAGES
BASE = f"/console/guilds/{G}"


def listed_logs(browser: Browser) -> set[int]:
    return {int(r.get_attribute("data-log-id") or 0) for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-log-id]")}


def test_log_search_and_csv(browser: Browser, pages: PageCheck) -> None:
    scam = int(bot_post(message(SCAM, author="901", username="m901", guild=G))["log_id"])
    invite = int(bot_post(message("join discord.gg/abcdef", author="902", username="m902", guild=G))["log_id"])
    sign_in(browser, make_token("moderator", G, "900"))

    open_page(browser, f"{BASE}/logs")
    assert {scam, invite} <= listed_logs(browser), listed_logs(browser)
    pages("logs")
    # Filters through the form: member, then rule.
    member = browser.find_element(By.CSS_SELECTOR, "input[name=member]")
    member.send_keys("901")
    member.submit()
    wait(browser).until(lambda d: "member=901" in d.current_url)
    assert listed_logs(browser) == {scam}, listed_logs(browser)
    open_page(browser, f"{BASE}/logs?rule=invite-link")
    assert listed_logs(browser) == {invite}, listed_logs(browser)
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=verdict]"))  # present and a select
    open_page(browser, f"{BASE}/logs?verdict=flag")
    assert not ({scam, invite} & listed_logs(browser)), "blocked messages listed under verdict=flag"
    open_page(browser, f"{BASE}/logs?member=999999")
    assert not listed_logs(browser)
    assert "No logs match this search." in text_of(browser)
    pages("logs-empty")

    # The CSV link carries the search; the file is text/csv with a header line and the matching rows.
    open_page(browser, f"{BASE}/logs?member=901")
    href = browser.find_element(By.CSS_SELECTOR, "a[data-action=csv]").get_attribute("href") or ""
    assert f"{BASE}/logs.csv" in href and "member=901" in href, href
    path = href[href.index("/console/"):]
    answer = http("GET", path, headers={"Cookie": f"warden_console={session_cookie(browser)}"})
    assert answer.status == 200, (answer.status, answer.body[:300])
    assert answer.headers.get("content-type", "").startswith("text/csv"), answer.headers
    table = list(csv.reader(io.StringIO(answer.body.decode())))
    assert table and any("id" in cell.lower() for cell in table[0]), f"no header line: {table[:1]}"
    assert len(table) == 2 and str(scam) in table[1], f"the CSV of member 901: {table}"
    # Signed out, the CSV is not given.
    assert http("GET", path).status in (303, 401), "the CSV is served without a session"
    pages.assert_clean()


def setting_value(admin: str, scope: str, key: str) -> Any:
    answer = http("GET", f"/v1/guilds/{G}/settings?scope={scope}", token=admin)
    assert answer.status == 200, answer
    body = answer.json()
    found = body.get("settings", body) if isinstance(body, dict) else body
    if isinstance(found, dict):
        value = found.get(key)
        return value.get("value") if isinstance(value, dict) and "value" in value else value
    for item in found:
        if item.get("key") == key:
            return item.get("value")
    return None


def set_setting(browser: Browser, scope: str, key: str, value: str) -> None:
    open_page(browser, f"{BASE}/settings")
    for name, text in (("scope", scope), ("key", key)):
        field = browser.find_element(By.CSS_SELECTOR, f"input[name={name}]")
        field.clear()
        field.send_keys(text)
    field = browser.find_element(By.CSS_SELECTOR, "textarea[name=value]")
    field.clear()
    field.send_keys(value)
    click_and_load(browser, "button[data-action=set]")


def test_settings_set_error_and_rollback(browser: Browser, pages: PageCheck) -> None:
    bot_post(message("hello", author="903", username="m903", guild=G))
    admin = make_token("admin", G)
    sign_in(browser, admin)
    set_setting(browser, "automod", "llm_deadline_ms", "2000")
    assert not [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".error") if e.is_displayed()]
    assert setting_value(admin, "automod", "llm_deadline_ms") == 2000
    pages("settings")
    set_setting(browser, "automod", "llm_deadline_ms", "2500")
    assert setting_value(admin, "automod", "llm_deadline_ms") == 2500

    # A value that is not valid for the key: the error on the page, nothing stored.
    set_setting(browser, "automod", "llm_deadline_ms", '"soon"')
    errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".error") if e.is_displayed()]
    assert errors, f"no .error for a bad value: {text_of(browser, 'main')[:300]!r}"
    assert setting_value(admin, "automod", "llm_deadline_ms") == 2500
    pages("settings-error", expect=browser.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus"))

    # History of the key: the newest change restored to its "before" (2000).
    open_page(browser, f"{BASE}/settings?scope=automod&key=llm_deadline_ms")
    buttons = browser.find_elements(By.CSS_SELECTOR, "button[data-action=rollback]")
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr[data-change]")) >= 2, "the history lacks the two changes"
    assert buttons, "no history row offers a rollback"
    pages("settings-history")
    newest = browser.find_element(By.CSS_SELECTOR, "tr[data-change] button[data-action=rollback]")
    row_text = newest.find_element(By.XPATH, "./ancestor::tr").text
    assert "2500" in row_text, f"the first history row is not the newest change: {row_text!r}"
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", newest)
    newest.click()
    wait(browser).until(lambda d: setting_value(admin, "automod", "llm_deadline_ms") == 2000)
    pages.assert_clean()


def test_tokens_created_once_and_revoked(browser: Browser, pages: PageCheck, seed: Seed) -> None:
    sign_in(browser, seed.admin)
    open_page(browser, "/console/tokens")
    pages("tokens")
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=role]")).select_by_value("moderator")
    browser.find_element(By.CSS_SELECTOR, "input[name=guild]").send_keys(GUILD)
    browser.find_element(By.CSS_SELECTOR, "input[name=user]").send_keys("905")
    browser.find_element(By.CSS_SELECTOR, "input[name=label]").send_keys("made in the console")
    click_and_load(browser, "button[data-action=create]")
    shown = wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-new-token]"))
    token = str(shown.text).strip()
    assert token, "no token shown"
    pages("tokens-created")
    # It works, for its guild only.
    assert http("GET", f"/v1/guilds/{GUILD}/appeals", token=token).status == 200
    assert http("GET", f"/v1/guilds/{G}/appeals", token=token).status == 403
    # Shown once: reloading (or coming back) does not show it again.
    open_page(browser, "/console/tokens")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-new-token]")
    assert token not in browser.page_source, "the token is still in the page"
    rows = [r for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-token-id]") if "made in the console" in r.text]
    assert len(rows) == 1, f"rows labelled 'made in the console': {len(rows)}"
    token_id = rows[0].get_attribute("data-token-id")
    click(browser, f'tr[data-token-id="{token_id}"] button[data-action=revoke]')
    # Revoking asks first (it cannot be undone).
    wait(browser).until(lambda d: d.switch_to.alert)
    browser.switch_to.alert.accept()
    wait(browser).until(lambda d: not d.find_elements(By.CSS_SELECTOR, f'tr[data-token-id="{token_id}"] button[data-action=revoke]'))
    assert http("GET", f"/v1/guilds/{GUILD}/appeals", token=token).status == 401, "a revoked token still works"
    pages.assert_clean()


def test_tour_of_every_page(browser: Browser, pages: PageCheck, seed: Seed) -> None:
    """Every page an unscoped admin can open, saved at both sizes; each must answer 200 with its hooks."""
    sign_in(browser, seed.admin)
    pages("tour-guilds")
    base = f"/console/guilds/{GUILD}"
    tour: list[tuple[str, str, str]] = [
        ("tour-dashboard", base, "svg.chart"),
        ("tour-appeals", f"{base}/appeals", "tr[data-appeal-id]"),
        ("tour-appeal", f"{base}/appeals/{seed.appeal}", "textarea[name=note]"),
        ("tour-logs", f"{base}/logs", "tr[data-log-id]"),
        ("tour-verifications", f"{base}/verifications", "main"),
        ("tour-proposals", f"{base}/proposals", "tr[data-proposal-id]"),
        ("tour-proposal", f"{base}/proposals/{seed.proposal}", "[data-preview]"),
        ("tour-faq", f"{base}/faq?q=premium", "[data-faq-entry-id]"),
        ("tour-rules", f"{base}/rules", 'tr[data-rule="fake-discord-domain"]'),
        ("tour-rule", f"{base}/rules/fake-discord-domain", "textarea[name=definition]"),
        ("tour-tester", f"{base}/tester", "textarea[name=message]"),
        ("tour-settings", f"{base}/settings", "textarea[name=value]"),
        ("tour-tokens", "/console/tokens", "tr[data-token-id]"),
    ]
    missing = []
    for name, path, hook in tour:
        open_page(browser, path)
        if not browser.find_elements(By.CSS_SELECTOR, hook):
            missing.append(f"{path}: no {hook}")
        pages(name)
    # The header's navigation reaches the guild's sections from the dashboard.
    open_page(browser, base)
    links = {a.get_attribute("href") or "" for a in browser.find_elements(By.CSS_SELECTOR, "header nav a")}
    for section in ("appeals", "logs", "rules", "tester", "settings"):
        if not any(link.endswith(f"{base}/{section}") for link in links):
            missing.append(f"the header has no link to {section}")
    assert path_of(browser) == base
    assert not missing, missing
    pages.assert_clean()


def test_phone_menu(browser: Browser, seed: Seed) -> None:
    """On a phone the sections hide behind the Menu button, which opens them."""
    sign_in(browser, seed.moderator)
    wait_for_path(browser, lambda p: p == f"/console/guilds/{GUILD}", "the dashboard")
    set_viewport(browser, PHONE[0], PHONE[1], mobile=True)
    try:
        toggle = browser.find_element(By.CSS_SELECTOR, ".menu-toggle")
        assert toggle.is_displayed(), "no Menu button at 375 px"
        appeals = browser.find_element(By.CSS_SELECTOR, "header nav a[href$='/appeals']")
        assert not appeals.is_displayed(), "the sections show before the menu is opened"
        toggle.click()
        wait(browser).until(lambda d: appeals.is_displayed())
        assert toggle.get_attribute("aria-expanded") == "true"
        appeals.click()
        wait_for_path(browser, lambda p: p == f"/console/guilds/{GUILD}/appeals", "the queue from the phone menu")
    finally:
        browser.reset_viewport()
