"""Similar-report search, on whichever database the suite runs (SQLite FTS5 or
PostgreSQL full text): word forms and typos find each other; the index follows edits."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import ReportStatus
from app.search import find_similar, normalize, significant_words, similarity, stem, terms, words_match
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


def test_normalisation_stemming_and_word_matching():
    assert normalize("Geëscaleerd") == "geescaleerd"
    assert significant_words("De regels van het UWV") == ["regels", "uwv"]
    # Snowball for Dutch: word forms become one term.
    assert terms("aanvragen aanvraag") == ["aanvraag"]
    assert terms("regels regel") == ["regel"]
    assert terms("Dakkapellen") == ["dakkapel"]
    # Typos and compounds, decided on terms (RapidFuzz for the typos).
    assert words_match("dakapel", "dakkapel")
    assert words_match("regel", "regeling")
    assert words_match(stem("vergunning"), stem("parkeervergunning"))
    assert words_match(stem("vergunningprocedure"), stem("vergunning"))
    assert not words_match("regel", "vogel")
    assert not words_match("wacht", "acht")  # a typo is never in the first letter
    assert similarity("dakkapel", "Dakkapel", "") == 1.0
    assert similarity("dakkapel", "Iets anders", "over een dakkapel") == 0.5


def test_a_single_word_with_a_typo_finds_the_report(app, reports):
    with app.app_context():
        assert _ids("dakapel") == [reports["dakkapel"]]
        assert _ids("paspport") == [reports["paspoort"]]


@pytest.mark.parametrize(
    "query, expected",
    [("aanvragen", "bijstand"), ("aanvraag", "bijstand"), ("regels", "regels"), ("regel", "regels")],
)
def test_word_forms_find_each_other(app, reports, query, expected):
    with app.app_context():
        reporter = make_user()
        extra = make_report(reporter, rule="Regel voor de markt", problem="Standplaats per kwartaal.")
        db.session.commit()
        ids = {**reports, "regels": extra.id}
        assert ids[expected] in _ids(query), query


def test_compound_words_are_found_by_their_part(app, reports):
    with app.app_context():
        reporter = make_user()
        parking = make_report(reporter, rule="Parkeervergunning alleen op papier", problem="Langskomen.")
        db.session.commit()
        assert parking.id in _ids("vergunning")


def test_the_work_per_search_is_bounded(app, monkeypatch):
    """However many reports match, the index gives at most CANDIDATES per query word and
    only SCORED of them are scored (and loaded) in Python."""
    import app.search as search

    monkeypatch.setattr(search, "CANDIDATES", 4)
    monkeypatch.setattr(search, "SCORED", 6)
    scored = []
    original = search.score

    def counting(words, rule_terms, problem_terms):
        if words:  # (the problem's words, none here, are scored on the same reports)
            scored.append(rule_terms)
        return original(words, rule_terms, problem_terms)

    monkeypatch.setattr(search, "score", counting)
    with app.app_context():
        reporter = make_user()
        made = [make_report(reporter, rule=f"Parkeervergunning regel {i}", problem="x") for i in range(12)]
        db.session.commit()
        results = find_similar("parkeervergunning regel", limit=3)
        assert len(scored) <= 6
        # Newest first among equals: the newest were the candidates.
        assert [r.report.id for r in results] == [m.id for m in made[::-1][:3]]


def test_text_condition_is_typo_tolerant_and_knows_references(app, reports):
    from app.models import Report
    from app.search import text_condition

    with app.app_context():

        def matching(value):
            return set(db.session.scalars(db.select(Report.id).where(text_condition(value))))

        assert matching("dakapel") == {reports["dakkapel"]}
        assert matching("aanvragen afdelingen") == {reports["bijstand"]}  # every word counts
        assert matching("aanvragen paspoort") == set()
        report = db.session.get(Report, reports["paspoort"])
        assert matching(report.reference) == {report.id}
        assert matching(report.reference[3:]) == {report.id}  # 2026-0003
        assert report.id in matching(str(report.number))
        assert matching("%") == matching("_") == matching("") == set()
        assert matching('"dak* OR NOT) AND (') == set()  # search syntax is just text


def test_rebuild_index_gives_the_same_answers(app, reports):
    from app.search import rebuild_index

    with app.app_context():
        before = _ids("vergunningen voor een dakapel")
        assert rebuild_index() == 3
        db.session.commit()
        assert _ids("vergunningen voor een dakapel") == before == [reports["dakkapel"]]


def test_a_very_long_word_is_stored_but_not_indexed(app):
    with app.app_context():
        reporter = make_user()
        report = make_report(reporter, rule="Dakkapel " + "x" * 190, problem="a" * 4000 + " dakkapel")
        db.session.commit()
        assert _ids("dakkapel") == [report.id]
        assert _ids("x" * 190) == []


def test_matching_a_report_s_terms_at_once_agrees_with_matching_them_one_by_one():
    """find_similar scores candidates with Terms.found (set look-ups); it must say what
    QueryWord.matches says term by term, for exact words, prefixes, short words and
    variants alike."""
    import random

    from app.search import QueryWord, Terms

    rng = random.Random(7)
    vocabulary = [
        "dak",
        "dakkapel",
        "dakapel",
        "vergun",
        "parkeervergun",
        "regel",
        "regeling",
        "bij",
        "bijstand",
        "aanvrag",
        "wacht",
        "wachttijd",
        "pas",
        "paspoort",
        "leges",
        "verhuiz",
    ]
    for _ in range(2000):
        report_terms = rng.sample(vocabulary, rng.randint(0, 6))
        word = QueryWord(
            rng.choice([*vocabulary, "dakk", "verg", "wa", "regeli"]), set(rng.sample(vocabulary, rng.randint(0, 2)))
        )
        assert Terms(report_terms).found(word) == any(word.matches(term) for term in report_terms), (word, report_terms)
