"""The answer to 'Merkbaar beter?'."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length

from app.forms import TOO_LONG, BaseForm, Required
from app.models.checkback import ANSWER_LABELS
from app.models.report import TEXT_MAX


class CheckbackForm(BaseForm):
    answer = RadioField(
        "Merkt u in uw werk dat het nu beter gaat?",
        choices=[SelectChoice(code, label) for code, label in ANSWER_LABELS.items()],
        validators=[Required("Kies ja, nee of weet ik niet.")],
    )
    comment = TextAreaField(
        "Toelichting",
        description=(
            "Wat merkt u ervan, of waarom niet? Alleen de ontregelcoaches en Juridische Zaken lezen dit. "
            "Schrijf er geen namen of gegevens van inwoners in."
        ),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )
