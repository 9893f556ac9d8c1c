"""Browser tests' shared pieces: Debian's Chromium driven by Playwright, pages that may ask
nothing of any host but the service under test, and screenshots kept as artifacts.

tests/conftest.py builds the `chromium` and `browser` fixtures from these. Without Playwright
or Chromium (a newcomer's laptop) browser tests skip and say why; `.ci/run` installs both and
sets HOOKLINE_TEST_REQUIRE_BROWSER=1, which turns such a skip into a failure. Screenshots go to
tests/artifacts/<folder>/ (or $HOOKLINE_TEST_ARTIFACTS/<folder>/) for CI to archive.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright import async_api
except ImportError:  # pragma: no cover - a machine without the test extra
    async_api = None  # type: ignore[assignment]

CHROMIUM = Path(os.environ.get("HOOKLINE_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("HOOKLINE_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))
# As a CI machine must: without these Chromium phones Google at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRED = os.environ.get("HOOKLINE_TEST_REQUIRE_BROWSER") == "1"
WAIT_MS = 15_000


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason}; HOOKLINE_TEST_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(reason)


def chromium_path() -> Path:
    """Chromium's executable, or a skip (a failure under HOOKLINE_TEST_REQUIRE_BROWSER=1)."""
    if async_api is None:
        unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        unavailable(
            f"no Chromium at {CHROMIUM} (apt-get install chromium, or set HOOKLINE_TEST_CHROMIUM)"
        )
    return CHROMIUM


@dataclass
class Guard:
    """What a page asked of other hosts (refused) and the errors it logged."""

    offsite: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.offsite == [], f"the page asked other hosts: {self.offsite}"
        assert self.errors == [], f"the page logged errors: {self.errors}"


async def only_the_service(page: Any, service_url: str) -> Guard:
    """Abort every request to a host other than the service; record page errors."""
    guard = Guard()

    async def route(request_route: Any) -> None:
        if request_route.request.url.startswith(f"{service_url}/"):
            await request_route.continue_()
        else:
            guard.offsite.append(request_route.request.url)
            await request_route.abort()

    await page.route("**/*", route)
    page.on("console", lambda m: guard.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: guard.errors.append(str(e)))
    return guard


async def screenshot(page: Any, folder: str, name: str, full_page: bool = False) -> Path:
    directory = ARTIFACTS / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")
    return path
