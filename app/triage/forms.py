"""Forms of the weekly session: who is present, and one small form per action on an item."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import Length

from app.forms import TOO_LONG, BaseForm, CheckboxList, Required, VersionedForm
from app.models.report import REFERENCE_MAX
from app.reports.forms import DecideForm as ReportDecideForm
from app.reports.forms import MergeForm as ReportMergeForm
from app.services.reports import typed_reference


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        # An unknown choice, not a server error: validate_choice reports it.
        return -1


class _CoachChoices:
    def set_coaches(self, field, coaches, *, empty: str | None = None) -> None:
        choices = [SelectChoice(coach.id, coach.name) for coach in coaches]
        field.choices = ([SelectChoice(None, empty)] if empty else []) + choices


class AttendeesForm(BaseForm, _CoachChoices):
    attendees = CheckboxList(
        _l("Wie zijn er aanwezig?"),
        coerce=int,
        description=_l("Wie het overleg start of de lijst aanpast, staat er zelf altijd op."),
    )

    def __init__(self, *args, coaches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_coaches(self.attendees, coaches)


class StartForm(AttendeesForm):
    pass


class _ItemForm(VersionedForm):
    """An action on the item under discussion, made against the report version on the page."""


class TakeOnForm(_ItemForm):
    pass


class SkipForm(BaseForm):
    """Leave the item for now: nothing about the report changes, so no version."""


class AssignForm(_ItemForm, _CoachChoices):
    assignee_id = SelectField(
        _l("Wie gaat erachteraan?"),
        coerce=_optional_int,
        validators=[Required(_l("Kies wie erachteraan gaat."))],
    )

    def __init__(self, *args, coaches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_coaches(self.assignee_id, coaches, empty=_l("Kies een ontregelcoach"))


class DecideForm(ReportDecideForm):
    """The same decision as on the report page (outcome, explanation, what changed, and the
    law for an escalation), here for the item under discussion."""


class MergeForm(ReportMergeForm):
    """The same merge as on the report page, here for the item under discussion, in two
    steps: the coach sees the chosen report's title and status first, and confirms that
    report (`confirm` carries the reference they saw)."""

    confirm = HiddenField(validators=[Length(max=REFERENCE_MAX, message=TOO_LONG)])

    @property
    def confirmed(self) -> bool:
        confirm = typed_reference(self.confirm.data)
        return confirm is not None and confirm == typed_reference(self.target.data)

    def validate(self, extra_validators=None) -> bool:
        if not self.confirmed:
            # The first step only shows the chosen report: the explanation may wait.
            self.explanation.validators = [v for v in self.explanation.validators if not isinstance(v, Required)]
        return super().validate(extra_validators)


class UndoForm(VersionedForm):
    """Undo the session's decision on an item, against the report version on the page."""


class EndForm(BaseForm):
    pass
