"""Issue 18's story in a browser, with the real worker process and a real SMTP server: an admin
invites someone, who sets a password from the link in the email (on a phone); a coordinator sees
the team lead's phone and sends a reminder from the drill-down (on a phone), which the lead
receives; the lead turns reminder email off on their account page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from improve import create_app, demo
from improve.extensions import db
from tests.browser.conftest import PHONE, check_accessibility, serve_in_thread
from tests.browser.test_journeys import assert_no_sideways_scroll
from tests.browser.test_journeys import sign_in as submit_sign_in
from tests.mail.conftest import Inbox, free_port, text_of

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "a walk by the river at noon"


@pytest.fixture(scope="module")
def mailing_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Inbox]]:
    """The demo served with CSRF on, its email going through the worker to an SMTP server."""
    from aiosmtpd.controller import Controller

    folder = tmp_path_factory.mktemp("email-journey")
    url = f"sqlite:///{folder / 'improve.sqlite'}"
    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
            "MAIL_BACKEND": "smtp",
        }
    )
    with app.app_context():
        db.create_all()
        demo.create()
        db.session.commit()
    worker_log = (folder / "worker.log").open("w")
    with serve_in_thread(app, "email-journey") as base_url:
        app.config["BASE_URL"] = base_url
        # The worker reads the same queue the app wakes (IMPROVE_QUEUE_URL, set by conftest).
        environment = {
            **os.environ,
            "FLASK_APP": "improve",
            "IMPROVE_DATABASE_URL": url,
            "IMPROVE_BASE_URL": base_url,
            "IMPROVE_MAIL_SERVER": "127.0.0.1",
            "IMPROVE_MAIL_PORT": str(port),
            "IMPROVE_MAIL_SECURITY": "none",
        }
        worker = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "flask", "worker"],
            cwd=ROOT,
            env=environment,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield base_url, inbox
        finally:
            worker.terminate()
            worker.wait(timeout=15)
            worker_log.close()
            smtp.stop()


def sign_in(page: Page, email: str) -> None:
    submit_sign_in(page, email)
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def wait_for_email(inbox: Inbox, address: str, subject_part: str, seconds: float = 40) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in inbox.to(address):
            if subject_part in message["Subject"]:
                return text_of(message)
        time.sleep(0.2)
    subjects = [f"{m['To']}: {m['Subject']}" for m in inbox.messages]
    raise AssertionError(f"No email '{subject_part}' reached {address}; received: {subjects}")


@pytest.fixture
def site_page(browser: Browser, mailing_site: tuple[str, Inbox]) -> Iterator[Callable[..., Page]]:
    contexts = []

    def make(**options) -> Page:
        context = browser.new_context(base_url=mailing_site[0], **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_invited_by_email_then_a_reminder_from_the_coordinator(
    site_page: Callable[..., Page], mailing_site: tuple[str, Inbox]
) -> None:
    base_url, inbox = mailing_site

    # An admin creates an account: the invitation goes by email, not by copying a link.
    admin = site_page()
    sign_in(admin, "admin@example.org")
    admin.goto("/admin/users/new")
    admin.get_by_label("Full name").fill("Nia New")
    admin.get_by_label("Email address").fill("nia@example.org")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("We have emailed an invitation to nia@example.org")).to_be_visible()

    body = wait_for_email(inbox, "nia@example.org", "invit")
    link = re.search(rf"{re.escape(base_url)}/invitation/\S+", body)
    assert link is not None, body

    # Nia opens the link on her phone and chooses a password: she is in.
    phone = site_page(viewport=PHONE)
    phone.goto(link.group(0))
    expect(phone.get_by_role("heading", name="Choose your password")).to_be_visible()
    assert_no_sideways_scroll(phone)
    phone.get_by_label("Choose a password").fill(NEW_PASSWORD)
    phone.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Save password and sign in").click()
    expect(phone.get_by_text("Your password is saved and you are signed in.")).to_be_visible()

    # The outbox shows the admin what was sent.
    admin.goto("/admin/outbox")
    expect(admin.locator("#outbox-messages").get_by_text("nia@example.org").first).to_be_visible()
    check_accessibility(admin, "admin-outbox")

    # The coordinator, on a phone, opens Riverside's drill-down: the lead's phone is there,
    # and a reminder goes at a press.
    coordinator = site_page(viewport=PHONE)
    sign_in(coordinator, "coordinator@example.org")
    coordinator.goto("/")
    coordinator.get_by_role("link", name=re.compile("Which teams need a call this week")).click()
    coordinator.get_by_role("link", name=re.compile("Riverside Care Home")).first.click()
    expect(coordinator.get_by_role("link", name=re.compile(r"01632"))).to_be_visible()
    assert_no_sideways_scroll(coordinator)
    check_accessibility(coordinator, "phone-coordinator-drill-down")
    coordinator.get_by_role("button", name=re.compile("Send a reminder")).click()
    expect(coordinator.get_by_text(re.compile("Reminder sent to .*Lena Lead"))).to_be_visible()
    expect(coordinator.get_by_text(re.compile("sent by Chidi Coordinator"))).to_be_visible()

    reminder = wait_for_email(inbox, "lead@example.org", "a reminder from Chidi Coordinator")
    assert "Riverside Care Home" in reminder

    # The lead turns reminders off on their account page.
    lead = site_page(viewport=PHONE)
    sign_in(lead, "lead@example.org")
    lead.goto("/account")
    check_accessibility(lead, "phone-your-account")
    lead.get_by_label("Send me reminder emails").uncheck()
    lead.get_by_role("button", name="Save").click()
    expect(lead.get_by_label("Send me reminder emails")).not_to_be_checked()
