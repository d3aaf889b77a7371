"""The console answers at all: the sign-in page, its security headers, its form, and a clean browser console."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from conftest import WARDEN_URL, Browser, http, phone_overflow, shot, wait


def test_signin_page(browser: Browser) -> None:
    answer = http("GET", "/console/signin")
    assert answer.status == 200, f"GET /console/signin: {answer.status} {answer.body[:200]!r}"
    assert "default-src 'self'" in answer.headers.get("content-security-policy", ""), answer.headers
    assert answer.headers.get("x-content-type-options") == "nosniff", answer.headers
    assert "no-store" in answer.headers.get("cache-control", ""), answer.headers

    browser.get(WARDEN_URL + "/console/signin")
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, 'input[name="token"]'))
    assert browser.find_elements(By.CSS_SELECTOR, 'form input[name="csrf"]'), "the sign-in form has no csrf field"
    paths = shot(browser, "signin")
    assert all(p.stat().st_size > 0 for p in paths), paths
    assert phone_overflow(browser) == 0, "the sign-in page scrolls sideways on a 375 px phone"
    assert browser.console_errors() == []
