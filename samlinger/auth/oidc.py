"""Signing in with the office's OpenID Connect provider (Entra ID or any other), through Authlib.

The authorization code flow with PKCE (S256), `state` and `nonce` (Authlib keeps them in the session and
checks them, and the ID token's signature, issuer, audience and expiry). Who may come in is decided here, at
every sign-in, from the ID token's claims: an address in SAMLINGER_OIDC_ALLOWED_DOMAINS, and membership of a
group in SAMLINGER_OIDC_GROUP_ROLES (read from the SAMLINGER_OIDC_GROUPS_CLAIM), which also gives the role.
An allowed person gets an account at the first sign-in; one no longer allowed is deactivated, which ends
every session of theirs. The provider does the second factor: its sign-in counts as both.
"""

import logging
import secrets
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import current_app
from flask_babel import lazy_gettext as _l
from requests import RequestException
from sqlalchemy import func, select

from ..audit.service import record
from ..extensions import db
from ..offices.registry import offices
from ..offices.scope import use_office
from ..refusal import Refused
from . import service
from .models import User

NAME = "office"
log = logging.getLogger(__name__)
NOT_ALLOWED = _l("Your account at the office's login does not give access to the organisers' pages. If you "
                 "should have access, ask the office's IT service or an administrator here.")
ADDRESS_TAKEN = _l("An account here already has this address, and the office's login does not confirm that the "
                   "address is yours. Ask an administrator.")
NO_ACCOUNT = _l("You have no account here yet. Ask an administrator at your county governor's office to make one "
                "with your address; then sign in with the office's login again.")


class ProviderSettingError(RuntimeError):
    """The provider is configured in a way that cannot work or would let too many in."""


def configured(app=None) -> bool:
    return bool((app or current_app).config["SAMLINGER_OIDC_ISSUER"])


def group_roles(config) -> dict[str, str]:
    """SAMLINGER_OIDC_GROUP_ROLES ("group=admin,other=organiser") as {group: role}."""
    roles = {}
    for item in config["SAMLINGER_OIDC_GROUP_ROLES"].split(","):
        if item.strip():
            group, _, role = item.rpartition("=")
            roles[group.strip()] = role.strip().lower()
    return roles


def init_app(app) -> None:
    """Register the provider with Authlib when SAMLINGER_OIDC_ISSUER is set; stop the start on a setting that
    cannot work or that lets in everyone the provider knows."""
    if not configured(app):
        return
    config = app.config
    if not (config["SAMLINGER_OIDC_CLIENT_ID"] and config["SAMLINGER_OIDC_CLIENT_SECRET"]):
        raise ProviderSettingError("SAMLINGER_OIDC_ISSUER is set: set SAMLINGER_OIDC_CLIENT_ID and "
                                   "SAMLINGER_OIDC_CLIENT_SECRET too")
    if not (config["SAMLINGER_OIDC_ALLOWED_DOMAINS"] or config["SAMLINGER_OIDC_GROUPS_CLAIM"]):
        raise ProviderSettingError("SAMLINGER_OIDC_ISSUER is set: say who may sign in with "
                                   "SAMLINGER_OIDC_ALLOWED_DOMAINS and/or SAMLINGER_OIDC_GROUPS_CLAIM")
    roles = group_roles(config)
    if config["SAMLINGER_OIDC_GROUPS_CLAIM"] and not roles:
        raise ProviderSettingError("SAMLINGER_OIDC_GROUPS_CLAIM is set: map the groups to roles in "
                                   "SAMLINGER_OIDC_GROUP_ROLES, e.g. <admin group id>=admin,<group id>=organiser")
    if any(role not in ("admin", "organiser") or not group for group, role in roles.items()):
        raise ProviderSettingError("SAMLINGER_OIDC_GROUP_ROLES: each item is <group>=admin or <group>=organiser")
    # Signing out posts the logout form, whose answer sends the browser on to the provider's end of session:
    # the content security policy's form-action must allow the provider's origin too.
    issuer = urlsplit(config["SAMLINGER_OIDC_ISSUER"])
    app.config["FORM_ACTION_ORIGINS"] = [f"{issuer.scheme}://{issuer.netloc}"]
    oauth = OAuth(app)
    oauth.register(
        NAME, client_id=config["SAMLINGER_OIDC_CLIENT_ID"], client_secret=config["SAMLINGER_OIDC_CLIENT_SECRET"],
        server_metadata_url=config["SAMLINGER_OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256", "timeout": 15},
    )


