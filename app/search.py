"""The typo-tolerant search behind one home: similar reports while typing (`find_similar`),
the text filter of lists and the board (`text_condition`), and the index both use.

How it works, the same on SQLite and PostgreSQL:

* Text becomes *terms*: lower case without diacritics, stop words left out, each word
  stemmed with the Snowball stemmer for Dutch (aanvragen -> aanvraag, regels -> regel).
  The terms of every report's rule and problem are stored in the index when the report is
  written (mapper events below, same transaction), never recomputed per search.
* Every term also goes into a vocabulary (`search_word`). A query word is looked up there
  with a trigram index (SQLite FTS5 trigram, PostgreSQL pg_trgm `<%`/`%`), and RapidFuzz
  decides which of those few words are the same word with a typo (dakapel/dakkapel) or a
  compound containing it (vergunning/parkeervergunning). Longer forms are found by a
  prefix query in the index itself (regel*), without a cap.
* Reports are found in the index (SQLite FTS5 over the terms, PostgreSQL a GIN-indexed
  tsvector of the terms), newest first and at most CANDIDATES per query word, and the
  best few are scored in Python from their stored terms. The work per request is bounded
  whatever the number of reports.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

import Stemmer
from rapidfuzz.distance import OSA
from sqlalchemy import bindparam, event, false, literal_column, or_, text

from app.extensions import db
from app.models import Report
from app.models.report import OPEN_STATUSES

# Words too common to say anything about which rule is meant.
STOPWORDS = frozenset(
    """aan al alle als andere ben bij daar dan dat de deze die dit doen door dus een en er
    geen had heb hebben heeft het hier hij hoe hun ik in is je kan kun kunnen maar me meer
    men met mij mijn moet moeten na naar niet niets nog nu of om omdat ons onze ook op over
    te tegen toch tot u uit uw van veel voor want wat we wel werd wie wij wil worden wordt
    zal ze zelf zich zij zijn zo zonder zou via per elke steeds altijd keer eerst""".split()
)
MIN_WORD = 3
# Longer "words" (a pasted hash, a run of letters) are left out of the index: nobody
# searches for them, and PostgreSQL cannot index very long ones.
MAX_WORD = 60
# Query words used at most (the rest of a long text adds little and costs per word).
MAX_QUERY_WORDS = 8
# Per query word: reports taken from the index (newest first), and vocabulary words
# looked at for typos and compounds.
CANDIDATES = 40
VOCABULARY_CANDIDATES = 40
# Reports scored exactly in Python.
SCORED = 40
# What a search box takes (the board's filter, the merge search).
SEARCH_MAX = 100

_stemmer = Stemmer.Stemmer("dutch")


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


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of a normalized word: aanvragen -> aanvraag, regels -> regel."""
    return _stemmer.stemWord(word)


def terms(value: str) -> list[str]:
    """The index terms of a text: stems of its significant words, each once, in order."""
    seen: dict[str, None] = {}
    for word in significant_words(value):
        if len(word) <= MAX_WORD:
            seen.setdefault(stem(word), None)
    return list(seen)


def _prefix_ok(term: str) -> bool:
    # Short stems as prefix find too much (bij*, pas*).
    return len(term) >= 4


def words_match(query_term: str, term: str) -> bool:
    """Whether an index term is the query term in another form, with a typo, or part of
    a compound with it: regel/regeling, dakapel/dakkapel, vergun/parkeervergun and
    vergunningprocedur/vergun. Both are stems."""
    if query_term == term:
        return True
    if _prefix_ok(query_term) and term.startswith(query_term):
        return True
    if len(query_term) >= 6 and query_term in term:
        return True
    if len(term) >= 6 and term in query_term:  # vergunningprocedure: also about vergunning
        return True
    # A typo: not in the first letter (wachten is not achten), one edit in a short word,
    # two in a long one (RapidFuzz, with a swap of two letters as one edit).
    if len(query_term) < 5 or abs(len(query_term) - len(term)) > 2 or query_term[0] != term[0]:
        return False
    allowed = 1 if len(query_term) < 8 else 2
    return OSA.distance(query_term, term, score_cutoff=allowed) <= allowed


