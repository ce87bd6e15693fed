"""The workflow: the one transition table, who may move what, events and mail in the
same transaction, and no silent overwrite between two coaches."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Event, OutboxMessage, Report, Support
from app.services import DomainError
from app.services.dossiers import LegalReference
from app.services.workflow import (
    TRANSITIONS,
    ConflictError,
    add_note,
    assign_report,
    decide_report,
    merge_report,
    post_update,
    reopen_report,
    take_on,
)
from tests.factories import follower, make_report, make_support, make_user, recipient


@pytest.fixture
def world(app):
    with app.app_context():
        people = {
            "reporter": make_user("Sanne Melder"),
            "supporter": make_user("Mo Steuner"),
            "coach": make_user("Eva Coach", roles=("employee", "coach")),
            "coach2": make_user("Daan Coach", roles=("employee", "coach")),
            "legal": make_user("Fatima Jurist", roles=("employee", "legal")),
        }
        report = make_report(people["reporter"], rule="Dakkapel vergunning")
        make_support(people["supporter"], report, "ook bij ons")
        db.session.commit()
        ids = {name: user.id for name, user in people.items()}
        ids["report"] = report.id
    return ids


def _load(ids):
    from app.models import User

    return {name: db.session.get(Report if name == "report" else User, value) for name, value in ids.items()}


def _mails(to_user_id=None):
    stmt = db.select(OutboxMessage)
    if to_user_id is not None:
        stmt = stmt.where(OutboxMessage.to_user_id == to_user_id)
    return db.session.scalars(stmt).all()


def test_only_coaches_move_reports(app, world):
    with app.app_context():
        w = _load(world)
        for who in ("reporter", "legal"):
            with pytest.raises(DomainError, match="ontregelcoaches"):
                take_on(w["report"], w[who])
        with pytest.raises(DomainError, match="ontregelcoaches"):
            decide_report(w["report"], actor=w["legal"], outcome="explained", explanation="x")
        assert w["report"].status == "new"
    assert all(roles == {"coach"} for roles in TRANSITIONS.values())


def test_take_on_moves_to_in_progress_records_and_tells_followers(app, world):
    with app.app_context():
        w = _load(world)
        take_on(w["report"], w["coach"])
        db.session.commit()
        assert w["report"].status == "in_progress" and w["report"].assignee_id == w["coach"].id
        kinds = [(e.kind, e.to_status) for e in w["report"].events]
        assert ("assigned", None) in kinds and ("status_changed", "in_progress") in kinds
        assert len(_mails(w["reporter"].id)) == 1 and len(_mails(w["supporter"].id)) == 1
        # The coach took it on themselves: no "assigned to you" mail.
        assert _mails(w["coach"].id) == []


def test_assigning_to_another_coach_mails_them(app, world):
    with app.app_context():
        w = _load(world)
        assign_report(w["report"], w["coach2"], actor=w["coach"])
        db.session.commit()
        mails = _mails(w["coach2"].id)
        assert len(mails) == 1 and "toegewezen" in mails[0].subject
        with pytest.raises(DomainError, match="Kies een ontregelcoach"):
            assign_report(w["report"], w["legal"], actor=w["coach"])


@pytest.mark.parametrize("outcome", ["resolved", "escalated", "explained"])
def test_ending_needs_an_explanation(app, world, outcome):
    with app.app_context():
        w = _load(world)
        with pytest.raises(DomainError) as error:
            decide_report(w["report"], actor=w["coach"], outcome=outcome, explanation="  ", what_changed="x")
        assert error.value.field == "explanation"
        db.session.rollback()
        w = _load(world)
        assert w["report"].status == "new"
        decide_report(
            w["report"],
            actor=w["coach"],
            outcome=outcome,
            explanation="Omdat het kan.",
            what_changed="Formulier aangepast",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 31"),
        )
        db.session.commit()
        assert w["report"].status == outcome and w["report"].explanation == "Omdat het kan."
        # Decided from Nieuw: the deciding coach took it on first, and both steps are recorded.
        steps = [(e.from_status, e.to_status) for e in w["report"].events if e.kind == "status_changed"]
        assert steps == [("new", "in_progress"), ("in_progress", outcome)]


def test_resolved_also_records_what_changed(app, world):
    with app.app_context():
        w = _load(world)
        take_on(w["report"], w["coach"])
        with pytest.raises(DomainError) as error:
            decide_report(w["report"], actor=w["coach"], outcome="resolved", explanation="Opgelost.", what_changed="")
        assert error.value.field == "what_changed"
        decide_report(
            w["report"],
            actor=w["coach"],
            outcome="resolved",
            explanation="Opgelost.",
            what_changed="Werkinstructie aangepast",
        )
        db.session.commit()
        assert w["report"].outcome == "Werkinstructie aangepast" and w["report"].resolved_at is not None


def test_reopen_is_possible_and_recorded(app, world):
    with app.app_context():
        w = _load(world)
        decide_report(w["report"], actor=w["coach"], outcome="explained", explanation="De wet schrijft het voor.")
        with pytest.raises(DomainError):
            reopen_report(w["report"], actor=w["coach"], reason="")
        reopen_report(w["report"], actor=w["coach2"], reason="Er is nieuwe informatie.")
        db.session.commit()
        assert w["report"].status == "in_progress"
        assert any(e.kind == "reopened" and e.text == "Er is nieuwe informatie." for e in w["report"].events)
        with pytest.raises(DomainError, match="afgeronde"):
            reopen_report(w["report"], actor=w["coach"], reason="nog eens")


def test_the_first_steps_are_kept_once_for_the_lead_times(app, world):
    """Inzicht's lead times: when a report first left Nieuw and first ended; a reopening
    and a second decision change neither."""
    with app.app_context():
        w = _load(world)
        report = w["report"]
        assert (report.taken_on_at, report.decided_at) == (None, None)
        take_on(report, w["coach"])
        taken = report.taken_on_at
        assert taken is not None and report.decided_at is None
        decide_report(report, actor=w["coach"], outcome="explained", explanation="De wet schrijft het voor.")
        decided = report.decided_at
        assert decided is not None and decided >= taken
        reopen_report(report, actor=w["coach"], reason="Er is nieuwe informatie.")
        decide_report(report, actor=w["coach"], outcome="explained", explanation="Toch niet anders.")
        db.session.commit()
        assert (report.taken_on_at, report.decided_at) == (taken, decided)
        # Decided straight from Nieuw: taken on by that decision.
        other = make_report(make_user("Tweede Melder"))
        decide_report(other, actor=w["coach"], outcome="explained", explanation="Zo is het geregeld.")
        assert other.taken_on_at is not None and other.decided_at is not None
        assert other.decided_at - other.taken_on_at < timedelta(seconds=5)


def test_merge_moves_supporters_and_keeps_an_anonymous_reporter_hidden(app, world):
    with app.app_context():
        w = _load(world)
        target_reporter = make_user("Eerste Melder")
        target = make_report(target_reporter, rule="Dakkapel: volledige procedure")
        secret = make_user("Geheime Melder")
        duplicate = make_report(secret, rule="Dakkapel weer", anonymous=True)
        make_support(w["supporter"], duplicate, "noot van Mo")
        db.session.flush()
        with pytest.raises(DomainError, match="zichzelf"):
            merge_report(duplicate, duplicate, actor=w["coach"], explanation="x")
        merge_report(duplicate, target, actor=w["coach"], explanation="Zelfde regel als de eerdere melding.")
        db.session.commit()
        assert duplicate.status == "merged" and duplicate.duplicate_of_id == target.id
        rows = db.session.scalars(db.select(Support).where(Support.report_id == target.id))
        supports = {follower(s).id: s for s in rows}
        assert supports[w["supporter"].id].note == "noot van Mo"
        assert supports[secret.id].anonymous is True
        assert any(e.kind == "merged_in" for e in target.events)
        told = {recipient(m).id for m in _mails()}
        assert {secret.id, w["supporter"].id, target_reporter.id} <= told
        with pytest.raises(DomainError, match="al samengevoegd"):
            merge_report(w["report"], duplicate, actor=w["coach"], explanation="x")


def test_notes_are_internal_and_updates_public(app, world):
    with app.app_context():
        w = _load(world)
        add_note(w["report"], actor=w["legal"], text="Intern: bel de afdeling.")
        post_update(w["report"], actor=w["coach"], text="We zoeken het uit.")
        with pytest.raises(DomainError):
            add_note(w["report"], actor=w["reporter"], text="mag niet")
        db.session.commit()
        events = {e.text: e for e in w["report"].events}
        assert events["Intern: bel de afdeling."].is_public is False
        assert events["We zoeken het uit."].is_public is True
        assert any("nieuw bericht" in m.subject for m in _mails(w["reporter"].id))
        assert not any("Intern" in m.body_text for m in _mails())


def test_a_form_loaded_before_a_change_cannot_overwrite_it(app, world):
    with app.app_context():
        w = _load(world)
        loaded_version = w["report"].version
        take_on(w["report"], w["coach"], expected_version=loaded_version)
        db.session.commit()
    with app.app_context():
        w = _load(world)
        with pytest.raises(ConflictError) as error:
            decide_report(
                w["report"], actor=w["coach2"], outcome="explained", explanation="x", expected_version=loaded_version
            )
        assert "In behandeling" in error.value.message and "Eva Coach" in error.value.message


def test_two_coaches_at_the_same_moment_one_wins(app, world):
    """Both loaded the page at version v; both submit at once, each in its own transaction.
    (SQLite serialises the two; PostgreSQL runs them side by side and the version column
    stops the second UPDATE.)"""
    with app.app_context():
        version = db.session.get(Report, world["report"]).version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(coach_key: str, explanation: str) -> None:
        from sqlalchemy.orm.exc import StaleDataError

        barrier.wait()
        with app.app_context():
            w = _load(world)
            try:
                decide_report(
                    w["report"],
                    actor=w[coach_key],
                    outcome="explained",
                    explanation=explanation,
                    expected_version=version,
                )
                db.session.commit()
                outcomes[coach_key] = "won"
            except (ConflictError, StaleDataError):
                db.session.rollback()
                outcomes[coach_key] = "conflict"

    threads = [threading.Thread(target=decide, args=(key, f"Uitleg van {key}")) for key in ("coach", "coach2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["conflict", "won"]
    winner = next(key for key, value in outcomes.items() if value == "won")
    with app.app_context():
        report = db.session.get(Report, world["report"])
        assert report.explanation == f"Uitleg van {winner}"
        endings = db.session.scalars(
            db.select(Event).where(Event.report_id == report.id, Event.to_status == "explained")
        ).all()
        assert len(endings) == 1
