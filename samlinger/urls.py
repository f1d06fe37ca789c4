"""Absolute links for e-mails and feeds, built from SAMLINGER_BASE_URL, also outside a request."""

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import get_locale

from .i18n import usable


def absolute_url(endpoint: str, _language: str | None = None, **values) -> str:
    """The address of *endpoint* on SAMLINGER_BASE_URL in *_language* (by default the current locale's):
    a link in a Nynorsk e-mail opens in Nynorsk."""
    config = current_app.config
    language = usable(_language or str(get_locale() or config["SAMLINGER_DEFAULT_LANGUAGE"]))
    base = urlsplit(config["SAMLINGER_BASE_URL"])
    root = base.path.rstrip("/") + ("" if language == config["SAMLINGER_DEFAULT_LANGUAGE"] else "/" + language)
    adapter = current_app.url_map.bind(base.netloc, script_name=root or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
