"""What the browser tests share: Debian's Chromium driven by Playwright's sync API."""

import contextlib
import os
import threading
import time

import pytest
from django.core.signals import request_finished, request_started

from simulate.citygen import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling the closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
# Every context but the offline tests' blocks the service worker: installing, it fetches
# the field pages in the background, requests the live server would still be answering
# while the test's teardown empties the database ("database table is locked").
CONTEXT = {"locale": "zh-CN", "service_workers": "block"}
# Kept as CI artifacts (var/ is ignored by git): looked at before an issue is resolved.
SCREENSHOT_DIR = os.environ.get(
    "GRIDGOV_SCREENSHOT_DIR",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "screenshots"),
)
os.makedirs(SCREENSHOT_DIR, exist_ok=True)


@contextlib.contextmanager
def orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; Django's ORM, used by the
    test and by the live server in the same process, would otherwise refuse to run.
    Set only while a browser runs: ``check --deploy`` in a child process rejects it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with orm_beside_playwright(), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Requests the live server is still answering: a closed page's last request may still be
# running when the test's teardown empties the database, and SQLite then refuses the flush
# ("database table is locked"). Closing a context waits for them (close_context).
_in_flight = [0]
_in_flight_lock = threading.Lock()


def _count(delta):
    def receiver(**kwargs):
        # The live server answers in threads of its own; the test client, in this one.
        if threading.current_thread() is not threading.main_thread():
            with _in_flight_lock:
                _in_flight[0] += delta

    return receiver


request_started.connect(_count(1), weak=False, dispatch_uid="browser-in-flight-started")
request_finished.connect(_count(-1), weak=False, dispatch_uid="browser-in-flight-finished")


def close_context(context, timeout=15.0):
    """Close a browser context, then wait (at most ``timeout`` seconds) until the live
    server has finished every request (twice idle 50 ms apart: one just accepted counts)."""
    context.close()
    deadline, idle = time.monotonic() + timeout, 0
    while idle < 2 and time.monotonic() < deadline:
        idle = idle + 1 if _in_flight[0] <= 0 else 0
        time.sleep(0.05)


def watch_errors(page):
    """Collects the page's script errors and console errors (a CSP refusal, a failed
    resource) in ``page.errors``; tests end with ``assert page.errors == []``."""
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: page.errors.append(message.text) if message.type == "error" else None,
    )


@pytest.fixture
def open_phone(browser):
    """Opens a phone-sized page in a fresh context (one per person: separate cookies);
    ``open_page(service_workers="allow")`` for a test of the service worker."""
    contexts = []

    def open_page(service_workers="block"):
        context = browser.new_context(
            viewport=PHONE, **{**CONTEXT, "service_workers": service_workers}
        )
        contexts.append(context)
        page = context.new_page()
        watch_errors(page)
        return page

    yield open_page
    for context in contexts:
        close_context(context)


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def open_nav(page, name):
    """Taps the header link ``name``, under its menu (更多, or 外勤 for the field apps'
    pages) when it is not one of the daily entries."""
    nav = page.locator("#site-nav")
    link = nav.locator(".site-nav__links").get_by_role("link", name=name)
    if not link.is_visible():
        # A closed menu's links are hidden from roles: found by their text.
        menu = nav.locator("details").filter(has=page.locator("a", has_text=name))
        menu.locator("summary").click()
        link = menu.locator(".site-nav__menu").get_by_role("link", name=name)
    link.click()
    page.wait_for_load_state()


def log_in(page, base_url, username):
    page.goto(base_url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base_url + "/")