@dataclass
class QueryWord:
    """One word of a query and the index terms it stands for."""

    term: str
    variants: set[str] = field(default_factory=set)  # typo and compound forms from the vocabulary

    def matches(self, term: str) -> bool:
        return term in self.variants or term == self.term or (_prefix_ok(self.term) and term.startswith(self.term))

    def fts5(self, *, prefix: bool = True) -> str:
        """This word as an FTS5 expression (terms are [a-z0-9]+, so they need no escaping).
        Without `prefix` only the word and its variants from the vocabulary: a prefix query
        reads every longer form's whole list of reports, too much for a search per keystroke."""
        parts = [f'"{self.term}"*' if prefix and _prefix_ok(self.term) else f'"{self.term}"']
        parts += [f'"{v}"' for v in sorted(self.variants)]
        return "(" + " OR ".join(parts) + ")"

    def tsquery(self, *, prefix: bool = True) -> str:
        """This word as a PostgreSQL tsquery over the 'simple' configuration."""
        parts = [f"{self.term}:*" if prefix and _prefix_ok(self.term) else self.term]
        parts += sorted(self.variants)
        return "(" + " | ".join(parts) + ")"


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _trigram_match(term: str) -> str:
    grams = sorted({term[i : i + 3] for i in range(len(term) - 2)})
    return " OR ".join(f'"{g}"' for g in grams)


def _parts(term: str) -> set[str]:
    """The beginnings and ends of a compound that could be words of their own
    (vergunningprocedur: vergun, ..., procedur)."""
    return {term[:i] for i in range(6, len(term))} | {term[-i:] for i in range(6, len(term))}


def query_words(value: str) -> list[QueryWord]:
    """The query's words with their typo and compound forms from the vocabulary (one query)."""
    words = [QueryWord(term) for term in terms(value)[:MAX_QUERY_WORDS]]
    lookups = [w for w in words if len(w.term) >= 5]
    if not lookups:
        return words
    parts = sorted({p for w in lookups for p in _parts(w.term)})
    if _dialect() == "postgresql":
        # One function (migration 0021): the parts of a compound looked up exactly (a
        # unique index); per word `<%` (the word within a vocabulary word: a typo, or a
        # longer compound) and `%` (alike: a typo near the start), both served by the
        # pg_trgm GIN index. (`%>`, a vocabulary word within this one, is not: it reads the
        # whole vocabulary.)
        rows = db.session.execute(
            text(
                "SELECT query_word, found FROM rodeknop_vocabulary(CAST(:terms AS text[]), CAST(:parts AS text[]), :limit)"
            ),
            {"terms": [w.term for w in lookups], "parts": parts, "limit": VOCABULARY_CANDIDATES},
        ).all()
    else:
        params: dict = {"limit": VOCABULARY_CANDIDATES, "parts": parts}
        queries = ["SELECT -1 AS n, word FROM search_word WHERE word IN :parts"] if parts else []
        for index, word in enumerate(lookups):
            params[f"q{index}"] = _trigram_match(word.term)
            queries.append(
                f"SELECT * FROM (SELECT {index} AS n, word FROM search_word_grams WHERE search_word_grams "
                f"MATCH :q{index} ORDER BY rank LIMIT :limit)"
            )
        statement = text(" UNION ALL ".join(queries))
        if parts:
            statement = statement.bindparams(bindparam("parts", expanding=True))
        else:
            del params["parts"]
        rows = db.session.execute(statement, params).all()
    for n, candidate in rows:
        for word in lookups if n == -1 else [lookups[n]]:
            if candidate != word.term and words_match(word.term, candidate) and not word.matches(candidate):
                word.variants.add(candidate)
    return words


@dataclass
class SimilarReport:
    report: Report
    score: float
    supporters: int


def _candidates(words: list[QueryWord], *, open_only: bool) -> dict[int, list]:
    """Report id -> [how many query words found it, rule terms, problem terms], from the
    newest CANDIDATES reports per word, in one statement. (A query for reports with every
    word was tried: on PostgreSQL it reads every such report when a subject is common, and
    it found nothing the scoring did not.)"""
    status = " AND r.status IN :open" if open_only else ""
    params: dict = {"limit": CANDIDATES}
    if open_only:
        params["open"] = list(OPEN_STATUSES)
    postgres = _dialect() == "postgresql"
    expressions = [w.tsquery(prefix=False) if postgres else w.fts5(prefix=False) for w in words]
    parts = []
    for index, expression in enumerate(expressions):
        params[f"m{index}"] = expression
        if postgres:
            parts.append(
                f"SELECT * FROM (SELECT s.report_id, s.rule_terms, s.problem_terms FROM report_search s "
                f"JOIN report r ON r.id = s.report_id WHERE s.terms @@ to_tsquery('simple', :m{index}){status} "
                f"ORDER BY s.report_id DESC LIMIT :limit) AS c{index}"
            )
        else:
            parts.append(
                f"SELECT * FROM (SELECT f.rowid, f.rule, f.problem FROM report_fts f JOIN report r ON r.id = f.rowid "
                f"WHERE report_fts MATCH :m{index}{status} ORDER BY f.rowid DESC LIMIT :limit)"
            )
    statement = text(" UNION ALL ".join(parts))
    if open_only:
        statement = statement.bindparams(bindparam("open", expanding=True))
    hits: dict[int, list] = {}
    for report_id, rule_terms, problem_terms in db.session.execute(statement, params):
        if report_id in hits:
            hits[report_id][0] += 1
        else:
            hits[report_id] = [1, rule_terms, problem_terms]
    return hits


