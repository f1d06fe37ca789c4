"""The front door: kept pages answered before Flask runs, from the page cache (pagecache.py)."""

from datetime import datetime

from werkzeug.http import parse_cookie

from .extensions import db
from .offices.paths import VERSION
from .pagecache import PUBLIC_SESSION, Page, PageCache, not_modified, validators
from .security import DEFAULT_HEADERS, HSTS
from .timeutil import utcnow

#: how many session cookies the front door remembers as public (see FrontDoor._session_is_public)
PUBLIC_COOKIES = 4096


def init_app(app) -> None:
    """Put the front door before Flask, answering from the app's page cache (pagecache.init_app first)."""
    app.wsgi_app = FrontDoor(app, app.wsgi_app, app.extensions["samlinger.pagecache"])


class FrontDoor:
    """Answers a kept page before Flask runs, from the same cache and by the same allowlist as `cached`.

    Kept by measurement (README, Performance): through Flask a kept page costs ~170 µs of CPU, and under
    gunicorn measured 0.45–0.6 of bare Flask, at or below the 0.5 target; here it costs ~10 µs (~14 µs
    with a session cookie), less than bare Flask.
    The answer carries the page's own headers (`KEPT_HEADERS`), its validators and the headers every
    answer gets (`security.DEFAULT_HEADERS`, HSTS, `Vary: Cookie`), nothing else; a test compares it with
    Flask's answer for the same page. Anything it cannot answer (no kept page, another method, a query
    string, a cookie or session key not in the allowlist, a session it cannot read) goes to Flask.
    """

    def __init__(self, app, wsgi_app, cache: PageCache):
        self.app, self.wsgi_app, self.cache = app, wsgi_app, cache
        with app.app_context():
            self.engine = db.engine
        self._sessions = None
        self._public: set[str] = set()

    def _session_is_public(self, value: str) -> bool:
        """Whether the session in the cookie holds only PUBLIC_SESSION keys, as Flask would read it.

        Checking the signature costs more than the rest of the answer, so the cookies found public are
        remembered (at most PUBLIC_COOKIES): such a cookie stays public, as an expired or no longer valid
        session is an empty one.
        """
        if value in self._public:
            return True
        if self._sessions is None:
            self._sessions = self.app.session_interface.get_signing_serializer(self.app)
        try:
            data = self._sessions.loads(value, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except Exception:  # noqa: BLE001 - a cookie it cannot read: Flask decides
            return False
        public = isinstance(data, dict) and data.keys() <= PUBLIC_SESSION
        if public:
            if len(self._public) >= PUBLIC_COOKIES:
                self._public.clear()
            self._public.add(value)
        return public

    def _cacheable(self, environ) -> bool:
        if (environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("QUERY_STRING")
                or "HTTP_AUTHORIZATION" in environ or not self.app.config["PAGE_CACHE"]):
            return False
        if "HTTP_COOKIE" not in environ:
            return True
        cookies = parse_cookie(environ)
        name = self.app.config["SESSION_COOKIE_NAME"]
        return all(key == name for key in cookies) and (name not in cookies or self._session_is_public(cookies[name]))

    def __call__(self, environ, start_response):
        if self._cacheable(environ):
            page = self.cache.pages.get(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
            if page is not None:
                now = utcnow()
                version = environ[VERSION] = self.cache.versions.read(self.engine)  # the offices read at it too
                if PageCache.holds(page, version, now):
                    return self._answer(environ, start_response, page, now)
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ, start_response, page: Page, now: datetime):
        headers = validators(page, now)
        headers += [(name, value) for name, _, value in DEFAULT_HEADERS]
        if self.app.config["SAMLINGER_HTTPS"] or environ.get("wsgi.url_scheme") == "https":
            headers.append(("Strict-Transport-Security", HSTS))
        headers.append(("Vary", "Cookie"))
        if not_modified(page, now, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")):
            start_response("304 NOT MODIFIED", headers)
            return []
        start_response("200 OK", [*page.headers, ("Content-Length", str(len(page.body))), *headers])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [page.body]
