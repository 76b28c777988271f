"""Headless Chromium driven by Playwright against a live server, with axe-core checking each
page against WCAG 2.2 AA.

Chromium is Debian's (`apt-get install chromium`), never a Playwright download; axe-core comes
from npm (`npm ci`, see package.json). If either is missing the tests skip on a laptop and fail
when CI=true, like every other service the suite depends on.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import _require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(settings.BASE_DIR) / ".cache" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


class PlaywrightThread:
    """Runs every Playwright call on one worker thread and hands the result back.

    Playwright's sync API leaves an asyncio loop marked as running in the thread that starts
    it. Were that the test's thread, Django would take the test for async code: it would refuse
    database calls and hand out other connections, so serialized rollback and the test's data
    would go astray. Driving Playwright from a thread of its own keeps the test's thread
    synchronous: tests use the page as usual, in any fixture order, and may use the database
    at any time. (Playwright's `expect` does not work through the proxy; use plain asserts.)
    """

    def __init__(self):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self._playwright = None

    def start(self):
        from playwright.sync_api import sync_playwright

        self._playwright = self._executor.submit(lambda: sync_playwright().start()).result()
        return self.wrap(self._playwright)

    def stop(self):
        if self._playwright is not None:
            self._executor.submit(self._playwright.stop).result()
        self._executor.shutdown(wait=True)

    def run(self, function, *args, **kwargs):
        args = [self.unwrap(value) for value in args]
        kwargs = {name: self.unwrap(value) for name, value in kwargs.items()}
        return self.wrap(self._executor.submit(function, *args, **kwargs).result())

    def wrap(self, value):
        if isinstance(value, list):
            return [self.wrap(item) for item in value]
        if type(value).__module__.startswith("playwright.sync_api"):
            return InPlaywrightThread(self, value)
        return value

    @staticmethod
    def unwrap(value):
        if isinstance(value, list):
            return [PlaywrightThread.unwrap(item) for item in value]
        return value._target if isinstance(value, InPlaywrightThread) else value


class InPlaywrightThread:
    """A Playwright object (browser, page, locator...) whose every use runs on its thread."""

    def __init__(self, thread, target):
        self._thread = thread
        self._target = target

    def __getattr__(self, name):
        value = self._thread.run(getattr, self._target, name)
        if callable(value) and not isinstance(value, InPlaywrightThread):
            return lambda *args, **kwargs: self._thread.run(value, *args, **kwargs)
        return value

    def __repr__(self):
        return f"<{self._target!r} in the Playwright thread>"


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        _require("Chromium", f"{CHROMIUM} is missing; install it with apt-get install chromium")
    thread = PlaywrightThread()
    try:
        playwright = thread.start()
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        thread.stop()


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_SCRIPT.exists():
        _require("axe-core", f"{AXE_SCRIPT} is missing; run npm ci")
    return AXE_SCRIPT.read_text()


# Chromium reports a blocked script, style or image on the console; the listener also reports
# what the page's own code sees as `securitypolicyviolation` events.
REPORT_CSP_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', event => console.error(
  'Content Security Policy violation: ' + event.violatedDirective + ' blocked ' +
  (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':' + event.lineNumber));
"""


@contextmanager
def browser_tab(chromium, base_url, **context_options):
    """A tab in a fresh context; fails the test if any page it showed broke the site's
    Content-Security-Policy (issue 12: no violations on the pages the harness visits)."""
    context = chromium.new_context(base_url=base_url, viewport=DESKTOP, **context_options)
    violations = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{message.text} ({message.location.get('url', '')})")

    try:
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        page.on("console", on_console)
        yield page
    finally:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser tab on the live server; relative paths resolve against it."""
    with browser_tab(chromium, live_server.url) as page:
        yield page


@pytest.fixture
def no_js_page(chromium, live_server):
    """A tab with JavaScript switched off, to show pages work without it."""
    with browser_tab(chromium, live_server.url, java_script_enabled=False) as page:
        yield page


def format_violations(violations):
    lines = [f"{len(violations)} accessibility violation(s) (axe-core, WCAG 2.2 AA):"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible(axe_source):
    """Runs axe-core in the page and fails, listing every violation, if it finds any."""

    def check(page):
        # Evaluated through the browser's debugging protocol, not added as an inline <script>,
        # which the site's Content-Security-Policy rightly blocks.
        page.evaluate(axe_source)
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = results["violations"]
        if violations:
            report = format_violations(violations)
            print(report)
            pytest.fail(report, pytrace=False)
        return results

    return check


@pytest.fixture
def screenshot_path():
    """Where to keep a screenshot for a person to look at (ignored by git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return lambda name: SCREENSHOTS / f"{name}.png"
