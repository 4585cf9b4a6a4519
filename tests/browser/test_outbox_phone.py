"""The admin's outbox on a 360 px phone: each message a card whose long address and error wrap
by word, not a letter at a time, nothing scrolling sideways, times on the UK's clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from improve import create_app
from improve.demo import DEMO_PASSWORD
from improve.extensions import db
from improve.models import OutboxMessage, OutboxStatus, User
from tests.browser.conftest import PHONE, check_accessibility, serve_in_thread
from tests.browser.test_journeys import assert_no_sideways_scroll, sign_in

LONG_ADDRESS = "margaret.featherstonehaugh-smythe@riverside-care-home.example.org"
# 23:30 UTC on 10 June is 00:30 on 11 June in the UK (summer time).
QUEUED = datetime(2026, 6, 10, 23, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Overrides conftest's: an admin and a few messages, one failed with a long error."""
    folder = tmp_path_factory.mktemp("outbox-phone")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'improve.sqlite'}",
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        db.create_all()
        admin = User(email="admin@example.org", display_name="Ada Admin", is_admin=True)
        admin.set_password(DEMO_PASSWORD)
        db.session.add(admin)
        for number, status in enumerate(
            [OutboxStatus.FAILED, OutboxStatus.SENT, OutboxStatus.QUEUED]
        ):
            db.session.add(
                OutboxMessage(
                    kind="report_reminder",
                    to_address=LONG_ADDRESS,
                    subject=f"Riverside Care Home: a reminder from Chidi Coordinator ({number})",
                    text_body="-",
                    html_body="-",
                    status=status,
                    attempts=7 if status == OutboxStatus.FAILED else 1,
                    last_error=(
                        "SMTPRecipientsRefused: {'" + LONG_ADDRESS + "': (550, b'5.1.1 mailbox "
                        "unavailable')}"
                        if status == OutboxStatus.FAILED
                        else ""
                    ),
                    created_at=QUEUED,
                    sent_at=QUEUED if status == OutboxStatus.SENT else None,
                )
            )
        db.session.commit()
    with serve_in_thread(app, "outbox-phone") as base_url:
        yield base_url


def test_the_outbox_is_readable_on_a_phone(make_page) -> None:
    page: Page = make_page(viewport=PHONE)
    sign_in(page, "admin@example.org")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/admin/outbox")
    expect(page.get_by_role("heading", name="Email sent")).to_be_visible()
    assert_no_sideways_scroll(page)
    # Each address wraps onto a few lines at most, not a letter per line.
    addresses = page.get_by_text(LONG_ADDRESS, exact=True)
    expect(addresses).to_have_count(3)
    for address in addresses.all():
        box = address.bounding_box()
        assert box is not None and box["width"] > 200, box
        line_height = float(address.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert box["height"] <= 3 * line_height, box
    # Newest first (the same time: the last added first), the failed one last.
    cards = page.locator(".govuk-summary-card")
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text("Queued 11 June 2026 at 00:30")
    expect(cards.nth(1)).to_contain_text("Sent 11 June 2026 at 00:30")
    expect(cards.last.get_by_role("button", name="Send again")).to_be_visible()
    check_accessibility(page, "phone-admin-outbox")
