"""Similar-report search behind one function, with a SQLite FTS5 and a PostgreSQL
full-text implementation. The index is kept in sync by mapper events on Report, in the
same transaction as the insert or update."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import event, text

from app.extensions import db
from app.models import Report

# Words too common to say anything about which rule is meant.
STOPWORDS = frozenset(
    """aan al alle als andere ben bij daar dan dat de deze die dit doen door dus een en er
    geen had heb hebben heeft het hier hij hoe hun ik in is je kan kun kunnen maar me meer
    men met mij mijn moet moeten na naar niet niets nog nu of om omdat ons onze ook op over
    te tegen toch tot u uit uw van veel voor want wat we wel werd wie wij wil worden wordt
    zal ze zelf zich zij zijn zo zonder zou via per elke steeds altijd keer eerst""".split()
)
MIN_WORD = 3
CANDIDATES = 40
# What a search box takes (the board's filter, the merge search).
SEARCH_MAX = 100


def clean_search(value: str | None) -> str:
    """Search text as typed, without control characters (PostgreSQL refuses NUL) or runs of space."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (value or "")[: SEARCH_MAX * 4])
    return " ".join(printable.split())[:SEARCH_MAX]


def normalize(value: str) -> str:
    """Lower case without diacritics: 'Geëscaleerd' and 'geescaleerd' are the same word."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def significant_words(value: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in re.findall(r"[a-z0-9]+", normalize(value)):
        if len(word) >= MIN_WORD and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def words_match(query_word: str, candidate_word: str) -> bool:
    """Same word in another form or with a typo: regel/regels, aanvraag/aanvragen, dakapel/dakkapel."""
    if query_word == candidate_word:
        return True
    shortest = min(len(query_word), len(candidate_word))
    if shortest >= 5 and query_word[:5] == candidate_word[:5]:
        return True
    if shortest >= 4 and (candidate_word.startswith(query_word) or query_word.startswith(candidate_word)):
        return True
    a, b = _trigrams(query_word), _trigrams(candidate_word)
    return 2 * len(a & b) / (len(a) + len(b)) >= 0.6


def similarity(query_words: list[str], rule: str, problem: str) -> float:
    """Share of the query's words found in the report, the rule counting double."""
    if not query_words:
        return 0.0
    rule_words = significant_words(rule)
    problem_words = significant_words(problem)
    score = 0.0
    for word in query_words:
        if any(words_match(word, other) for other in rule_words):
            score += 1.0
        elif any(words_match(word, other) for other in problem_words):
            score += 0.5
    return score / len(query_words)


@dataclass
class SimilarReport:
    report: Report
    score: float
    supporters: int


def _candidate_ids_sqlite(words: list[str]) -> list[int]:
    grams = sorted({g for word in words for g in _fts_trigrams(word)})
    if not grams:
        return []
    match = " OR ".join(f'"{gram}"' for gram in grams)
    rows = db.session.execute(
        text(
            "SELECT rowid FROM report_fts WHERE report_fts MATCH :match "
            "ORDER BY bm25(report_fts, 2.0, 1.0) LIMIT :limit"
        ),
        {"match": match, "limit": CANDIDATES * 5},
    )
    return [row[0] for row in rows]


def _fts_trigrams(word: str) -> set[str]:
    return {word[i : i + 3] for i in range(len(word) - 2)}


def _candidate_ids_postgresql(words: list[str]) -> list[int]:
    # Dutch stemming through the text search configuration, plus trigram similarity
    # per word (pg_trgm) for typos the stemmer cannot know.
    tsquery = " | ".join(f"{word}:*" for word in words)
    conditions = ["s.document @@ to_tsquery('dutch', :tsquery)"]
    params: dict = {"tsquery": tsquery, "limit": CANDIDATES * 5}
    for index, word in enumerate(words):
        conditions.append(f"word_similarity(:w{index}, s.plain) >= 0.5")
        params[f"w{index}"] = word
    rows = db.session.execute(
        text(
            "SELECT s.report_id FROM report_search s WHERE "
            + " OR ".join(conditions)
            + " ORDER BY ts_rank(s.document, to_tsquery('dutch', :tsquery)) DESC LIMIT :limit"
        ),
        params,
    )
    return [row[0] for row in rows]


