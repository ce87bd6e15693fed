"""Wat we ontregelden: every employee sees the rules that were fixed, newest first, with
what changed; never who reported them."""

from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.models.base import utcnow
from app.services import workflow
from app.services.dossiers import LegalReference
from tests.factories import make_department, make_report, make_support, make_user
from tests.test_board import login, page_of


def _world(app, extra_resolved: int = 0) -> dict:
    now = utcnow()
    with app.app_context():
        department = make_department("Burgerzaken")
        sanne = make_user("Sanne de Vries", email="sanne@example.test")
        zorro = make_user("Zorro Geheimzinnig", email="zorro@example.test")
        mo = make_user("Mo El Amrani", email="mo@example.test")
        pim = make_user("Pim Steun", email="pim@example.test")
        coach = make_user("Cor Coach", email="coach@example.test", roles=("employee", "coach"))
        make_user("Eva Medewerker", email="eva@example.test")

        older = make_report(
            sanne, rule="Handtekening op papier bij verhuizing", problem="Dubbel werk.", department_id=department.id
        )
        workflow.decide_report(
            older,
            actor=coach,
            outcome="resolved",
            explanation="De werkinstructie is aangepast.",
            what_changed="Digitaal ondertekenen is voortaan genoeg.",
        )
        older.resolved_at = now - timedelta(days=10)
        newer = make_report(zorro, rule="Uittreksel BRP voor de eigen gemeente", problem="Leges.", anonymous=True)
        make_support(mo, newer)
        make_support(pim, newer)
        workflow.decide_report(
            newer,
            actor=coach,
            outcome="resolved",
            explanation="Wij gebruiken de BRP zelf.",
            what_changed="Geen uittreksel meer nodig <script>x</script>.",
        )
        explained = make_report(sanne, rule="Regel die blijft bestaan", problem="Lastig.")
        workflow.decide_report(explained, actor=coach, outcome="explained", explanation="Wettelijk verplicht.")
        escalated = make_report(sanne, rule="Landelijke regel naar Den Haag", problem="Wet.")
        workflow.decide_report(
            escalated,
            actor=coach,
            outcome="escalated",
            explanation="Geagendeerd.",
            legal=LegalReference("Participatiewet"),
        )
        still_open = make_report(sanne, rule="Regel die nog open staat", problem="Nog bezig.")
        for i in range(extra_resolved):
            report = make_report(sanne, rule=f"Extra opgeloste regel {i:02d}", problem="x")
            workflow.decide_report(
                report, actor=coach, outcome="resolved", explanation="Ja.", what_changed=f"Veranderd {i:02d}."
            )
            report.resolved_at = now - timedelta(days=100 + i)
        db.session.commit()
        return {
            "older": older.reference,
            "newer": newer.reference,
            "explained": explained.reference,
            "escalated": escalated.reference,
            "open": still_open.reference,
        }


def test_only_resolved_reports_with_what_changed_newest_first(app):
    world = _world(app)
    response = login(app, "eva@example.test").get("/ontregeld/")
    assert response.status_code == 200
    page = page_of(response)
    assert '<h1 class="utrecht-heading-1">Wat we ontregelden</h1>' in page
    assert page.index("Uittreksel BRP voor de eigen gemeente") < page.index("Handtekening op papier bij verhuizing")
    assert "Digitaal ondertekenen is voortaan genoeg." in page and "De werkinstructie is aangepast." in page
    assert "Geen uittreksel meer nodig &lt;script&gt;x&lt;/script&gt;." in page
    for other in ("Regel die blijft bestaan", "Landelijke regel naar Den Haag", "Regel die nog open staat"):
        assert other not in page
    newer = re.search(rf'id="melding-{world["newer"]}".*?</li>', page, re.S).group(0)
    assert "3 collega’s liepen hier tegenaan" in newer  # the reporter and two supporters
    older = re.search(rf'id="melding-{world["older"]}".*?</li>', page, re.S).group(0)
    assert "Burgerzaken" in older and "1 collega liep hier tegenaan" in older
    assert "<strong>2</strong> regels ontregeld" in page


def test_no_reporter_is_named(app):
    _world(app)
    page = page_of(login(app, "coach@example.test").get("/ontregeld/"))
    for name in ("Zorro", "Geheimzinnig", "Sanne de Vries", "Mo El Amrani", "Pim Steun"):
        assert name not in page


def test_everyone_logged_in_finds_it_in_the_menu(app):
    _world(app)
    page = page_of(login(app, "eva@example.test").get("/"))
    assert re.search(r'<a href="/ontregeld/"[^>]*>Wat we ontregelden</a>', page)
    anonymous = app.test_client().get("/ontregeld/")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/inloggen")


def test_empty_state(app):
    with app.app_context():
        make_user("Eva Medewerker", email="eva@example.test")
        db.session.commit()
    page = page_of(login(app, "eva@example.test").get("/ontregeld/"))
    assert "Nog niets ontregeld" in page and 'href="/melden"' in page


def test_pages_of_twenty_with_a_link_to_more(app):
    _world(app, extra_resolved=25)
    client = login(app, "eva@example.test")
    first = page_of(client.get("/ontregeld/"))
    assert first.count('class="rk-card rk-result"') == 20
    assert 'href="/ontregeld/?pagina=2">Meer ontregelde regels</a>' in first
    second = page_of(client.get("/ontregeld/?pagina=2"))
    assert second.count('class="rk-card rk-result"') == 7
    assert "Meer ontregelde regels</a>" not in second and "Extra opgeloste regel 24" in second
    for bad in ("abc", "0", "-1", "99999", "1.5", "%00", "9" * 50):
        response = client.get(f"/ontregeld/?pagina={bad}")
        assert response.status_code == 200, bad
