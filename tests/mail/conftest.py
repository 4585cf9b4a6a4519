"""A real SMTP server on loopback (aiosmtpd), and the app pointed at it."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from improve.extensions import db
from improve.mail.delivery import deliver_due_messages


class Inbox:
    """What the server received, parsed: one EmailMessage per recipient address."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        for _ in envelope.rcpt_tos:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        self.messages.clear()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def inbox(app: Flask, smtp_server: tuple[Inbox, int]) -> Inbox:
    """The app sending through the SMTP server (plain SMTP on loopback, no login)."""
    received, port = smtp_server
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_DEFAULT_SENDER="improve <no-reply@improve.test>",
    )
    _reload_mail_settings(app)
    return received


def _reload_mail_settings(app: Flask) -> None:
    """Flask-Mailman reads its settings once, at init_app: read them again."""
    from improve.mail import mail

    mail.init_app(app)


@pytest.fixture(autouse=True)
def _mail_settings_back(app: Flask) -> Iterator[None]:
    yield
    # The `app` fixture restores app.config after each test; Flask-Mailman's own copy too.
    app.config.update(MAIL_BACKEND="locmem")
    _reload_mail_settings(app)


def deliver() -> Any:
    """What the worker's job does, run here: commit what the test queued, then deliver."""
    db.session.commit()
    return deliver_due_messages()
