"""The forms for attaching presentations."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectChoice, StringField, URLField
from wtforms.validators import InputRequired, Optional, Regexp

from ..forms import Form, at_most, one_line, strip


class _DocumentForm(Form):
    title = StringField(_l("Title (Bokmål)"), filters=[strip], validators=[Optional(), at_most(200), one_line])
    title_nn = StringField(_l("Title (Nynorsk)"), filters=[strip], validators=[Optional(), at_most(200), one_line])
    speaker = StringField(_l("Speaker (optional)"), filters=[strip], validators=[Optional(), at_most(200), one_line])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.title.data or self.title_nn.data):
            self.title.errors.append(_l("Give the presentation a title in Bokmål or Nynorsk, or both."))
            return False
        return valid

    def titles(self) -> dict:
        return {"title": self.title.data or "", "title_nn": self.title_nn.data or ""}


class UploadForm(_DocumentForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to upload."))])


class LinkForm(_DocumentForm):
    url = URLField(_l("Address (URL)"), filters=[strip], validators=[
        InputRequired(_l("Enter the address of the presentation.")),
        at_most(1000),
        Regexp(r"^https?://[^\s/]+\.[^\s]*$", message=_l("Enter a full address starting with https://.")),
    ])


class VisibilityForm(Form):
    visibility = RadioField(_l("Who can see the presentations"), choices=[
        SelectChoice("public", _l("Everyone, on the gathering's page")),
        SelectChoice("participants", _l("Only confirmed participants, through their personal link")),
    ])
