"""Loud warnings at start for settings that cannot work, so an operator sees them in the log before people do."""

from pathlib import Path

from flask import Flask

from .i18n import FALLBACK

#: the languages with a catalogue; English is the language of the source texts and needs none
TRANSLATED = {"nb": "Bokmål", "nn": "Nynorsk", "se": "Northern Sami"}

#: what this process has warned about already (each app of a process is checked; each warning is given once)
_warned: set[str] = set()


def check(app: Flask) -> None:
    for problem in problems(app):
        if problem not in _warned:
            _warned.add(problem)
            app.logger.warning(problem)


def problems(app: Flask) -> list[str]:
    return _cookie_problems(app) + _mail_problems(app) + _catalogue_problems(app) + _limit_problems(app)


def limits_per_process(app: Flask) -> int | None:
    """How many processes serve while the rate limits (and the public mail cap) are counted in each one's memory
    (RATELIMIT_STORAGE_URI=memory://): each counts alone, so an address may do that many times what a limit allows.
    None when the storage is shared or one process serves. Also shown to admins (the accounts page)."""
    processes = app.config["SAMLINGER_PROCESSES"]
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://") and processes > 1:
        return processes
    return None


def _limit_problems(app: Flask) -> list[str]:
    processes = limits_per_process(app)
    if processes is None:
        return []
    return [
        f"RATELIMIT_STORAGE_URI is memory:// while {processes} processes serve: each process counts the rate limits "
        f"and the public mail cap alone, so one address may register {processes} times as often as "
        "RATELIMIT_REGISTRATION allows, enough to fill the last seats with made-up addresses. Set "
        "RATELIMIT_STORAGE_URI=redis://host:6379/0 (shared by every process), or serve with one process."
    ]


def _cookie_problems(app: Flask) -> list[str]:
    base_url = app.config["SAMLINGER_BASE_URL"]
    if app.config["SESSION_COOKIE_SECURE"] and base_url.startswith("http://"):
        return [
            f"SAMLINGER_BASE_URL is {base_url} (http), but cookies are sent over HTTPS only (Secure): over http "
            "no form will work (login, registration, manage links answer 400) and the links in e-mails are "
            "http. Serve the site over HTTPS and set SAMLINGER_BASE_URL=https://..., or on a developer's "
            "machine run with FLASK_DEBUG=1 (or SESSION_COOKIE_SECURE=0)."
        ]
    return []


def _mail_problems(app: Flask) -> list[str]:
    if app.config["MAIL_BACKEND"] == "console" and not (app.debug or app.testing):
        return [
            "MAIL_SERVER is not set: no e-mail leaves this machine. Every message is printed to the log and kept "
            "in instance/mail, manage links included, so whoever reads the log can open people's registrations. "
            "Set MAIL_SERVER (and MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD) to the SMTP relay."
        ]
    return []


def _catalogue_problems(app: Flask) -> list[str]:
    found = []
    directories = [Path(d) for d in app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")]
    for language, name in TRANSLATED.items():
        if language not in app.config["SAMLINGER_LANGUAGES"]:
            continue
        paths = [d / language / "LC_MESSAGES" / "messages" for d in directories]
        po = next((p.with_suffix(".po") for p in paths if p.with_suffix(".po").exists()), None)
        mo = next((p.with_suffix(".mo") for p in paths if p.with_suffix(".mo").exists()), None)
        instead = "Bokmål" if language in FALLBACK else "English"
        if mo is None:
            found.append(f"The {name} language catalogue ({language}) is not compiled: the site shows {instead} "
                         f"instead of {name}. Run `make translations` (pybabel compile -d samlinger/translations) "
                         "when installing, then restart.")
        elif po is not None and po.stat().st_mtime > mo.stat().st_mtime:
            found.append(f"The {name} language catalogue {mo} is older than {po.name}: texts changed since it "
                         f"was compiled are shown in {instead}. Run `make translations`, then restart.")
    return found
