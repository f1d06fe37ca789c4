"""Imports every model, so that create_app() and migrations see all tables."""

from .audit.models import AuditEntry  # noqa: F401
from .auth.models import User  # noqa: F401
from .documents.models import Document  # noqa: F401
from .evaluations.models import Evaluation, EvaluationAnswer, EvaluationInvitation, EvaluationQuestion  # noqa: F401
from .gatherings.models import Gathering, Round  # noqa: F401
from .mail.models import OutboundEmail  # noqa: F401
from .municipalities.models import Municipality  # noqa: F401
from .offices.models import Office  # noqa: F401
from .online.models import VideoLink  # noqa: F401
from .pagecache import ContentVersion  # noqa: F401
from .questions.models import Question  # noqa: F401
from .registration.models import Registration  # noqa: F401