def client():
    return current_app.extensions["authlib.integrations.flask_client"].create_client(NAME)


def _email(claims: dict) -> str:
    """The person's address: `email`, or Entra's `preferred_username` (the sign-in name) where that is one."""
    for name in ("email", "preferred_username", "upn"):
        value = claims.get(name)
        if isinstance(value, str) and "@" in value:
            return value.strip()
    return ""


def decide(claims: dict) -> tuple[bool, str | None]:
    """(allowed, role) for the person the ID token's *claims* describe; role None: the account keeps its own."""
    config = current_app.config
    email = _email(claims)
    if not email or claims.get("email_verified") is False:
        return False, None
    domains = config["SAMLINGER_OIDC_ALLOWED_DOMAINS"]
    if domains and email.rpartition("@")[2].lower() not in domains:
        return False, None
    claim = config["SAMLINGER_OIDC_GROUPS_CLAIM"]
    if not claim:
        return True, None
    groups = claims.get(claim) or []
    groups = [groups] if isinstance(groups, str) else groups
    roles = {role for group, role in group_roles(config).items() if group in groups}
    if not roles:
        return False, None
    return True, "admin" if "admin" in roles else "organiser"


def _account(subject: str, claims: dict) -> tuple[User | None, bool]:
    """(the account, whether it is the provider's own): found by the provider's subject, or else an account made
    here with the same address, taken over only where the provider vouches for the address itself (`email` with
    `email_verified` true): a sign-in name, or an address the person may set themselves, would hand another
    person's account (an admin's, with its second factor) to whoever writes that address at the provider."""
    user = db.session.scalar(select(User).where(User.oidc_subject == subject))
    if user is not None:
        return user, True
    email = claims.get("email")
    if isinstance(email, str) and "@" in email and claims.get("email_verified") is True:
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower(),
                                                    User.oidc_subject.is_(None)))
        return user, False
    return None, False


def account_for(claims: dict) -> User:
    """The account of the person the provider signed in: made at the first sign-in, given the role their groups
    give. Refuses "not_allowed" (and deactivates the account, ending its sessions) for someone the settings do
    not let in, "deactivated" for an account an administrator has turned off. Commits."""
    subject = f"{current_app.config['SAMLINGER_OIDC_ISSUER']} {claims['sub']}"
    email = _email(claims)
    user, own = _account(subject, claims)
    allowed, role = decide(claims)
    if not allowed:
        if own and user.active:  # never an account made here that only shares the address
            user.active = False
            user.session_version = (user.session_version or 0) + 1
            record("user.deactivate", user, f"{user.email}: the office's login no longer lets them in")
        db.session.commit()
        raise Refused("not_allowed", NOT_ALLOWED)
    if user is None:
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())) is not None:
            db.session.commit()
            raise Refused("address_taken", ADDRESS_TAKEN)
        if offices().several:
            # The provider is the installation's, and the login page a person came from is theirs to choose: with
            # several offices it cannot tell whose the person is, so it makes no account (an admin makes it, in
            # their office, and the first sign-in here takes it over).
            db.session.commit()
            raise Refused("no_account", NO_ACCOUNT)
        name = claims.get("name") if isinstance(claims.get("name"), str) else ""
        # With one office, the account the provider makes is that office's, and so is its audit entry.
        with use_office(offices().first):
            user = service.create_user(email, (name or email)[:200], admin=role == "admin",
                                       password=secrets.token_urlsafe(32))
            record("user.create", user, f"{user.email} ({user.role}), at the first sign-in with the office's login")
            db.session.flush()
    elif not user.active:
        db.session.commit()
        raise Refused("deactivated", _l("Your account here is deactivated. Ask an administrator to turn it on."))
    user.oidc_subject = subject
    if role is not None and user.role != role:
        record("user.role", user, f"{user.email}: {user.role} → {role}, from the groups at the office's login")
        user.role = role
    db.session.flush()
    return user


def logout_url(id_token: str, after: str) -> str | None:
    """Where to send the browser to end the provider's session too, or None if it offers no end_session."""
    try:
        return client().create_logout_url(post_logout_redirect_uri=after, id_token_hint=id_token,
                                          client_id=current_app.config["SAMLINGER_OIDC_CLIENT_ID"])["url"]
    except RuntimeError:  # no end_session_endpoint in the provider's metadata
        return None
    except RequestException as error:  # the provider's metadata could not be read: the sessions here are ended
        log.warning("The office's login could not be reached to end its session: %s", error)
        return None
