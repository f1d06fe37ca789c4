"""The office's OpenID Connect provider: settings that cannot work or would let too many in stop the start; who
may come in, and with which role, read from the ID token's claims. The sign-in itself is tested against a real
provider in Chromium (tests/browser/test_oidc.py)."""

import pytest

from samlinger import create_app
from samlinger.auth import oidc

PROVIDER = {"SAMLINGER_OIDC_ISSUER": "https://login.example.test/tenant/v2.0", "SAMLINGER_OIDC_CLIENT_ID": "id",
            "SAMLINGER_OIDC_CLIENT_SECRET": "secret", "SAMLINGER_OIDC_ALLOWED_DOMAINS": ("statsforvalteren.no",),
            "SAMLINGER_OIDC_GROUPS_CLAIM": "groups", "SAMLINGER_OIDC_GROUP_ROLES": "g-admin=admin, g-org=organiser"}


@pytest.mark.parametrize(("change", "says"), [
    ({"SAMLINGER_OIDC_CLIENT_SECRET": ""}, "SAMLINGER_OIDC_CLIENT_SECRET"),
    ({"SAMLINGER_OIDC_ALLOWED_DOMAINS": (), "SAMLINGER_OIDC_GROUPS_CLAIM": ""}, "who may sign in"),
    ({"SAMLINGER_OIDC_GROUP_ROLES": ""}, "SAMLINGER_OIDC_GROUP_ROLES"),
    ({"SAMLINGER_OIDC_GROUP_ROLES": "g-admin=owner"}, "admin or <group>=organiser"),
], ids=["no secret", "everyone", "groups without roles", "unknown role"])
def test_settings_that_cannot_work_stop_the_start(app_config, change, says):
    with pytest.raises(oidc.ProviderSettingError, match=says):
        create_app(app_config | PROVIDER | change)


@pytest.fixture
def office(app_config):
    from samlinger.extensions import db

    app = create_app(app_config | PROVIDER)
    with app.test_request_context():
        yield app
        db.engine.dispose()


@pytest.mark.parametrize(("claims", "decision"), [
    ({"email": "kari@statsforvalteren.no", "groups": ["g-org"]}, (True, "organiser")),
    ({"email": "kari@Statsforvalteren.NO", "groups": ["g-org", "g-admin"]}, (True, "admin")),
    ({"preferred_username": "kari@statsforvalteren.no", "groups": "g-org"}, (True, "organiser")),
    ({"email": "kari@statsforvalteren.no", "groups": ["other"]}, (False, None)),
    ({"email": "kari@statsforvalteren.no"}, (False, None)),
    ({"email": "kari@statsforvalteren.no.evil.test", "groups": ["g-org"]}, (False, None)),
    ({"email": "kari@statsforvalteren.no", "email_verified": False, "groups": ["g-org"]}, (False, None)),
    ({"groups": ["g-org"]}, (False, None)),
])
def test_who_may_come_in_and_as_what(office, claims, decision):
    assert oidc.decide(claims) == decision


def test_without_a_provider_the_login_page_offers_only_the_password(app, client):
    html = client.get("/logg-inn").get_data(as_text=True)
    assert "provider-login" not in html and "/logg-inn/kontor" not in html
    assert client.get("/logg-inn/kontor").status_code == 404
    assert "form-action 'self';" in client.get("/logg-inn").headers["Content-Security-Policy"]


def test_with_a_provider_the_logout_form_may_go_on_to_it(office):
    client = office.test_client()
    html = client.get("/logg-inn").get_data(as_text=True)
    assert html.index('id="provider-login"') < html.index('name="password"'), "the office's login comes first"
    policy = client.get("/logg-inn").headers["Content-Security-Policy"]
    assert "form-action 'self' https://login.example.test;" in policy


# --- accounts made here and the provider's addresses (both databases) ----------------------------------------

@pytest.fixture
def provider_app(app_config, request):
    app_config.update(PROVIDER)
    app = request.getfixturevalue("app")
    with app.test_request_context(method="POST"):  # as the provider's answer, a request that writes
        yield app


def _claims(sub: str, **claims) -> dict:
    return {"sub": sub, "email": "astrid@statsforvalteren.no", "groups": ["g-org"]} | claims


@pytest.mark.parametrize("claims", [
    {"email_verified": None},  # Entra sends no email_verified at all
    {"email": None, "preferred_username": "astrid@statsforvalteren.no"},
    {"email": None, "upn": "astrid@statsforvalteren.no"},
], ids=["address not vouched for", "sign-in name", "upn"])
def test_an_address_the_provider_does_not_vouch_for_takes_over_no_account(provider_app, claims):
    """An admin made here with password and second factor: a provider user who writes the admin's address (or
    has it as sign-in name) is refused, and the admin's account stays as it was."""
    from samlinger.extensions import db
    from samlinger.refusal import Refused
    from tests import factories

    admin = factories.user("astrid@statsforvalteren.no", role="admin")
    with pytest.raises(Refused) as refused:
        oidc.account_for({k: v for k, v in _claims("mallory", **claims).items() if v is not None})
    assert refused.value.code == "address_taken"
    db.session.refresh(admin)
    assert (admin.oidc_subject, admin.role, admin.active) == (None, "admin", True)


def test_a_verified_address_links_the_account_made_here(provider_app):
    from tests import factories

    made = factories.user("astrid@statsforvalteren.no")
    user = oidc.account_for(_claims("astrid", email_verified=True))
    assert user.id == made.id and user.oidc_subject.endswith(" astrid")


def test_someone_not_let_in_deactivates_only_the_account_that_is_theirs(provider_app):
    """Outside the groups, with the address of an account made here: refused, and that account stays active."""
    from samlinger.extensions import db
    from samlinger.refusal import Refused
    from tests import factories

    admin = factories.user("astrid@statsforvalteren.no", role="admin")
    with pytest.raises(Refused):
        oidc.account_for(_claims("mallory", email_verified=True, groups=["andre"]))
    db.session.refresh(admin)
    assert admin.active
    mine = oidc.account_for(_claims("kari", email="kari@statsforvalteren.no", email_verified=True))
    with pytest.raises(Refused):
        oidc.account_for(_claims("kari", email="kari@statsforvalteren.no", email_verified=True, groups=["andre"]))
    db.session.refresh(mine)
    assert not mine.active, "the provider's own account is deactivated when it no longer lets them in"
