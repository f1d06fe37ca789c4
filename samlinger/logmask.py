"""Logs without the secrets that travel in addresses.

A manage link (`/pamelding/<token>…`) opens a registration, an evaluation link (`/evaluering/<token>`) its
form, and a set-password link (`/logg-inn/nytt-passord/<token>`) an account: whoever reads a log line with one
could use it. Every route variable that carries a secret is named `token`, and the masking learns those routes
from the URL map (`learn`, called by create_app once every blueprint is registered), so a new one is masked
without a word here. The logger masks the token in every field of the line (request line, path, Referer,
headers), so a custom `access_log_format` cannot bring it back. Used through deploy/gunicorn.conf.py. The app's
own log (an error on a manage page is logged with its path) and the development server's go through
`MaskTokens`.
"""

import logging
import re

from gunicorn.glogging import Logger

#: the name of every route variable that carries a secret
TOKEN = "token"
#: what a token is replaced by
MASK = r"\1[token]"
#: what a variable of a route stands for in a path, and what a token is, up to where the path goes on
_VALUE = r"[^/?#\s\"]+"
_PARTS = re.compile(r"(<[^>]+>)")

#: the path up to each token route's token, as regular expressions; and the fixed text just before the token,
#: which a line must hold for the expression to be worth trying
_before: set[str] = set()
_fixed: tuple[str, ...] = ()
_token_in_path: re.Pattern | None = None


def _variable(part: str) -> str | None:
    """The name of a route variable ("<int:document_id>" → "document_id"), or None for fixed text."""
    return part[1:-1].rpartition(":")[2] if part.startswith("<") and part.endswith(">") else None


def _up_to_token(rule: str) -> tuple[str, str]:
    """The path of *rule* up to its token, as a regular expression, and the fixed text just before it."""
    pattern, fixed = [], ""
    for part in _PARTS.split(rule):
        name = _variable(part)
        if name == TOKEN:
            break
        pattern.append(_VALUE if name else re.escape(part))
        fixed = "" if name else part
    return "".join(pattern), fixed


def learn(url_map) -> None:
    """Mask the token of every route with a `<token>` variable in *url_map* (what other apps of this process
    taught stays masked)."""
    global _fixed, _token_in_path
    fixed = set(_fixed)
    for rule in url_map.iter_rules():
        if TOKEN in rule.arguments:
            before, text = _up_to_token(rule.rule)
            _before.add(before)
            fixed.add(text)
    if _before:
        _fixed = tuple(sorted(fixed))
        _token_in_path = re.compile(f"({'|'.join(sorted(_before, key=len, reverse=True))}){_VALUE}")


#: the office login's answer (auth/oidc_views.callback) carries a one-time code and the state in its query
_ANSWER_PATH = "/logg-inn/kontor/svar"
_ANSWER_SECRETS = re.compile(r"([?&](?:code|state)=)[^&\s\"#]+")


def mask(value: str) -> str:
    """*value* with the token of every link that carries one, and the code and state of the office login's
    answer, replaced by [token]."""
    if _ANSWER_PATH in value:
        value = _ANSWER_SECRETS.sub(MASK, value)
    if _token_in_path is None or not any(text in value for text in _fixed):
        return value  # most fields of most lines: skip the regular expression
    return _token_in_path.sub(MASK, value)


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


def init_app(app) -> None:
    """Learn the app's token routes, and put MaskTokens on the app's logger and the development server's
    (once each). Called once every blueprint is registered."""
    learn(app.url_map)
    for logger in (app.logger, logging.getLogger("werkzeug")):
        if not any(isinstance(f, MaskTokens) for f in logger.filters):
            logger.addFilter(MaskTokens())
