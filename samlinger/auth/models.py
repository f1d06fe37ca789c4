"""Organiser accounts."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login
from ..timeutil import UTCDateTime, utcnow

ROLES = ("admin", "organiser")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

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

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


@login.user_loader
def load_user(identity: str) -> User | None:
    """Load the user of a session; a changed password (new session_version) ends old sessions."""
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
