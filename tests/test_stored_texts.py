"""Texts Rode Knop itself writes into the database — timeline lines of the workflow and the
weekly session, a session item's decision — stay Dutch where they are stored (the API,
webhooks and exports read them as they always were) and are shown in the reader's language
(app.i18n.StoredText). What a person typed inside them stays as it is."""

from __future__ import annotations

from flask_babel import force_locale

from app.extensions import db
from app.i18n import StoredText, shown_text
from app.models import Report, TriageItem
from app.services.dossiers import LegalReference
from app.services.reports import FORGOTTEN_LINK, FORGOTTEN_REPORTER
from app.services.triage import DECIDED_MERGED, UNDONE, handle_item, start_session, undo_item
from app.services.workflow import MERGED_INTO, assign_report, decide_report, merge_report, take_on
from tests.factories import make_report, make_user


def _texts(report: Report) -> list[str]:
    db.session.refresh(report)
    return [event.text for event in report.events if event.text]


def test_workflow_lines_are_stored_dutch_and_shown_in_english(app):
    with app.app_context():
        reporter = make_user("Sara Reporter")
        coach = make_user("Cas Coach", roles=("employee", "coach"))
        other = make_user("Bo Coach", roles=("employee", "coach"))
        hidden = make_report(reporter, rule="Formulier Q1", problem="Probleem Q1", anonymous=True)
        take_on(hidden, coach)
        assign_report(hidden, other, actor=coach)
        decide_report(
            hidden,
            actor=other,
            outcome="escalated",
            explanation="Zelf getypt Q2.",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
        )
        earlier = make_report(reporter, rule="Formulier Q3", problem="Probleem Q3")
        later = make_report(reporter, rule="Formulier Q3", problem="Probleem Q4")
        merge_report(later, earlier, actor=coach, explanation="Zelf getypt Q5.")
        db.session.commit()
        stored = _texts(hidden) + _texts(later) + _texts(earlier)
        assert stored == [
            "Anoniem gemeld.",
            "Cas Coach gaat erachteraan.",
            "Bo Coach gaat erachteraan.",
            "Zelf getypt Q2.\n\nWetsartikel: Participatiewet, art. 22a",
            f"Samengevoegd met {earlier.reference}. Zelf getypt Q5.",
            f"Melding {later.reference} (Formulier Q3) is met deze melding samengevoegd.",
        ]
        with app.test_request_context(), force_locale("en"):
            assert [shown_text(text) for text in stored] == [
                "Reported anonymously.",
                "Cas Coach follows it up.",
                "Bo Coach follows it up.",
                "Zelf getypt Q2.\n\nLaw article: Participatiewet, art. 22a",
                f"Merged with {earlier.reference}. Zelf getypt Q5.",
                f"Report {later.reference} (Formulier Q3) was merged with this report.",
            ]
        with app.test_request_context(), force_locale("nl"):
            assert [shown_text(text) for text in stored] == stored


def test_the_weekly_sessions_decision_and_its_undo_in_the_readers_language(app):
    """A decision kept in the minutes and the line its undo writes (which holds the decision
    and a status label, both translated too)."""
    with app.app_context():
        coach = make_user("Cas Coach", roles=("employee", "coach"))
        report = make_report(make_user("Sara Reporter"), rule="Formulier Q6", problem="Probleem Q6")
        db.session.commit()
        session = start_session(coach)
        item = db.session.scalars(db.select(TriageItem).where(TriageItem.report_id == report.id)).one()
        handle_item(item, coach, "decide", outcome="explained", explanation="Zelf getypt Q7.")
        db.session.commit()
        decision = item.decision
        assert decision == "Uitgelegd: Zelf getypt Q7."
        undo_item(item, coach)
        db.session.commit()
        undone = _texts(report)[-1]
        assert undone == "In het weekoverleg ongedaan gemaakt: Uitgelegd: Zelf getypt Q7. De status is weer: Nieuw."
        with app.test_request_context(), force_locale("en"):
            assert shown_text(decision) == "Explained: Zelf getypt Q7."
            assert (
                shown_text(undone)
                == "Undone in the weekly session: Explained: Zelf getypt Q7. The status is again: New."
            )
        assert session.id


def test_the_retention_lines_are_stored_texts(app):
    with app.app_context(), app.test_request_context(), force_locale("en"):
        assert shown_text(FORGOTTEN_REPORTER) == "Retention period ended: who made this report is no longer recorded."
        assert shown_text(FORGOTTEN_LINK).startswith("Retention period ended: the link between")


def test_the_pattern_with_more_of_its_own_words_wins(app):
    """'Samengevoegd met RK-1' (a decision) also matches the start of 'Samengevoegd met RK-1.
    Omdat …' (a timeline line): the longer text is the one meant, whatever the order the
    texts were defined in."""
    line = MERGED_INTO.store(reference="RK-2026-0001", explanation="Omdat Q8.")
    assert DECIDED_MERGED.pattern.match(line), "the shorter pattern matches too: the test tests nothing"
    assert StoredText._all.index(MERGED_INTO) < StoredText._all.index(DECIDED_MERGED)
    assert StoredText._all.index(UNDONE) < StoredText._all.index(DECIDED_MERGED)
    with app.test_request_context(), force_locale("en"):
        assert shown_text(line) == "Merged with RK-2026-0001. Omdat Q8."
