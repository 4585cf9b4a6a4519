"""The sign-in pages' work for the background worker (improve.worker).

"Forgotten your password?" must answer in the same time whatever address is typed: looking the
account up, rendering the email and writing it to the outbox take far longer than finding
nothing, and the difference would tell anyone which addresses have accounts. So the page only
queues this job, the same for every address, and the worker does the rest.

The consumer knows the job because improve.auth.views imports this module, and every process of
the worker builds the app first (`flask worker`)."""

from __future__ import annotations

from improve.auth import operations
from improve.extensions import db
from improve.worker import huey, job_context


@huey.task(retries=2, retry_delay=30)
def send_password_link(email: str) -> None:
    """Email a link to choose a new password to the account with this address, if there is one
    that may sign in and it had no such email lately (operations.send_password_link). Returns
    nothing, so huey keeps no result for it; the outbox and the audit trail tell what happened."""
    with job_context():
        operations.send_password_link(email)
        db.session.commit()
