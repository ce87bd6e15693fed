"""Bulk test data for the benchmarks: `fill(target, count, seed)` adds `count` reports with
realistic Dutch texts (and the search index, supports and a submitted event per report)
through SQLAlchemy Core executemany, far faster than submitting them one by one.

Not used by the tests or the application. Usage from another script:

    from bench.data import fill
    with app.app_context():
        info = fill(db.session, 100_000, seed=42)   # or an Engine / Connection
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

PASSWORD = "bench-password-123"
DEPARTMENTS = (
    "Burgerzaken",
    "Vergunningen",
    "Sociaal Domein",
    "Belastingen",
    "Jeugd",
    "Wijkteams",
    "Openbare Ruimte",
    "Werk en Inkomen",
    "Schuldhulpverlening",
    "Klantcontactcentrum",
)

# (rule, problem): the subjects municipal employees report, with slots filled at random.
TOPICS = (
    ("Dakkapel vraagt een volledige vergunningprocedure", "Ook als alle buren akkoord zijn duurt de {doc} {duur}."),
    (
        "Bijstandsaanvraag: hetzelfde verhaal aan {n} afdelingen",
        "De inwoner vertelt bij elke aanvraag opnieuw zijn situatie.",
    ),
    (
        "Afspraak voor een paspoort alleen online te maken",
        "Inwoners zonder computer kunnen geen afspraak maken en bellen ons {vaak}.",
    ),
    ("Parkeervergunning alleen op papier aan te vragen", "Inwoners moeten langskomen met een {doc} en wachten {duur}."),
    (
        "Uittreksel uit de basisregistratie kost leges, ook voor de eigen gemeente",
        "Wij vragen leges voor een {doc} dat wij zelf nodig hebben.",
    ),
    (
        "Kwijtschelding gemeentelijke belastingen elk jaar opnieuw aanvragen",
        "Ook met een vast laag inkomen moet de inwoner alle {doc} opnieuw sturen.",
    ),
    (
        "Huisbezoek verplicht voor elke aanvraag bijzondere bijstand",
        "Inwoners wachten {duur} op een bezoek terwijl de stukken compleet zijn.",
    ),
    ("Jeugdhulp: nieuwe indicatie bij verhuizing binnen de regio", "Het kind wacht {duur} op hulp die het al kreeg."),
    (
        "Evenementenvergunning voor een klein straatfeest",
        "Voor een straatfeest met {n} buren is dezelfde procedure nodig als voor een festival.",
    ),
    (
        "Handtekening op papier verplicht bij een volmacht",
        "Inwoners met een {groep} kunnen niet langskomen om te tekenen.",
    ),
    (
        "Schuldhulp pas na een intakegesprek op kantoor",
        "Mensen met schulden durven niet te komen; het {doc} duurt {duur}.",
    ),
    (
        "Wmo-voorziening: medisch advies voor elke traplift",
        "Ook bij een duidelijke situatie wachten inwoners {duur} op het advies.",
    ),
    ("Verhuizing doorgeven kan niet voor de hele familie tegelijk", "Elk gezinslid moet apart een {doc} invullen."),
    ("Grofvuil ophalen alleen na registratie met DigiD", "Ouderen zonder DigiD bellen {vaak} het klantcontactcentrum."),
    ("Kapvergunning voor een zieke boom in de eigen tuin", "De boom is gevaarlijk maar de procedure duurt {duur}."),
    (
        "Bewijsstukken inkomen steeds opnieuw opvragen",
        "Wij hebben de {doc} al, maar de regel zegt dat het opnieuw moet.",
    ),
    (
        "Rijbewijs verlengen vraagt een nieuwe pasfoto bij de fotograaf",
        "Inwoners met een {groep} moeten daarvoor extra reizen.",
    ),
    (
        "Gehandicaptenparkeerkaart: keuring bij elke verlenging",
        "Ook bij een blijvende beperking volgt een nieuwe keuring na {duur}.",
    ),
    (
        "Toeslag voor minima alleen via een formulier van acht pagina's",
        "Veel inwoners met een {groep} haken af bij het formulier.",
    ),
    (
        "Naturalisatie: ceremonie alleen op werkdagen overdag",
        "Inwoners met werk moeten een dag vrij nemen voor de {doc}.",
    ),
    (
        "Aanvraag omgevingsvergunning zonder digitale tekening wordt niet behandeld",
        "Kleine aanvragers hebben geen {doc} en geven het op.",
    ),
    (
        "Melding openbare ruimte wordt na {n} dagen automatisch gesloten",
        "Inwoners melden dezelfde kapotte lantaarnpaal {vaak} opnieuw.",
    ),
    (
        "Wijkteam mag gegevens niet delen met schuldhulp",
        "Een gezin vertelt zijn verhaal {n} keer aan verschillende hulpverleners.",
    ),
    (
        "Leerlingenvervoer elk schooljaar opnieuw aanvragen",
        "Ook bij een kind met een blijvende {groep} moet alles opnieuw.",
    ),
    ("Standplaatsvergunning markt alleen per kwartaal", "Kleine ondernemers betalen {vaak} leges voor dezelfde plek."),
    (
        "Inschrijving briefadres vraagt verklaring van de hoofdbewoner",
        "Dakloze inwoners hebben geen hoofdbewoner en blijven {duur} zonder adres.",
    ),
    ("Hondenbelasting aanpassen kan alleen per brief", "Inwoners sturen een {doc} en wachten {duur} op antwoord."),
    (
        "Subsidie voor een buurtinitiatief vraagt een accountantsverklaring",
        "Voor een bedrag van een paar honderd euro is een {doc} te duur.",
    ),
    (
        "Re-integratietraject stopt bij verhuizing naar een andere gemeente",
        "De inwoner begint {duur} later opnieuw bij nul.",
    ),
    (
        "Beslagvrije voet wordt niet automatisch berekend",
        "Schuldeisers nemen te veel; de inwoner moet zelf een {doc} indienen.",
    ),
)
FILL = {
    "doc": (
        "procedure",
        "aanvraag",
        "formulier",
        "beoordeling",
        "bewijsstukken",
        "verklaring",
        "uittreksels",
        "tekening",
    ),
    "duur": ("acht weken", "drie maanden", "een halfjaar", "zes weken", "twee weken", "een jaar"),
    "n": ("twee", "drie", "vier", "vijf", "tien", "twintig"),
    "vaak": ("steeds", "vaak", "elke week", "telkens", "meermaals"),
    "groep": ("beperking", "laag inkomen", "taalachterstand", "chronische ziekte", "mantelzorgtaak"),
}
EXTRA = (
    "Collega's van {dep} lopen hier ook tegenaan.",
    "Dit kost ons per week {n} uur extra werk.",
    "De inwoner begrijpt niet waarom dit nodig is.",
    "Volgens mij is de regel ooit bedoeld voor grote bedrijven.",
    "Bij de buurgemeente gaat dit digitaal en veel sneller.",
    "Wij sturen inwoners van het kastje naar de muur.",
    "Het gaat vooral mis bij ouderen en laaggeletterden.",
    "Klachten hierover komen {vaak} binnen bij het klantcontactcentrum.",
    "Graag een uitzondering voor eenvoudige gevallen.",
    "Misschien kan de termijn korter of kan het formulier eenvoudiger.",
)
# Names and numbers make the vocabulary as large as real free text makes it.
STREETS = (
    "Molen",
    "Kerk",
    "Dorps",
    "Kastanje",
    "Linden",
    "Beuken",
    "Haven",
    "Stations",
    "School",
    "Markt",
    "Wilgen",
    "Eiken",
)
STREET_ENDS = ("straat", "laan", "weg", "plein", "singel", "kade", "hof", "dreef")
SYLLABLES = (
    "ver",
    "bee",
    "jan",
    "sen",
    "berg",
    "hui",
    "zen",
    "dijk",
    "man",
    "kamp",
    "hof",
    "stra",
    "bos",
    "wijk",
    "hout",
)
MORE = (
    "Het gaat om een inwoner aan de {street} {house}.",
    "Zaaknummer Z{case}.",
    "Collega {name} van {dep} weet hier meer van.",
    "Eerder gemeld onder nummer {case}, zonder resultaat.",
)
# Closed statuses dominate, as in a municipality after some years; open ones are recent.
STATUSES = (("resolved", 45), ("explained", 20), ("merged", 5), ("escalated", 5), ("in_progress", 10), ("new", 15))


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i] + word[i:]


def _text(template: str, rng: random.Random) -> str:
    values = {key: rng.choice(options) for key, options in FILL.items()}
    values["dep"] = rng.choice(DEPARTMENTS)
    values["street"] = rng.choice(STREETS) + rng.choice(STREET_ENDS)
    values["house"] = rng.randint(1, 250)
    values["case"] = rng.randint(100000, 999999)
    values["name"] = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    text = template.format(**values)
    if rng.random() < 0.05:  # people make typos
        words = text.split()
        i = rng.randrange(len(words))
        words[i] = _typo(words[i], rng)
        text = " ".join(words)
    return text


def report_text(rng: random.Random) -> tuple[str, str]:
    rule, problem = rng.choice(TOPICS)
    problem = _text(problem, rng) + " " + " ".join(_text(e, rng) for e in rng.sample(EXTRA, rng.randint(1, 3)))
    if rng.random() < 0.5:
        problem += " " + _text(rng.choice(MORE), rng)
    return _text(rule, rng)[:200], problem


def _connection(target):
    if isinstance(target, Session):
        return target.connection()
    if hasattr(target, "begin") and not hasattr(target, "execute"):
        raise TypeError("pass a Session, an Engine or a Connection")
    return target


def fill(target, count: int, seed: int = 42, *, users: int = 200, coaches: int = 5, batch: int = 5000) -> dict:
    """Add `count` reports (and, if missing, departments and users) through `target`: a
    Session (nothing is committed: the caller commits), an Engine (committed here) or a
    Connection. Returns what a benchmark needs to log in: emails and the password."""
    from sqlalchemy.engine import Engine

    if isinstance(target, Engine):
        with target.begin() as connection:
            return fill(connection, count, seed, users=users, coaches=coaches, batch=batch)

    from app.models import Department, Event, Report, Support, User, UserRole
    from app.search import index_row, write_index
    from app.services.users import hash_password

    connection = _connection(target)
    rng = random.Random(seed)
    now = datetime.now(UTC)

    existing = set(connection.scalars(select(Department.name)))
    missing = [{"name": name, "active": True} for name in DEPARTMENTS if name not in existing]
    if missing:
        connection.execute(insert(Department.__table__), missing)
    departments = list(connection.scalars(select(Department.id).where(Department.name.in_(DEPARTMENTS))))

    emails = [f"m{i}@bench.test" for i in range(users)] + [f"coach{i}@bench.test" for i in range(coaches)]
    known = set(connection.scalars(select(User.email).where(User.email.like("%@bench.test"))))
    new_users = [e for e in emails if e not in known]
    if new_users:
        password = hash_password(PASSWORD)
        connection.execute(
            insert(User.__table__),
            [
                {
                    "email": e,
                    "name": ("Coach " if e.startswith("coach") else "Medewerker ") + e.split("@")[0],
                    "password_hash": password,
                    "department_id": rng.choice(departments),
                }
                for e in new_users
            ],
        )
        ids = dict(connection.execute(select(User.email, User.id).where(User.email.in_(new_users))).all())
        roles = [{"user_id": ids[e], "role": "employee"} for e in new_users]
        roles += [{"user_id": ids[e], "role": "coach"} for e in new_users if e.startswith("coach")]
        connection.execute(insert(UserRole.__table__), roles)
    user_ids = dict(connection.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    employees = [user_ids[e] for e in emails if e.startswith("m")]
    coach_ids = [user_ids[e] for e in emails if e.startswith("coach")]

    next_id = (connection.scalar(select(func.max(Report.id))) or 0) + 1
    numbers = dict(connection.execute(select(Report.year, func.max(Report.number)).group_by(Report.year)).all())
    statuses, weights = zip(*STATUSES, strict=True)
    span = timedelta(days=3 * 365)
    done = 0
    while done < count:
        size = min(batch, count - done)
        reports, events, supports = [], [], []
        for i in range(size):
            position = done + i
            # Oldest first, so ids and dates rise together; open reports are the recent ones.
            created = now - span + span * (position + 1) / (count + 1)
            recent = position > count * 0.85
            status = rng.choice(("new", "in_progress")) if recent and rng.random() < 0.6 else None
            status = status or rng.choices(statuses, weights)[0]
            year = created.year
            numbers[year] = numbers.get(year, 0) + 1
            rule, problem = report_text(rng)
            report_id = next_id + position
            reports.append(
                {
                    "id": report_id,
                    "year": year,
                    "number": numbers[year],
                    "rule": rule,
                    "problem": problem,
                    "origin": "unknown",
                    "department_id": rng.choice(departments),
                    "reporter_id": rng.choice(employees),
                    "is_anonymous": False,
                    "status": status,
                    "assignee_id": rng.choice(coach_ids) if status != "new" else None,
                    "version": 1,
                    "last_activity_at": created,
                    "resolved_at": created + timedelta(days=14) if status in ("resolved", "explained") else None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            events.append(
                {
                    "report_id": report_id,
                    "actor_id": reports[-1]["reporter_id"],
                    "kind": "submitted",
                    "to_status": "new",
                    "is_public": True,
                    "created_at": created,
                }
            )
            for supporter in rng.sample(employees, rng.choice((0, 0, 0, 1, 1, 2, 3))):
                if supporter != reports[-1]["reporter_id"]:
                    supports.append(
                        {"report_id": report_id, "user_id": supporter, "anonymous": False, "created_at": created}
                    )
        connection.execute(insert(Report.__table__), reports)
        connection.execute(insert(Event.__table__), events)
        if supports:
            connection.execute(insert(Support.__table__), supports)
        write_index(connection, [index_row(r["id"], r["rule"], r["problem"]) for r in reports])
        done += size
    return {"password": PASSWORD, "employees": emails[:users], "coaches": emails[users:], "reports": count}
