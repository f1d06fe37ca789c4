"""Who is given the video link: a confirmed online participant, on their manage page and in their mail."""

from ..extensions import db
from ..seats import sides
from .models import Video, VideoLink


def video_for(registration) -> Video | None:
    """The video link as the participant may see it, or None: only for a confirmed online participant."""
    if not sides.sees_video(registration):
        return None
    link = db.session.get(VideoLink, registration.gathering_id)
    return link.shown() if link is not None else None
