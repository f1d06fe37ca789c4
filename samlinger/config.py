"""Settings read from the environment, with defaults that are safe for a single machine."""

import os
from datetime import timedelta
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def from_environment(instance_path: str) -> dict:
    """Return the configuration for this process, built from environment variables."""
    sqlite_path = Path(instance_path) / "samlinger.sqlite"
    mail_server = os.environ.get("MAIL_SERVER", "")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
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
        "SAMLINGER_ORGANISER_NAME": os.environ.get("SAMLINGER_ORGANISER_NAME", "Statsforvalteren"),
        "SAMLINGER_CONTACT_EMAIL": os.environ.get("SAMLINGER_CONTACT_EMAIL", "postmottak@example.no"),
        "REMINDER_DAYS_BEFORE": _int("REMINDER_DAYS_BEFORE", 3),
        "RETENTION_MONTHS": _int("RETENTION_MONTHS", 12),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(Path(instance_path) / "uploads")),
        "UPLOAD_STORAGE": os.environ.get("UPLOAD_STORAGE", "local"),
        "MAX_UPLOAD_MB": _int("MAX_UPLOAD_MB", 50),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        # An organiser's login ends after this many hours without a request.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_LIFETIME_HOURS", 8)),
        "SAMLINGER_HTTPS": _bool("SAMLINGER_HTTPS", False),
    }
