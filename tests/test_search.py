"""Similar-report search, on whichever database the suite runs (SQLite FTS5 or
PostgreSQL full text): word forms and typos find each other; the index follows edits."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import ReportStatus
from app.search import find_similar, normalize, significant_words, similarity, words_match
from tests.factories import make_report, make_user


@pytest.fixture
def reports(app):
    with app.app_context():
        reporter = make_user()
        made = {
            "dakkapel": make_report(
                reporter,
                rule="Dakkapel vraagt volledige vergunningprocedure",
                problem="Ook als alle buren akkoord zijn duurt het acht weken.",
            ),
            "bijstand": make_report(
                reporter,
                rule="Bijstandsaanvraag: hetzelfde verhaal aan drie afdelingen",
                problem="De inwoner vertelt bij elke aanvraag opnieuw zijn situatie.",
            ),
            "paspoort": make_report(
                reporter,
                rule="Afspraak voor paspoort alleen online",
                problem="Inwoners zonder computer kunnen geen afspraak maken.",
            ),
        }
        ids = {key: report.id for key, report in made.items()}
        db.session.commit()
    return ids


def _ids(query: str) -> list[int]:
    return [item.report.id for item in find_similar(query)]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("dakkapel vergunning", "dakkapel"),
        ("vergunningen voor een dakapel", "dakkapel"),  # plural and a typo
        ("Dakkapellen", "dakkapel"),
        ("aanvragen bijstand", "bijstand"),  # aanvraag / aanvragen
        ("verhalen afdeling", "bijstand"),
        ("paspoorten online afspraak", "paspoort"),
    ],
)
def test_word_forms_and_typos_find_the_report(app, reports, query, expected):
    with app.app_context():
        found = _ids(query)
        assert found and found[0] == reports[expected], (query, found)


def test_unrelated_words_find_nothing(app, reports):
    with app.app_context():
        assert _ids("kenteken parkeren") == []
        assert _ids("zwembad openingstijden") == []
        assert _ids("de het een") == []  # only stop words


def test_closed_reports_are_not_offered(app, reports):
    with app.app_context():
        from app.models import Report

        report = db.session.get(Report, reports["dakkapel"])
        report.status = ReportStatus.RESOLVED.value
        db.session.commit()
        assert reports["dakkapel"] not in _ids("dakkapel vergunning")


def test_index_follows_an_edit_of_the_rule(app, reports):
    with app.app_context():
        from app.models import Report

        report = db.session.get(Report, reports["paspoort"])
        report.rule = "Rijbewijs verlengen vraagt een pasfoto"
        db.session.commit()
        assert reports["paspoort"] in _ids("rijbewijs pasfoto")
        assert reports["paspoort"] not in _ids("paspoort online afspraak")


def test_at_most_five_with_supporter_counts(app):
    with app.app_context():
        reporter = make_user()
        supporter = make_user()
        made = [make_report(reporter, rule=f"Parkeervergunning regel nummer {i}", problem="x") for i in range(7)]
        from tests.factories import make_support

        make_support(supporter, made[6])
        db.session.commit()
        results = find_similar("parkeervergunning regel")
        assert len(results) == 5
        counts = {item.report.id: item.supporters for item in results}
        # Equally similar reports come newest first.
        assert counts[made[6].id] == 1
        assert sum(counts.values()) == 1


def test_normalisation_and_word_matching():
    assert normalize("Geëscaleerd") == "geescaleerd"
    assert significant_words("De regels van het UWV") == ["regels", "uwv"]
    assert words_match("regel", "regels")
    assert words_match("aanvraag", "aanvragen")
    assert words_match("dakapel", "dakkapel")
    assert not words_match("regel", "vogel")
    assert similarity(["dakkapel"], "Dakkapel", "") == 1.0
    assert similarity(["dakkapel"], "Iets anders", "over een dakkapel") == 0.5
