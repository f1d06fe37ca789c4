"""Settings read from the environment, with defaults that are safe for a single machine."""

import os
from datetime import timedelta
from pathlib import Path

from .texts import office_names_from

DEFAULT_SECRET_KEY = "dev-only-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_bool(name: str) -> bool | None:
    """An on/off setting that, when unset, is decided by the app (see security.init_app)."""
    return _bool(name, False) if os.environ.get(name, "").strip() else None


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _list(name: str, default: str) -> tuple:
    """A comma-separated setting, lower case, in its order: "nb, nn,se" -> ("nb", "nn", "se")."""
    value = os.environ.get(name, "").strip() or default
    return tuple(item.strip().lower() for item in value.split(",") if item.strip())


def from_environment(instance_path: str) -> dict:
    """Return the configuration for this process, built from environment variables."""
    sqlite_path = Path(instance_path) / "samlinger.sqlite"
    mail_server = os.environ.get("MAIL_SERVER", "")
    office_name, office_names = office_names_from(os.environ)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        # Former keys, comma-separated, still accepted for sessions and sealed secrets after SECRET_KEY changed.
        "SECRET_KEY_FALLBACKS": [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()],
        # Who needs a second factor (TOTP) to sign in with a password: everyone, or admins (admins always do).
        "SECOND_FACTOR_REQUIRED_FOR": os.environ.get("SECOND_FACTOR_REQUIRED_FOR", "everyone").strip().lower()
        or "everyone",
        # The office's OpenID Connect provider (oidc.py); unset issuer: password and second factor only.
        "SAMLINGER_OIDC_ISSUER": os.environ.get("SAMLINGER_OIDC_ISSUER", "").strip().rstrip("/"),
        "SAMLINGER_OIDC_CLIENT_ID": os.environ.get("SAMLINGER_OIDC_CLIENT_ID", "").strip(),
        "SAMLINGER_OIDC_CLIENT_SECRET": os.environ.get("SAMLINGER_OIDC_CLIENT_SECRET", ""),
        "SAMLINGER_OIDC_NAME": os.environ.get("SAMLINGER_OIDC_NAME", "").strip(),
        "SAMLINGER_OIDC_ALLOWED_DOMAINS": _list("SAMLINGER_OIDC_ALLOWED_DOMAINS", ""),
        "SAMLINGER_OIDC_GROUPS_CLAIM": os.environ.get("SAMLINGER_OIDC_GROUPS_CLAIM", "").strip(),
        # "group=role,group=role": the provider's groups that let a person in, and as admin or organiser
        "SAMLINGER_OIDC_GROUP_ROLES": os.environ.get("SAMLINGER_OIDC_GROUP_ROLES", "").strip(),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        "SAMLINGER_BASE_URL": os.environ.get("SAMLINGER_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Without a MAIL_SERVER, mail is printed to the console and kept in the outbox.
        "MAIL_BACKEND": "smtp" if mail_server else "console",
        "MAIL_SERVER": mail_server or "localhost",
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "samlinger@localhost"),
        # Where replies to the service's mail go: the organisers' shared mailbox.
        "SAMLINGER_REPLY_TO": os.environ.get("SAMLINGER_REPLY_TO", ""),
        # The office's name in Bokmål (also for languages without their own) and per language (texts.office_name).
        "SAMLINGER_OFFICE_NAME": office_name,
        "SAMLINGER_OFFICE_NAMES": office_names,
        # The first office's address segment (/<slug>/… once there are several offices); default: from its name.
        "SAMLINGER_OFFICE_SLUG": os.environ.get("SAMLINGER_OFFICE_SLUG", "").strip().lower(),
        # The language at the site's root (/…); the others are at /nn/…, /se/…, /en/… (nb, nn or en).
        "SAMLINGER_DEFAULT_LANGUAGE": os.environ.get("SAMLINGER_DEFAULT_LANGUAGE", "nb").strip().lower() or "nb",
        # The languages offered, in the switcher's order: nb and nn always; se (Northern Sami) and en may be.
        "SAMLINGER_LANGUAGES": _list("SAMLINGER_LANGUAGES", "nb,nn,en"),
        # The office's logo in the header (a path to an SVG, PNG or JPEG file) and its colour (#rrggbb) (identity.py).
        "SAMLINGER_LOGO": os.environ.get("SAMLINGER_LOGO", ""),
        "SAMLINGER_THEME_COLOR": os.environ.get("SAMLINGER_THEME_COLOR", ""),
        "SAMLINGER_CONTACT_EMAIL": os.environ.get("SAMLINGER_CONTACT_EMAIL", "postmottak@example.no"),
        "REMINDER_DAYS_BEFORE": _int("REMINDER_DAYS_BEFORE", 3),
        "RETENTION_MONTHS": _int("RETENTION_MONTHS", 12),
        # The public reach page /rekkevidde (attendance per municipality, never people), for the annual report.
        "SAMLINGER_PUBLIC_REACH": _bool("SAMLINGER_PUBLIC_REACH", False),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(Path(instance_path) / "uploads")),
        "UPLOAD_STORAGE": os.environ.get("UPLOAD_STORAGE", "local"),
        "MAX_UPLOAD_MB": _int("MAX_UPLOAD_MB", 50),
        "S3_BUCKET": os.environ.get("S3_BUCKET", ""),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),
        "S3_REGION": os.environ.get("S3_REGION", ""),
        "S3_ACCESS_KEY_ID": os.environ.get("S3_ACCESS_KEY_ID", ""),
        "S3_SECRET_ACCESS_KEY": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
        "S3_PREFIX": os.environ.get("S3_PREFIX", ""),
        # Rate limits per client address; the storage must be shared (Redis) when several processes serve.
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many processes serve the site, on every machine together: what the operator says
        # (SAMLINGER_PROCESSES, or WEB_CONCURRENCY, which gunicorn also reads), or the workers gunicorn started
        # with deploy/gunicorn.conf.py, whichever is more. Only the warning about per-process limits reads it.
        "SAMLINGER_PROCESSES": max(_int("SAMLINGER_PROCESSES", 1), _int("WEB_CONCURRENCY", 1),
                                   _int("SAMLINGER_GUNICORN_WORKERS", 1)),
        # An organiser's login ends after this many hours without a request.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_LIFETIME_HOURS", 8)),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_REGISTRATION": os.environ.get("RATELIMIT_REGISTRATION", "20/minute;200/hour"),
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "10/minute;100/hour"),
        "RATELIMIT_PASSWORD_RESET": os.environ.get("RATELIMIT_PASSWORD_RESET", "5/minute;30/hour"),
        "RATELIMIT_MANAGE_LINK": os.environ.get("RATELIMIT_MANAGE_LINK", "5/minute;30/hour"),
        # E-mails one address gets because of what someone did on the public pages (registering, asking
        # for the link again), counted in the same storage; on also when RATELIMIT_ENABLED is off.
        "PUBLIC_MAIL_PER_ADDRESS": os.environ.get("PUBLIC_MAIL_PER_ADDRESS", "5/hour"),
        # Unset: Secure cookies everywhere except in debug mode and tests.
        "SESSION_COOKIE_SECURE": _optional_bool("SESSION_COOKIE_SECURE"),
        # Served over HTTPS (sends HSTS); PROXY_FIX = how many reverse proxies stand in front.
        "SAMLINGER_HTTPS": _bool("SAMLINGER_HTTPS", False),
        "PROXY_FIX": _int("PROXY_FIX", 0),
        "MAIL_STALE_CLAIM_SECONDS": _int("MAIL_STALE_CLAIM_SECONDS", 300),
    }
