"""Scenario 3: an admin disables a rule on the rules page and the tester's decision for a message only that rule
caught changes (block -> allow); enabling it brings the block back. A bad rule edit is refused inline."""

from __future__ import annotations

import json
from typing import Any

from selenium.webdriver.common.by import By

from conftest import (GUILD_RULES, Browser, PageCheck, bot_post, click, click_and_load, http, make_token, message, open_page, sign_in,
                      text_of, wait)

G = GUILD_RULES
BASE = f"/console/guilds/{G}"
RULE = "fake-discord-domain"
# Caught by fake-discord-domain alone (`warden rules test` on the default pack): no lure words, no invite.
CAUGHT = "visit https://discord-nitro.gift/claim"


def stored_rule(admin: str, name: str) -> dict[str, Any]:
    answer = http("GET", f"/v1/guilds/{G}/rules", token=admin)
    assert answer.status == 200, answer
    body = answer.json()
    for rule in body["rules"] if isinstance(body, dict) else body:
        found = rule.get("definition", rule)
        if found.get("name") == name:
            stored: dict[str, Any] = rule
            return stored
    raise AssertionError(f"no rule {name} in {str(body)[:300]}")


def verdict_in_tester(browser: Browser, text: str) -> str:
    open_page(browser, f"{BASE}/tester")
    field = browser.find_element(By.CSS_SELECTOR, "textarea[name=message]")
    field.clear()
    field.send_keys(text)
    click_and_load(browser, "button[data-action=test]")
    verdict = wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-verdict]"))
    return str(verdict.text).strip().lower()


def test_disabling_a_rule_changes_the_tester(browser: Browser, pages: PageCheck) -> None:
    bot_post(message("hello", author="701", username="m701", guild=G))  # the guild gets the default pack
    admin = make_token("admin")
    sign_in(browser, admin)

    assert verdict_in_tester(browser, CAUGHT) == "block"
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "mark")]
    assert any("discord-nitro.gift" in m for m in marks), f"the matched span is not marked: {marks}"
    assert browser.find_elements(By.CSS_SELECTOR, 'tr[data-view="skeleton"]'), "no skeleton row in the views table"
    assert RULE in text_of(browser), "the tester does not name the rule that caught the message"
    pages("tester")

    open_page(browser, f"{BASE}/rules")
    row = f'tr[data-rule="{RULE}"]'
    assert browser.find_elements(By.CSS_SELECTOR, f"{row} button[data-action=disable]"), "no disable button on the rule"
    assert browser.find_elements(By.CSS_SELECTOR, f"{row} svg"), "no sparkline on the rule's row"
    pages("rules")
    click(browser, f"{row} button[data-action=disable]")
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"{row} button[data-action=enable]"))
    assert stored_rule(admin, RULE).get("enabled") is False, stored_rule(admin, RULE)
    pages("rules-disabled")

    assert verdict_in_tester(browser, CAUGHT) == "allow", "the tester still blocks with the rule disabled"

    open_page(browser, f"{BASE}/rules")
    click(browser, f"{row} button[data-action=enable]")
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"{row} button[data-action=disable]"))
    assert verdict_in_tester(browser, CAUGHT) == "block"
    pages.assert_clean()


def test_bad_rule_edit_refused_inline(browser: Browser, pages: PageCheck) -> None:
    bot_post(message("hello", author="702", username="m702", guild=G))
    admin = make_token("admin")
    sign_in(browser, admin)
    open_page(browser, f"{BASE}/rules")
    click(browser, f'a[href="{BASE}/rules/{RULE}"]')
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "textarea[name=definition]"))
    definition = browser.find_element(By.CSS_SELECTOR, "textarea[name=definition]")
    original = definition.get_attribute("value") or ""
    assert RULE in original and "patterns" in original, f"the definition is not the rule's YAML: {original[:300]!r}"
    pages("rule-edit")

    # The contract says YAML; the page may show JSON (the API's PUT form): the same bad pattern either way.
    if original.lstrip().startswith("{"):
        rule = json.loads(original)
        rule["patterns"] = ["disc(ord"]
        bad = json.dumps(rule, indent=2)
    else:
        bad = "\n".join([f"name: {RULE}", "type: regex", "views: [links]", "patterns:", "  - 'disc(ord'",
                         "action: {type: ban, severity: 5, reason: Phishing link}"])
    browser.execute_script("arguments[0].value = arguments[1]", definition, bad)
    click_and_load(browser, "button[data-action=save]")
    error = wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-rule-error]"))
    assert "parenthesis" in error.text.lower() and "8" in error.text, f"the PCRE2 error and offset: {error.text!r}"
    # The offset is pointed at under the pattern: a caret line, or a marked character at offset 8.
    pointed = browser.execute_script("""
      const e = document.querySelector('[data-rule-error]');
      const area = e.closest('form') || document.body;
      return area.innerText;""")
    assert "disc(ord" in pointed and ("^" in pointed or browser.find_elements(By.CSS_SELECTOR, "[data-rule-error] mark, mark")), pointed
    # The textarea keeps what was typed, and the stored rule is unchanged.
    assert "disc(ord" in (browser.find_element(By.CSS_SELECTOR, "textarea[name=definition]").get_attribute("value") or "")
    assert "disc(ord" not in str(stored_rule(admin, RULE))
    pages("rule-edit-error", expect=browser.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus"))
    pages.assert_clean()
