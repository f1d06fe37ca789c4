"""Protections every response and every production process gets: secret key, cookies, headers, rate limits."""

from flask import Flask, current_app, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import DEFAULT_SECRET_KEY
from .extensions import limiter

#: No inline scripts or styles: templates load samlinger.css and nothing else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
#: (name, lower-case name, value) added to every response that does not set the header itself
DEFAULT_HEADERS = tuple((name, name.lower(), value) for name, value in (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # Pages behind a manage link set same-origin themselves (registration.views); this is the default.
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
))


class InsecureConfiguration(RuntimeError):
    """The app was asked to run in production with settings that would make it unsafe."""


def is_development(app: Flask) -> bool:
    return bool(app.debug or app.testing)


def init_app(app: Flask) -> None:
    """Check the secret key, decide the cookie flags and add the security headers."""
    if not is_development(app) and app.config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        raise InsecureConfiguration(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value, e.g. "
            "the output of: python3 -c 'import secrets; print(secrets.token_hex(32))' "
            "(FLASK_DEBUG=1 allows the development key on a developer's machine)."
        )
    # Cookies travel over HTTPS only, unless this is a developer's machine or the operator says otherwise.
    secure = app.config.get("SESSION_COOKIE_SECURE")
    if secure is None:
        secure = not is_development(app)
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        # Over HTTPS a form is accepted only with a Referer from our own origin. Kept on deliberately: it is
        # defence in depth on top of SameSite=Lax cookies and the CSRF token, and it is why no page with a
        # form may send Referrer-Policy: no-referrer (see the rule table in docs/ARCHITECTURE.md).
        WTF_CSRF_SSL_STRICT=True,
    )
    app.after_request(add_security_headers)


def trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy the client address (rate limits) and scheme (HSTS, secure URLs) come from
    its X-Forwarded-For and -Proto; trust exactly as many proxies as PROXY_FIX says stand in front.

    Only those two: the proxy in docs/DEPLOYMENT.md passes the Host header itself and sets no
    X-Forwarded-Host or -Port, so such headers come from the client and would let it choose the host.
    """
    proxies = app.config.get("PROXY_FIX", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0)


def _default_headers(app: Flask) -> tuple:
    """DEFAULT_HEADERS, with the origins in FORM_ACTION_ORIGINS (the office's login, where signing out
    sends the browser on from the logout form) added to the policy's form-action."""
    origins = app.config.get("FORM_ACTION_ORIGINS")
    if not origins:
        return DEFAULT_HEADERS
    made = app.extensions.get("security_headers")
    if made is None:
        policy = CONTENT_SECURITY_POLICY.replace("form-action 'self'", "form-action 'self' " + " ".join(origins))
        made = app.extensions["security_headers"] = tuple(
            (name, lower, policy if lower == "content-security-policy" else value)
            for name, lower, value in DEFAULT_HEADERS)
    return made


def add_security_headers(response):
    headers = response.headers
    # One pass over the names: werkzeug's setdefault searches the list case-insensitively each time,
    # which was a tenth of the cost of a kept page.
    present = {name.lower() for name in headers.keys()}
    for name, lower, value in _default_headers(current_app):
        if lower not in present:
            headers.add(name, value)
    if "strict-transport-security" not in present and (current_app.config["SAMLINGER_HTTPS"] or request.is_secure):
        headers.add("Strict-Transport-Security", HSTS)
    # Only a session that holds a login can belong to a user: skip loading one for everyone else.
    if request.endpoint != "static" and "_user_id" in session and current_user.is_authenticated:
        # The workspace shows personal data: never keep it in a browser or proxy cache.
        headers.setdefault("Cache-Control", "no-store")
    return response


def rate_limited(setting: str):
    """Limit POSTs to a view per client address by the limits in config[*setting*], e.g. "20/minute;200/hour"."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])
