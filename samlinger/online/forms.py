"""The organiser's forms for an online gathering: the video link, and the attendance report."""

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Optional, ValidationError

from ..forms import Form, at_most, one_line, strip

_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def is_video_link(value: str) -> bool:
    """An https address of a host with a dot and no user part: what Teams, Zoom or Whereby give.

    http is refused too (the passcode in the address would travel in the clear), and so is every other
    scheme (javascript:, data:, file:) and anything with spaces or control characters, which a mail program or
    calendar could read differently from us.
    """
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return False
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return False
    return (parts.scheme == "https" and value[:8].lower() == "https://" and "@" not in parts.netloc
            and bool(parts.hostname) and bool(_HOST.match(parts.hostname)) and port in (None, 443))


def _video_link(form, field):
    if field.data and not is_video_link(field.data):
        raise ValidationError(_l("Enter the meeting's address as it starts, with https://."))


class VideoLinkForm(Form):
    url = StringField(_l("Video link"), filters=[strip], validators=[Optional(), at_most(500), _video_link])
    meeting_id = StringField(_l("Meeting ID (optional)"), filters=[strip],
                             validators=[Optional(), at_most(100), one_line])
    passcode = StringField(_l("Passcode (optional)"), filters=[strip], validators=[Optional(), at_most(100), one_line])


class AttendanceReportForm(Form):
    report = FileField(_l("Attendance report (CSV)"), validators=[FileRequired(_l("Choose the file."))])
