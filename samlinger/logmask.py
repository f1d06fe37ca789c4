"""Logs without the secrets that travel in addresses.

A manage link (`/pamelding/<token>…`) opens a registration, an evaluation link (`/evaluering/<token>`) its
form, and a set-password link
(`/logg-inn/nytt-passord/<token>`) an account: whoever reads a log line with one could use it. The
logger masks the token in every field of the line (request line, path, Referer, headers), so a custom
`access_log_format` cannot bring it back. Used through deploy/gunicorn.conf.py. The app's own log (an
error on a manage page is logged with its path) and the development server's go through `MaskTokens`.
"""

import logging
import re

from gunicorn.glogging import Logger

TOKEN_IN_PATH = re.compile(r"(/pamelding/|/evaluering/|/logg-inn/nytt-passord/)[^/?#\s\"]+")
MASK = r"\1[token]"


def mask(value: str) -> str:
    """*value* with the token of every manage or set-password link replaced by [token]."""
    if "/pamelding/" not in value and "/nytt-passord/" not in value and "/evaluering/" not in value:
        return value  # most fields of most lines: skip the regular expression
    return TOKEN_IN_PATH.sub(MASK, value)


class MaskedLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask(value) if isinstance(value, str) else value for key, value in atoms.items()}


class MaskTokens(logging.Filter):
    """Mask tokens in the records of a logger: Flask logs "Exception on /pamelding/<token> [GET]"."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_app_logs(app) -> None:
    """Put MaskTokens on the app's logger and the development server's (once each)."""
    for logger in (app.logger, logging.getLogger("werkzeug")):
        if not any(isinstance(f, MaskTokens) for f in logger.filters):
            logger.addFilter(MaskTokens())
