"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against pytest-django's live server.

They run with ``make test-browser`` (``pytest tests/browser -m browser``),
which installs the ``chromium`` package when it is missing and we are root.
Unless ``-m browser`` selects them, they are skipped, so ``make test`` does
not need a browser. Selected without Chromium, they are skipped locally with
the reason, and fail under ``CI=true``: CI must prove them.

Each test writes screenshots of its key pages to ``var/browser/`` (kept as
test artifacts).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "browser"
PASSWORD = "a-long-passphrase-1"
HERE = Path(__file__).resolve().parent


def _selected(config: pytest.Config) -> bool:
    expression = config.getoption("markexpr") or ""
    return bool(re.search(r"(?<!not )\bbrowser\b", expression))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = _selected(config)
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if not selected:
                item.add_marker(pytest.mark.skip(reason="browser tests run with `make test-browser` (pytest -m browser)"))


@pytest.fixture(scope="session", autouse=True)
def async_unsafe_allowed() -> Iterator[None]:
    """Let the ORM run beside Playwright's event loop, while browser tests run (and only then).

    Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls there unless told this is
    fine (the test's own setup and checks run between browser steps, never concurrently with them). Not set at import:
    the variable would leak into every other test's subprocesses (``check --deploy`` errors on it).
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing: `make test-browser` installs Debian's chromium package (as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_driver(chromium_path: str) -> Iterator[object]:
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: pip install -e '.[dev]'")
    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture
def page(playwright_driver, chromium_path: str, settings) -> Iterator[object]:
    """A page of a fresh Chromium profile (its own --user-data-dir), on plain HTTP to the live server."""
    settings.SESSION_COOKIE_SECURE = False  # the live server speaks HTTP
    settings.CSRF_COOKIE_SECURE = False
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        context = playwright_driver.chromium.launch_persistent_context(
            profile, executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[object, str], Path]:
    """Save a full-page screenshot as ``var/browser/<test>-<n>-<name>.png``; return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))
    test = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name).strip("-")

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{test}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        return path

    return take


@pytest.fixture
def staff_in(transactional_db):
    """A staff user in the group of a role, the groups made by ``setup_roles``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from commerce.roles import roles_apply

    roles_apply()

    def make(role: str):
        user = get_user_model().objects.create_user(role.replace(" ", "-"), password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def sign_in(live_server, shot):
    """Sign in through the admin's login form, as a person would."""

    def run(page, user) -> None:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        shot(page, "sign-in")
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")

    return run


@pytest.fixture
def order_make(transactional_db):
    from modules.checkout.models import Order, OrderLine

    def make(*, number: str, total: str = "9.99", status: str = "paid", currency: str = "EUR"):
        order = Order.objects.create(
            number=number, access_token_hash="x" * 64, email="ada@example.com", currency=currency, subtotal=Decimal(total),
            discount_total=Decimal(0), total=Decimal(total), shipping_address={"name": "Ada", "country": "DE"},
            cart_token=f"cart-{number}", status=status,
        )
        OrderLine.objects.create(order=order, sku="TEE-M", name="Tee", quantity=1, unit_price=Decimal(total),
                                 discount=Decimal(0), total=Decimal(total))
        return order

    return make