class Terms:
    """A report text's index terms, ready for QueryWord.found: the terms, and every
    beginning of four letters or more (what a prefix match looks for)."""

    __slots__ = ("beginnings", "exact")

    def __init__(self, terms: list[str]):
        self.exact = set(terms)
        self.beginnings = {term[:end] for term in self.exact for end in range(4, len(term) + 1)}

    def found(self, word: QueryWord) -> bool:
        """Whether any of these terms matches `word` (QueryWord.matches), without trying
        them one by one."""
        if word.term in (self.beginnings if _prefix_ok(word.term) else self.exact):
            return True
        return not word.variants.isdisjoint(self.exact)


def score(words: list[QueryWord], rule_terms: list[str] | Terms, problem_terms: list[str] | Terms) -> float:
    """Share of the query's words found in the report: 1 in the rule, 0.5 in the problem."""
    if not words:
        return 0.0
    rule = rule_terms if isinstance(rule_terms, Terms) else Terms(rule_terms)
    problem = problem_terms if isinstance(problem_terms, Terms) else Terms(problem_terms)
    total = 0.0
    for word in words:
        if rule.found(word):
            total += 1.0
        elif problem.found(word):
            total += 0.5
    return total / len(words)


def similarity(query: str, rule: str, problem: str) -> float:
    """How much a report with this rule and problem is like `query` (no database needed)."""
    return score([QueryWord(t) for t in terms(query)[:MAX_QUERY_WORDS]], terms(rule), terms(problem))


def find_similar(
    query: str,
    *,
    extra: str = "",
    limit: int = 5,
    min_score: float = 0.34,
    exclude_ids: tuple[int, ...] = (),
    open_only: bool = True,
) -> list[SimilarReport]:
    """Up to `limit` reports most like `query`, best first (equally good: newest first).
    `extra` (the problem typed under the rule) only orders reports that are equally like
    `query`, so a long story does not push away what the rule alone finds; without words
    in `query` it is the query."""
    words = query_words(query)
    if not words:
        words, extra = query_words(extra), ""
    if not words:
        return []
    context = [QueryWord(t) for t in terms(extra)[: MAX_QUERY_WORDS * 3]]
    hits = _candidates(words, open_only=open_only)
    for report_id in exclude_ids:
        hits.pop(report_id, None)
    if not hits:
        return []
    best = sorted(hits, key=lambda report_id: (-hits[report_id][0], -report_id))[:SCORED]
    scored = []
    for report_id in best:
        rule_terms, problem_terms = Terms(hits[report_id][1].split()), Terms(hits[report_id][2].split())
        scored.append((score(words, rule_terms, problem_terms), score(context, rule_terms, problem_terms), report_id))
    scored = sorted((row for row in scored if row[0] >= min_score), key=lambda row: (-row[0], -row[1], -row[2]))
    scored = [(value, report_id) for value, _, report_id in scored[:limit]]
    if not scored:
        return []
    from app.models import Support

    supporters = (
        db.select(db.func.count(Support.id)).where(Support.report_id == Report.id).correlate(Report).scalar_subquery()
    )
    stmt = db.select(Report, supporters).where(Report.id.in_([report_id for _, report_id in scored]))
    if open_only:
        stmt = stmt.where(Report.is_open)
    found = {report.id: (report, count) for report, count in db.session.execute(stmt).unique()}
    return [
        SimilarReport(found[report_id][0], value, found[report_id][1])
        for value, report_id in scored
        if report_id in found
    ]


def text_condition(value: str):
    """SQL on Report for a search box (the board, lists): the reference (RK-2026-0012,
    2026-0012) or number it names, or every significant word found in the rule or the
    problem, with the same typo tolerance and word forms as `find_similar`. A subquery on
    the index, never a list of ids, so it holds at any number of reports."""
    from app.forms import parse_id
    from app.services.reports import parse_reference, typed_reference

    value = clean_search(value)
    conditions = []
    typed = typed_reference(value)
    if typed:
        parsed = parse_reference(typed)
        # A reference means that report, not the words 2026 and 0012.
        return (Report.year == parsed[0]) & (Report.number == parsed[1])
    if parse_id(value):
        conditions.append(Report.number == parse_id(value))
    words = query_words(value)
    if words:
        if _dialect() == "postgresql":
            matching = text("SELECT report_id FROM report_search WHERE terms @@ to_tsquery('simple', :words)")
            expression = " & ".join(w.tsquery() for w in words)
        else:
            matching = text("SELECT rowid FROM report_fts WHERE report_fts MATCH :words")
            expression = " AND ".join(w.fts5() for w in words)
        matching = matching.bindparams(bindparam("words", expression, unique=True))
        conditions.append(Report.id.in_(matching.columns(literal_column("report_id"))))
    return or_(*conditions) if conditions else false()