def find_similar(
    query: str,
    *,
    limit: int = 5,
    min_score: float = 0.34,
    exclude_ids: tuple[int, ...] = (),
    open_only: bool = True,
) -> list[SimilarReport]:
    """Up to `limit` reports most like `query`, best first."""
    words = significant_words(query)[:12]
    if not words:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        candidate_ids = _candidate_ids_postgresql(words)
    else:
        candidate_ids = _candidate_ids_sqlite(words)
    candidate_ids = [cid for cid in candidate_ids if cid not in exclude_ids]
    if not candidate_ids:
        return []
    stmt = db.select(Report).where(Report.id.in_(candidate_ids))
    if open_only:
        stmt = stmt.where(Report.is_open)
    reports = db.session.scalars(stmt).unique().all()
    scored = [(similarity(words, r.rule, r.problem), r) for r in reports]
    scored = [(score, r) for score, r in scored if score >= min_score]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].id))
    best = scored[:limit]
    counts = support_counts([r.id for _, r in best])
    return [SimilarReport(r, score, counts.get(r.id, 0)) for score, r in best]


def support_counts(report_ids: list[int]) -> dict[int, int]:
    from app.models import Support

    if not report_ids:
        return {}
    rows = db.session.execute(
        db.select(Support.report_id, db.func.count(Support.id))
        .where(Support.report_id.in_(report_ids))
        .group_by(Support.report_id)
    )
    return dict(rows.all())


# --- keeping the index in sync -------------------------------------------------------


def _index(connection, report_id: int, rule: str, problem: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "INSERT INTO report_search (report_id, document, plain) VALUES (:id, "
                "setweight(to_tsvector('dutch', :rule), 'A') || setweight(to_tsvector('dutch', :problem), 'B'), "
                ":plain) ON CONFLICT (report_id) DO UPDATE SET document = EXCLUDED.document, plain = EXCLUDED.plain"
            ),
            {
                "id": report_id,
                "rule": normalize(rule),
                "problem": normalize(problem),
                "plain": normalize(rule + " " + problem),
            },
        )
    else:
        connection.execute(text("DELETE FROM report_fts WHERE rowid = :id"), {"id": report_id})
        connection.execute(
            text("INSERT INTO report_fts (rowid, rule, problem) VALUES (:id, :rule, :problem)"),
            {"id": report_id, "rule": normalize(rule), "problem": normalize(problem)},
        )


def _unindex(connection, report_id: int) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DELETE FROM report_search WHERE report_id = :id"), {"id": report_id})
    else:
        connection.execute(text("DELETE FROM report_fts WHERE rowid = :id"), {"id": report_id})


@event.listens_for(Report, "after_insert")
def _after_insert(_mapper, connection, report: Report) -> None:
    _index(connection, report.id, report.rule, report.problem)


@event.listens_for(Report, "after_update")
def _after_update(_mapper, connection, report: Report) -> None:
    state = db.inspect(report)
    if state.attrs.rule.history.has_changes() or state.attrs.problem.history.has_changes():
        _index(connection, report.id, report.rule, report.problem)


@event.listens_for(Report, "after_delete")
def _after_delete(_mapper, connection, report: Report) -> None:
    _unindex(connection, report.id)


def rebuild_index() -> int:
    """Re-index every report (after a restore or a change of the normalisation)."""
    connection = db.session.connection()
    count = 0
    for report_id, rule, problem in db.session.execute(db.select(Report.id, Report.rule, Report.problem)):
        _index(connection, report_id, rule, problem)
        count += 1
    return count
