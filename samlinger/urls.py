"""Absolute links for e-mails and feeds, built from SAMLINGER_BASE_URL, also outside a request."""

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["SAMLINGER_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