def support_counts(report_ids: list[int]) -> dict[int, int]:
    """How many colleagues run into each of these reports: their supports, counted."""
    from app.models import Support

    if not report_ids:
        return {}
    rows = db.session.execute(
        db.select(Support.report_id, db.func.count(Support.id))
        .where(Support.report_id.in_(report_ids))
        .group_by(Support.report_id)
    )
    return dict(rows.all())


def support_count(report_id):
    """support_counts as a column of a statement that reads reports (the board's cards):
    the supports of the report whose id is `report_id`, counted."""
    from app.models import Support

    return db.select(db.func.count(Support.id)).where(Support.report_id == report_id).scalar_subquery()


# --- keeping the index in sync -------------------------------------------------------


def index_row(report_id: int, rule: str, problem: str) -> dict:
    """What the index holds for one report (also for bulk loading: bench/data.py)."""
    rule_terms = terms(rule)
    problem_terms = terms(problem)
    return {"id": report_id, "rule": " ".join(rule_terms), "problem": " ".join(problem_terms)}


def write_index(connection, rows: list[dict]) -> None:
    """Store index rows (from `index_row`) and their words in the vocabulary. Words go in
    sorted, so concurrent writers take the same locks in the same order."""
    if not rows:
        return
    words = sorted({w for row in rows for w in (row["rule"] + " " + row["problem"]).split()})
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "INSERT INTO report_search (report_id, rule_terms, problem_terms, terms) VALUES (:id, :rule, :problem, "
                "to_tsvector('simple', :rule || ' ' || :problem)) "
                "ON CONFLICT (report_id) DO UPDATE SET rule_terms = EXCLUDED.rule_terms, "
                "problem_terms = EXCLUDED.problem_terms, terms = EXCLUDED.terms"
            ),
            rows,
        )
        if words:
            connection.execute(
                text("INSERT INTO search_word (word) SELECT unnest(CAST(:words AS text[])) ON CONFLICT DO NOTHING"),
                {"words": words},
            )
    else:
        connection.execute(text("DELETE FROM report_fts WHERE rowid = :id"), [{"id": row["id"]} for row in rows])
        connection.execute(text("INSERT INTO report_fts (rowid, rule, problem) VALUES (:id, :rule, :problem)"), rows)
        if words:
            connection.execute(
                text("INSERT OR IGNORE INTO search_word (word) VALUES (:word)"), [{"word": w} for w in words]
            )


def _unindex(connection, report_id: int) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DELETE FROM report_search WHERE report_id = :id"), {"id": report_id})
    else:
        connection.execute(text("DELETE FROM report_fts WHERE rowid = :id"), {"id": report_id})


@event.listens_for(Report, "after_insert")
def _after_insert(_mapper, connection, report: Report) -> None:
    write_index(connection, [index_row(report.id, report.rule, report.problem)])


@event.listens_for(Report, "after_update")
def _after_update(_mapper, connection, report: Report) -> None:
    state = db.inspect(report)
    if state.attrs.rule.history.has_changes() or state.attrs.problem.history.has_changes():
        write_index(connection, [index_row(report.id, report.rule, report.problem)])


@event.listens_for(Report, "after_delete")
def _after_delete(_mapper, connection, report: Report) -> None:
    _unindex(connection, report.id)


def rebuild_index(connection=None, *, batch: int = 2000) -> int:
    """Re-index every report (after a restore, or a change of the stemming or the stop
    words): the index and the vocabulary are emptied and filled again."""
    connection = connection if connection is not None else db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("DELETE FROM report_search"))
    else:
        connection.execute(text("DELETE FROM report_fts"))
    connection.execute(text("DELETE FROM search_word"))
    count = 0
    last = 0
    while True:
        rows = connection.execute(
            text("SELECT id, rule, problem FROM report WHERE id > :last ORDER BY id LIMIT :batch"),
            {"last": last, "batch": batch},
        ).all()
        if not rows:
            return count
        write_index(connection, [index_row(*row) for row in rows])
        count += len(rows)
        last = rows[-1][0]
