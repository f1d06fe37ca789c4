"""Signing in with the office's OpenID Connect provider: away to its login, and back with a code."""

import logging

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError
from requests import RequestException

from ..locking import writes_on_get
from ..redirects import safe_next
from ..refusal import Refused
from ..urls import site_url
from . import oidc, signin

log = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__)
_NEXT = "oidc_next"


def redirect_uri() -> str:
    """The one address the provider sends people back to, registered there: without a language or an office, so
    that it is the same from every office's login page (the provider is the installation's)."""
    return site_url("oidc.callback")


@bp.get("/logg-inn/kontor")
def start():
    if not oidc.configured():
        abort(404)
    session[_NEXT] = request.args.get("next") or ""
    try:
        return oidc.client().authorize_redirect(redirect_uri())
    except (AuthlibBaseError, RequestException, ValueError) as error:
        log.warning("The OpenID Connect provider could not be reached: %s", error)
        flash(_("The office's login cannot be reached just now. Try again in a while."), "error")
        return redirect(url_for("auth.login_page"))


@bp.get("/logg-inn/kontor/svar")
@writes_on_get  # makes or deactivates the account and writes the sign-in to the audit log
def callback():
    """The provider's answer: Authlib checks state, exchanges the code with the PKCE verifier, checks the ID
    token (signature, issuer, audience, expiry, nonce); then the settings decide whether the person may come in."""
    if not oidc.configured():
        abort(404)
    next_url = session.pop(_NEXT, "")
    try:
        token = oidc.client().authorize_access_token()
        claims = token.get("userinfo")
        if not claims or not token.get("id_token"):
            raise ValueError("no ID token in the provider's answer")
        user = oidc.account_for(dict(claims))
    except Refused as refused:
        flash(str(refused), "error")
        return redirect(url_for("auth.login_page"))
    except (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError) as error:
        # A forged or replayed state, a code used before, a nonce that is not ours, the provider's refusal.
        log.warning("A sign-in with the OpenID Connect provider was refused: %s", error)
        flash(_("The sign-in with the office's login did not go through. Start again from the login page."),
              "error")
        return redirect(url_for("auth.login_page"))
    signin.start_session(user, "oidc", oidc_id_token=token["id_token"])
    return redirect(safe_next(next_url, signin.landing(user)))
