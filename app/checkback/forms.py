"""The answer to 'Merkbaar beter?'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length

from app.forms import TOO_LONG, BaseForm, Required
from app.models.checkback import ANSWER_LABELS
from app.models.report import TEXT_MAX


class CheckbackForm(BaseForm):
    answer = RadioField(
        _l("Merkt u in uw werk dat het nu beter gaat?"),
        choices=[SelectChoice(code, _l(label)) for code, label in ANSWER_LABELS.items()],
        validators=[Required(_l("Kies ja, nee of weet ik niet."))],
    )
    comment = TextAreaField(
        _l("Toelichting"),
        description=_l(
            "Wat merkt u ervan, of waarom niet? Alleen de ontregelcoaches en Juridische Zaken lezen dit. "
            "Schrijf er geen namen of gegevens van inwoners in."
        ),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )
