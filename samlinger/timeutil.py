"""Time rules: instants are stored as aware UTC and shown in Europe/Oslo."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

OSLO = ZoneInfo("Europe/Oslo")


def utcnow() -> datetime:
    return datetime.now(UTC)


def oslo(dt: datetime) -> datetime:
    """Return the aware instant *dt* as Oslo wall-clock time."""
    return dt.astimezone(OSLO)


def oslo_to_utc(day: date, at: time) -> datetime:
    """Return the UTC instant of wall-clock time *at* on *day* in Oslo (DST-aware)."""
    return datetime.combine(day, at, tzinfo=OSLO).astimezone(UTC)


def end_of_day_utc(day: date) -> datetime:
    """Return the first instant after *day* has ended in Oslo: a deadline given as a date."""
    return oslo_to_utc(day + timedelta(days=1), time(0, 0))


class UTCDateTime(TypeDecorator):
    """A datetime column that only accepts aware values and always returns aware UTC.

    SQLite keeps no offset, so values are stored there as naive UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
