"""The sources of everything a participant sees and receives: pages from the front page to deleting their own
data, the registration form with its errors, the participant e-mails and the invite. Every message used here
must be translated into each participant language (Northern Sami included: tests/test_sami.py)."""

PARTICIPANT_SOURCES = (
    # pages
    "templates/base.html",
    "templates/_macros.html",
    "templates/errors/page.html",
    "templates/gatherings/index.html",
    "templates/gatherings/detail.html",
    "templates/gatherings/_documents.html",
    "templates/questions/_fields.html",
    "templates/registration/register.html",
    "templates/registration/_where_from.html",
    "templates/registration/receipt.html",
    "templates/registration/manage.html",
    "templates/registration/cancel.html",
    "templates/registration/request_link.html",
    "templates/registration/erase.html",
    "templates/pages/privacy.html",
    "templates/pages/accessibility.html",
    "templates/evaluations/form.html",
    "templates/evaluations/answered.html",
    "templates/evaluations/closed.html",
    # the code behind them: forms and their errors, refusals, statuses, dates
    "samlinger/forms.py",
    "samlinger/formatting.py",
    "samlinger/gatherings/views.py",
    "samlinger/gatherings/models.py",
    "samlinger/registration/views.py",
    "samlinger/registration/models.py",
    "samlinger/registration/rules.py",
    "samlinger/municipalities/models.py",
    "samlinger/registration/retention.py",
    "samlinger/documents/views.py",
    "samlinger/questions/forms.py",
    "samlinger/questions/models.py",
    "samlinger/evaluations/views.py",
    "samlinger/evaluations/models.py",
    # e-mails and the invite
    "templates/email/_layout.html",
    "templates/email/_layout.txt",
    *(f"templates/email/{name}.{ext}" for name in (
        "confirmation", "waitlisted", "promoted", "updated", "cancelled", "gathering_cancelled", "manage_link",
        "new_link", "reminder", "message", "documents_ready", "link_ready", "mode_changed", "evaluation",
        "evaluation_reminder", "_evaluation", "_evaluation_reminder") for ext in ("html", "txt")),
    "samlinger/registration/notify.py",
    "samlinger/online/notify.py",
    "samlinger/evaluations/notify.py",
    "samlinger/documents/notify.py",
    "samlinger/messaging/service.py",
    "samlinger/mail/ics.py",
)

#: the registration form and the participant's refusals live beside the organiser's, in files of their own
PARTICIPANT_PARTS = (
    "samlinger/registration/forms.py",
    "samlinger/registration/service.py",
    "samlinger/seats/rules.py",
    "samlinger/evaluations/forms.py",
    "samlinger/evaluations/service.py",
)
