"""The report page for coaches, through the test client with CSRF on and real logins:
take on, assign, decide, merge, reopen, internal notes and public updates; what the
reporter sees of it; and two coaches acting on the same report."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Event, OutboxMessage, Report, User
from app.services import workflow
from tests.factories import follower, make_department, make_report, make_support, make_user, recipient
from tests.test_board import form_fields, login, page_of, report_state

COACH = "coach@example.test"
OTHER_COACH = "dina@example.test"
REPORTER = "sanne@example.test"
ANONYMOUS = "zorro@example.test"


@pytest.fixture
def world(app):
    with app.app_context():
        department = make_department("Werk en Inkomen")
        sanne = make_user("Sanne de Vries", email=REPORTER, department=department)
        mo = make_user("Mo El Amrani", email="mo@example.test")
        zorro = make_user("Zorro Geheimzinnig", email=ANONYMOUS)
        pim = make_user("Pim Steun", email="pim@example.test")
        make_user("Cor Coach", email=COACH, roles=("employee", "coach"))
        make_user("Dina Coach", email=OTHER_COACH, roles=("employee", "coach"))
        make_user("Lot Legal", email="legal@example.test", roles=("employee", "legal"))
        make_user("Ada Admin", email="admin@example.test", roles=("employee", "admin"))
        make_user("Eva Medewerker", email="eva@example.test")
        report = make_report(
            sanne,
            rule="Huisbezoek verplicht bij elke aanvraag bijzondere bijstand",
            problem="Inwoners wachten weken op een bezoek.",
            department_id=department.id,
        )
        make_support(mo, report, "Bij ons ook, elke week")
        anonymous = make_report(
            zorro,
            rule="Huisbezoek bij bijzondere bijstand ook als alles compleet is",
            problem="Onnodig wachten.",
            anonymous=True,
        )
        make_support(pim, anonymous, "Herkenbaar")
        db.session.commit()
        return {"report": report.reference, "anonymous": anonymous.reference}


def _outbox(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (recipient(m).email, m.subject, m.body_text)
            for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def _post_from_page(client, reference: str, action: str, data: dict, page: str | None = None):
    """Fill in the form on the report page that posts to /meldingen/<ref>/<action>."""
    page = page or page_of(client.get(f"/meldingen/{reference}"))
    path = f"/meldingen/{reference}/{action}"
    return client.post(path, data={**form_fields(page, path), **data})


# --- what staff see -------------------------------------------------------------------


def test_coach_sees_supporters_and_the_actions_the_report_allows(app, world):
    client = login(app, COACH)
    page = page_of(client.get(f"/meldingen/{world['report']}"))
    assert "Mo El Amrani" in page and "Bij ons ook, elke week" in page
    for heading in (
        "Wie gaat erachteraan?",
        "Besluit",
        "Samenvoegen met een eerdere melding",
        "Berichten aan de melder",
        "Interne notities",
    ):
        assert heading in page
    assert "Heropenen" not in page  # only for an ended report
    # Candidates to merge with: the similar anonymous report, without its reporter.
    assert world["anonymous"] in page and "Zorro" not in page


@pytest.mark.parametrize("email", ["legal@example.test", "admin@example.test"])
def test_legal_and_admin_get_no_coach_actions(app, world, email):
    client = login(app, email)
    page = page_of(client.get(f"/meldingen/{world['report']}"))
    assert "Besluit vastleggen" not in page and "Ik pak hem op" not in page and "Samenvoegen" not in page
    # Legal staff write notes and updates (the workflow lets them); the administrator does not.
    assert ("Notitie opslaan" in page) == (email == "legal@example.test")
    assert ("Bericht versturen" in page) == (email == "legal@example.test")


@pytest.mark.parametrize("action", ["oppakken", "toewijzen", "besluit", "samenvoegen", "heropenen"])
@pytest.mark.parametrize("email", ["legal@example.test", "admin@example.test", "eva@example.test"])
def test_only_coaches_may_act(app, world, email, action):
    client = login(app, email)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_of(client.get("/"))).group(1)
    before = report_state(app, world["report"])
    response = client.post(
        f"/meldingen/{world['report']}/{action}",
        data={
            "csrf_token": token,
            f"{action}-version": str(before["version"]),
            "besluit-outcome": "explained",
            "besluit-explanation": "Mag niet",
            "heropenen-reason": "x",
            "toewijzen-assignee_id": "1",
        },
    )
    assert response.status_code == 403
    assert report_state(app, world["report"]) == before


def test_anonymous_supporters_are_not_named(app, world):
    coach = login(app, COACH)
    merged = _post_from_page(
        coach,
        world["anonymous"],
        "samenvoegen",
        {"samenvoegen-target": world["report"], "samenvoegen-explanation": "Dezelfde regel."},
    )
    assert merged.status_code == 303
    for email in (COACH, "legal@example.test", "admin@example.test"):
        page = page_of(login(app, email).get(f"/meldingen/{world['report']}"))
        assert "Anoniem" in page
        assert "Zorro" not in page and "Geheimzinnig" not in page
        assert "Pim Steun" in page  # an ordinary supporter stays named


# --- take on and assign ---------------------------------------------------------------


def test_take_on_from_the_report_page(app, world):
    client = login(app, COACH)
    response = _post_from_page(client, world["report"], "oppakken", {})
    assert response.status_code == 303 and response.headers["Location"] == f"/meldingen/{world['report']}"
    state = report_state(app, world["report"])
    assert state["status"] == "in_progress" and state["assignee"] == COACH
    page = page_of(client.get(response.headers["Location"]))
    assert "U gaat achter" in page and "Nu: u." in page


def test_assign_to_another_coach_queues_a_mail_for_them(app, world):
    client = login(app, COACH)
    with app.app_context():
        dina_id = db.session.scalar(db.select(User.id).where(User.email == OTHER_COACH))
    response = _post_from_page(client, world["report"], "toewijzen", {"toewijzen-assignee_id": str(dina_id)})
    assert response.status_code == 303
    state = report_state(app, world["report"])
    assert state["assignee"] == OTHER_COACH and state["status"] == "in_progress"
    mails = [m for m in _outbox(app) if m[0] == OTHER_COACH]
    assert len(mails) == 1 and mails[0][1] == f"{world['report']} is aan u toegewezen"
    assert "Dina Coach gaat achter" in page_of(client.get(f"/meldingen/{world['report']}"))


@pytest.mark.parametrize("value", ["", "999999", "abc"])
def test_assign_refuses_someone_who_is_not_a_coach(app, world, value):
    client = login(app, COACH)
    with app.app_context():
        eva_id = db.session.scalar(db.select(User.id).where(User.email == "eva@example.test"))
    before = report_state(app, world["report"])
    for choice in (value, str(eva_id)):
        response = _post_from_page(client, world["report"], "toewijzen", {"toewijzen-assignee_id": choice})
        assert response.status_code == 400
        page = page_of(response)
        assert "Kies een" in page and 'aria-invalid="true"' in page
    assert report_state(app, world["report"]) == before
    assert _outbox(app) == []


# --- decide -----------------------------------------------------------------------------


def test_decide_without_explanation_is_refused_and_keeps_the_text(app, world):
    client = login(app, COACH)
    before = report_state(app, world["report"])
    response = _post_from_page(
        client,
        world["report"],
        "besluit",
        {
            "besluit-outcome": "resolved",
            "besluit-explanation": "   ",
            "besluit-what_changed": "Het huisbezoek is <b>facultatief</b>.",
        },
    )
    assert response.status_code == 400
    page = page_of(response)
    assert "Schrijf voor de melder op wat er besloten is en waarom." in page
    assert "Het huisbezoek is &lt;b&gt;facultatief&lt;/b&gt;." in page  # kept, and escaped
    assert re.search(
        r'<textarea aria-describedby="besluit-explanation-description besluit-explanation-error" aria-invalid="true"',
        page,
    )
    assert 'href="#besluit-explanation"' in page  # the error summary links to the field
    assert re.search(r'<input checked[^>]*value="resolved"', page)
    assert report_state(app, world["report"]) == before
    assert _outbox(app) == []


def test_resolved_without_what_changed_is_refused(app, world):
    client = login(app, COACH)
    before = report_state(app, world["report"])
    response = _post_from_page(
        client,
        world["report"],
        "besluit",
        {
            "besluit-outcome": "resolved",
            "besluit-explanation": "We hebben de werkinstructie aangepast.",
            "besluit-what_changed": "",
        },
    )
    assert response.status_code == 400
    page = page_of(response)
    assert "Beschrijf wat er veranderd is." in page
    assert "We hebben de werkinstructie aangepast." in page
    assert report_state(app, world["report"]) == before


def test_decide_without_a_choice_is_refused(app, world):
    client = login(app, COACH)
    before = report_state(app, world["report"])
    for outcome in ("", "merged", "new"):
        response = _post_from_page(
            client, world["report"], "besluit", {"besluit-outcome": outcome, "besluit-explanation": "Uitleg"}
        )
        assert response.status_code == 400
        assert re.search("Kies een besluit|Kies een van de mogelijkheden", page_of(response))
    assert report_state(app, world["report"]) == before


def test_decide_resolved_tells_everyone_and_shows_on_the_results_page(app, world):
    client = login(app, COACH)
    response = _post_from_page(
        client,
        world["report"],
        "besluit",
        {
            "besluit-outcome": "resolved",
            "besluit-explanation": "De werkinstructie is aangepast.",
            "besluit-what_changed": "Een huisbezoek is alleen nog nodig als de stukken niet compleet zijn.",
        },
    )
    assert response.status_code == 303
    state = report_state(app, world["report"])
    assert state["status"] == "resolved"
    assert state["outcome"] == "Een huisbezoek is alleen nog nodig als de stukken niet compleet zijn."
    assert "Besluit vastgelegd" in page_of(client.get(response.headers["Location"]))
    told = {to for to, subject, _ in _outbox(app) if subject.startswith(world["report"])}
    assert told == {REPORTER, "mo@example.test"}
    results = page_of(client.get("/ontregeld/"))
    assert "alleen nog nodig als de stukken niet compleet zijn" in results


def test_escalation_needs_the_law_but_not_what_changed(app, world):
    client = login(app, COACH)
    before = report_state(app, world["report"])
    refused = _post_from_page(
        client,
        world["report"],
        "besluit",
        {
            "besluit-outcome": "escalated",
            "besluit-explanation": "Dit staat in de Participatiewet.",
            "besluit-law_title": " ",
            "besluit-article": "art. 52",
        },
    )
    assert refused.status_code == 400
    page = page_of(refused)
    assert "Vul in om welke wet of regeling het gaat" in page and 'href="#besluit-law_title"' in page
    assert "Dit staat in de Participatiewet." in page and 'value="art. 52"' in page
    assert report_state(app, world["report"]) == before

    bad_bwb = _post_from_page(
        client,
        world["report"],
        "besluit",
        {
            "besluit-outcome": "escalated",
            "besluit-explanation": "Landelijk.",
            "besluit-law_title": "Participatiewet",
            "besluit-bwb_id": "wetten.nl",
        },
    )
    assert bad_bwb.status_code == 400 and "BWBR0015703" in page_of(bad_bwb)
    assert report_state(app, world["report"]) == before

    response = _post_from_page(
        client,
        world["report"],
        "besluit",
        {
            "besluit-outcome": "escalated",
            "besluit-explanation": "Dit staat in de Participatiewet.",
            "besluit-what_changed": "",
            "besluit-law_title": "Participatiewet",
            "besluit-article": "art. 52",
            "besluit-bwb_id": "bwbr0015703",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.number == int(world["report"][-4:])))
        assert report.status == "escalated"
        assert (report.dossier.law_title, report.dossier.article, report.dossier.bwb_id) == (
            "Participatiewet",
            "art. 52",
            "BWBR0015703",
        )


def test_two_coaches_deciding_the_same_report_the_first_wins(app, world):
    cor = login(app, COACH)
    dina = login(app, OTHER_COACH)
    cor_page = page_of(cor.get(f"/meldingen/{world['report']}"))
    dina_page = page_of(dina.get(f"/meldingen/{world['report']}"))
    loaded = report_state(app, world["report"])["version"]
    assert f'name="besluit-version" type="hidden" value="{loaded}"' in dina_page

    first = _post_from_page(
        cor,
        world["report"],
        "besluit",
        {
            "besluit-outcome": "resolved",
            "besluit-explanation": "Cor: aangepast.",
            "besluit-what_changed": "Cor: geen huisbezoek meer.",
        },
        page=cor_page,
    )
    assert first.status_code == 303
    after_cor = report_state(app, world["report"])

    second = _post_from_page(
        dina,
        world["report"],
        "besluit",
        {
            "besluit-outcome": "explained",
            "besluit-explanation": "Dina: de regel blijft omdat fraude anders lastig is.",
        },
        page=dina_page,
    )
    assert second.status_code == 409
    page = page_of(second)
    assert "Iemand anders was u voor" in page
    assert "Deze melding is intussen gewijzigd door Cor Coach. De status is nu: Opgelost" in page
    assert "Uw wijziging is niet opgeslagen" in page
    assert "Dina: de regel blijft omdat fraude anders lastig is." in page  # her text is kept
    assert '<span class="rk-status rk-status--resolved">Opgelost</span>' in page  # the current state
    assert "Cor: aangepast." in page
    # Her form now carries the current version: sending it again is a deliberate act.
    assert f'name="besluit-version" type="hidden" value="{after_cor["version"]}"' in page

    assert report_state(app, world["report"]) == after_cor
    with app.app_context():
        decisions = db.session.scalars(
            db.select(Event.to_status)
            .join(Report)
            .where(Event.kind == "status_changed", Event.to_status.in_(workflow.DECISIONS))
        ).all()
    assert decisions == ["resolved"]


def test_a_concurrent_write_caught_by_the_database_is_a_conflict_too(app, world, monkeypatch):
    """Two workers both pass the version check; the second UPDATE finds the row changed
    (StaleDataError). Simulated by changing the version underneath the ORM."""
    client = login(app, COACH)
    page = page_of(client.get(f"/meldingen/{world['report']}"))
    before = report_state(app, world["report"])
    original = workflow.decide_report

    def racing(report, **kwargs):
        db.session.execute(
            update(Report.__table__).where(Report.__table__.c.id == report.id).values(version=report.version + 5)
        )
        return original(report, **kwargs)

    monkeypatch.setattr(workflow, "decide_report", racing)
    response = _post_from_page(
        client,
        world["report"],
        "besluit",
        {
            "besluit-outcome": "explained",
            "besluit-explanation": "Mijn uitleg die niet verloren mag gaan.",
        },
        page=page,
    )
    assert response.status_code == 409
    body = page_of(response)
    assert "Iemand anders was u voor" in body and "Mijn uitleg die niet verloren mag gaan." in body
    assert report_state(app, world["report"]) == before


def test_an_expired_token_gives_the_decide_form_back_with_the_text(app, world):
    client = login(app, COACH)
    page = page_of(client.get(f"/meldingen/{world['report']}"))
    before = report_state(app, world["report"])
    path = f"/meldingen/{world['report']}/besluit"
    response = client.post(
        path,
        data={
            **form_fields(page, path),
            "csrf_token": "verlopen",
            "besluit-outcome": "explained",
            "besluit-explanation": "Tekst die blijft staan.",
        },
    )
    assert response.status_code == 400
    body = page_of(response)
    assert "verlopen" in body and "Tekst die blijft staan." in body
    assert report_state(app, world["report"]) == before


# --- merge --------------------------------------------------------------------------------


def test_merge_moves_supporters_and_tells_everyone_involved(app, world):
    client = login(app, COACH)
    source, target = world["anonymous"], world["report"]
    # Find the target through the search on the page, and pick it.
    found = page_of(client.get(f"/meldingen/{source}?zoek=huisbezoek+bijstand"))
    assert "Gevonden" in found and f"Kies {target}" in found
    chosen = page_of(client.get(f"/meldingen/{source}?doel={target}"))
    assert f'name="samenvoegen-target" type="text" value="{target}"' in chosen
    by_reference = page_of(client.get(f"/meldingen/{source}?zoek={target}"))
    assert f"Kies {target}" in by_reference

    response = _post_from_page(
        client,
        source,
        "samenvoegen",
        {
            "samenvoegen-target": target,
            "samenvoegen-explanation": "Dit gaat over dezelfde regel.",
        },
        page=chosen,
    )
    assert response.status_code == 303
    with app.app_context():
        src = db.session.scalar(db.select(Report).where(Report.number == int(source[-4:])))
        tgt = db.session.scalar(db.select(Report).where(Report.number == int(target[-4:])))
        assert src.status == "merged" and src.duplicate_of_id == tgt.id
        supports = {follower(s).email: s for s in tgt.supports}
        # Pim's support and its note moved; the anonymous reporter follows, anonymously.
        assert supports["pim@example.test"].note == "Herkenbaar" and not supports["pim@example.test"].anonymous
        assert supports[ANONYMOUS].anonymous is True
        assert supports[ANONYMOUS].note.startswith(f"Melding {source}")
        assert "mo@example.test" in supports
        # Both timelines record it.
        assert any(e.kind == "status_changed" and e.to_status == "merged" and target in e.text for e in src.events)
        assert any(e.kind == "merged_in" and source in e.text for e in tgt.events)
    told = {to for to, subject, _ in _outbox(app)}
    assert told == {ANONYMOUS, "pim@example.test", REPORTER, "mo@example.test"}
    # The source page names the target; the target page names nobody who was anonymous.
    page = page_of(client.get(f"/meldingen/{source}"))
    assert "is samengevoegd" in page and f'href="/meldingen/{target}"' in page
    assert "Zorro" not in page_of(client.get(f"/meldingen/{target}"))


@pytest.mark.parametrize(
    "target, message",
    [
        ("RK-2026-9999", "Er is geen melding met dit nummer"),
        ("onzin", "Er is geen melding met dit nummer"),
        ("", "Vul het nummer in van de melding waarmee deze samengaat."),
        ("self", "Een melding kan niet met zichzelf worden samengevoegd."),
    ],
)
def test_merge_with_a_wrong_target_is_refused(app, world, target, message):
    client = login(app, COACH)
    before = report_state(app, world["anonymous"])
    target = world["anonymous"] if target == "self" else target
    response = _post_from_page(
        client,
        world["anonymous"],
        "samenvoegen",
        {
            "samenvoegen-target": target,
            "samenvoegen-explanation": "Mijn uitleg bij het samenvoegen.",
        },
    )
    assert response.status_code == 400
    page = page_of(response)
    assert message in page and "Mijn uitleg bij het samenvoegen." in page
    assert 'id="samenvoegen-target"' in page and 'aria-invalid="true"' in page
    assert report_state(app, world["anonymous"]) == before


# --- reopen ----------------------------------------------------------------------------


def test_reopen_needs_a_reason(app, world):
    client = login(app, COACH)
    assert (
        _post_from_page(
            client,
            world["report"],
            "besluit",
            {
                "besluit-outcome": "explained",
                "besluit-explanation": "De regel blijft.",
            },
        ).status_code
        == 303
    )
    page = page_of(client.get(f"/meldingen/{world['report']}"))
    assert "Heropenen" in page and "Besluit vastleggen" not in page
    ended = report_state(app, world["report"])

    refused = _post_from_page(client, world["report"], "heropenen", {"heropenen-reason": ""}, page=page)
    assert refused.status_code == 400
    assert "Schrijf op waarom de melding weer open gaat." in page_of(refused)
    assert report_state(app, world["report"]) == ended

    response = _post_from_page(
        client, world["report"], "heropenen", {"heropenen-reason": "Nieuwe feiten van de inwoner."}, page=page
    )
    assert response.status_code == 303
    state = report_state(app, world["report"])
    assert state["status"] == "in_progress"
    with app.app_context():
        kinds = db.session.scalars(db.select(Event.kind).order_by(Event.id.desc()).limit(2)).all()
    assert "reopened" in kinds
    assert any(subject == f"{world['report']}: heropend" for _, subject, _ in _outbox(app))


def test_reopen_of_an_open_report_is_refused(app, world):
    client = login(app, COACH)
    before = report_state(app, world["report"])
    page = page_of(client.get(f"/meldingen/{world['report']}"))
    token = form_fields(page, f"/meldingen/{world['report']}/besluit")["csrf_token"]
    response = client.post(
        f"/meldingen/{world['report']}/heropenen",
        data={"csrf_token": token, "heropenen-version": str(before["version"]), "heropenen-reason": "Waarom niet"},
    )
    assert response.status_code == 400
    assert "Alleen een afgeronde melding kan worden heropend." in page_of(response)
    assert report_state(app, world["report"]) == before


# --- internal notes and public updates ------------------------------------------------


NOTE = "Intern: navragen bij de teamleider of dit vaker speelt."
UPDATE = "We bespreken dit volgende week met de afdeling Werk en Inkomen."


def test_internal_notes_are_never_shown_to_the_reporter(app, world):
    coach = login(app, COACH)
    response = _post_from_page(coach, world["report"], "notitie", {"notitie-text": NOTE})
    assert response.status_code == 303 and response.headers["Location"].endswith("#notities")
    assert NOTE in page_of(coach.get(f"/meldingen/{world['report']}"))
    assert NOTE in page_of(login(app, "legal@example.test").get(f"/meldingen/{world['report']}"))
    # Nobody outside coaches and legal reads it: not the reporter, a supporter or the administrator.
    reporter = login(app, REPORTER)
    for path in (f"/meldingen/{world['report']}", "/mijn-meldingen"):
        page = page_of(reporter.get(path))
        assert world["report"] in page and NOTE not in page
    assert NOTE not in page_of(login(app, "mo@example.test").get("/mijn-meldingen"))
    assert NOTE not in page_of(login(app, "admin@example.test").get(f"/meldingen/{world['report']}"))
    assert _outbox(app) == []  # a note mails nobody


def test_legal_staff_can_write_a_note(app, world):
    legal = login(app, "legal@example.test")
    response = _post_from_page(legal, world["report"], "notitie", {"notitie-text": NOTE})
    assert response.status_code == 303
    assert NOTE in page_of(login(app, COACH).get(f"/meldingen/{world['report']}"))


def test_an_empty_note_is_refused(app, world):
    coach = login(app, COACH)
    before = report_state(app, world["report"])
    response = _post_from_page(coach, world["report"], "notitie", {"notitie-text": "  "})
    assert response.status_code == 400 and "Schrijf een notitie." in page_of(response)
    assert report_state(app, world["report"]) == before


def test_a_public_update_is_shown_to_the_reporter_and_mailed(app, world):
    coach = login(app, COACH)
    response = _post_from_page(coach, world["report"], "bericht", {"bericht-text": UPDATE})
    assert response.status_code == 303
    reporter = login(app, REPORTER)
    assert UPDATE in page_of(reporter.get(f"/meldingen/{world['report']}"))
    assert UPDATE in page_of(reporter.get("/mijn-meldingen"))
    mails = {to: body for to, subject, body in _outbox(app) if subject == f"{world['report']}: nieuw bericht"}
    assert set(mails) == {REPORTER, "mo@example.test"}
    assert UPDATE in mails[REPORTER]
