"""Organiser accounts."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login
from ..offices.models import office_column
from ..offices.scope import ALL_OFFICES
from ..timeutil import UTCDateTime, utcnow

ROLES = ("admin", "organiser")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    office_scope = "office_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    #: admin | organiser
    role: Mapped[str] = mapped_column(String(12), default="organiser")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: part of the session identity, so changing the password ends other sessions
    session_version: Mapped[int] = mapped_column(default=0)
    #: the language of the account's e-mails (welcome, new password), whoever asked for them
    language: Mapped[str] = mapped_column(String(5), default="nb", server_default="nb")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the TOTP secret, sealed with a key derived from SECRET_KEY (sealing.py); None until enrolled
    totp_secret: Mapped[str | None] = mapped_column(String(300), nullable=True)
    #: the last TOTP time step accepted: a code is never accepted twice, nor one older than it
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: "<issuer> <sub>" of the person at the office's OpenID Connect provider, once they signed in there
    oidc_subject: Mapped[str | None] = mapped_column(String(400), nullable=True, unique=True, index=True)

    #: the office the organiser or admin belongs to; None for a national administrator
    office_id: Mapped[int | None] = office_column(nullable=True)
    #: creates offices and their first admins and reads national figures; belongs to no office
    is_national_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class RecoveryCode(db.Model):
    """One of the ten one-time codes that stand in for the authenticator app; only a keyed hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: HMAC-SHA256 of the code (secondfactor.code_hash): the codes are random enough not to need a slow hash
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


@login.user_loader
def load_user(identity: str) -> User | None:
    """Load the user of a session; a changed password (new session_version) ends old sessions."""
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id), execution_options={ALL_OFFICES: True})
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
