"""Response headers that hold on every page: a strict CSP, and no caching of care records but for
downloads, which the browser must revalidate before each use."""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

# Charts and exports downloaded as files (issue 8, point 4).
REVALIDATED_DOWNLOADS = frozenset(
    {
        "measures.chart_svg",
        "measures.chart_png",
        "exports.measures",
        "exports.cycles",
        "panel.summary_export",
    }
)

# The private calendar feed (improve.reports): calendar apps poll it, and a few minutes' copy in
# the person's own app is fine; its view sets `private, max-age=300` on the feed it sends.
OWN_CACHE_CONTROL = frozenset({"reports.calendar_feed"})


# Pages whose address holds a secret token (a link to choose a password). "same-origin" would
# send that address as the Referer of the page's own requests (its styles, scripts, the form's
# post), which lands the token in access logs. "strict-origin" sends only the site's address.
# Not "no-referrer": Flask-WTF refuses a form posted over HTTPS with no Referer
# (WTF_CSRF_SSL_STRICT), so the password could never be saved. Django instead redirects to a
# token-free address and keeps the token in the session, which also hides it from the address
# bar; not chosen, since the first request's address is in the access log either way, and a
# header needs no token kept in the session cookie and no second address for the same page.
TOKEN_IN_ADDRESS = frozenset({"auth.accept_invitation"})
TOKEN_PAGE_REFERRER_POLICY = "strict-origin"


def _add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.endpoint in TOKEN_IN_ADDRESS:
        headers["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    # Pages for a signed-in person hold team records: never keep them on a shared PC's disk. Every
    # response but a static file (the same for everyone) is treated so, which also covers the
    # answer to signing out, when nobody is signed in any more. The exception: a download the
    # person saves as a file anyway, sent with an ETag (improve.http_caching), may be kept by
    # their browser, which must ask again before each use; shared caches never keep it.
    if request.endpoint in REVALIDATED_DOWNLOADS and "ETag" in headers:
        headers["Cache-Control"] = "private, no-cache"
    elif request.endpoint in OWN_CACHE_CONTROL and "ETag" in headers:
        pass
    elif request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_security_headers)
