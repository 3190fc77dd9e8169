"""The page in a real headless Chromium: ask a question, see the cited answer and its passage."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ARTIFACTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def test_page__question_gets_a_cited_answer_with_its_passage_in_view(browser, app_url: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url, wait_until="load")
    page.locator("#question textarea").wait_for(timeout=30_000)
    page.locator("#question textarea").fill("How many Sunni civilians did Reuters confirm were killed?")
    page.locator("#question textarea").press("Enter")
    bot = page.locator("#chat .message.bot").first
    bot.wait_for(timeout=30_000)
    page.locator("#sources .src.cited mark").first.wait_for(timeout=120_000)
    answer = page.locator("#chat .message.bot").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)
    assert "66" in answer and "[1]" in answer
    cited = page.locator("#sources .src.cited").first
    assert cited.locator(".src-n").inner_text() == "[1]"
    assert "66 Sunni civilians" in cited.locator("mark").inner_text()
    assert cited.is_visible()


def test_page__a_reload_keeps_the_conversation_and_its_numbering(browser, app_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url, wait_until="load")
    page.locator("#question textarea").fill("Who wrote the letter that seemed to suggest US forces were leaving Iraq?")
    page.locator("#question textarea").press("Enter")
    page.locator("#sources .src.cited mark").first.wait_for(timeout=120_000)
    before = page.locator("#chat .message.bot").first.inner_text()
    page.reload(wait_until="load")
    page.locator("#sources .src.cited mark").first.wait_for(timeout=30_000)
    after = page.locator("#chat .message.bot").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "after-reload.png"), full_page=True)
    assert "Seely" in after and after == before
