"""Settings for Rode Knop, read from the environment with development defaults."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "ja", "on"}


def _roles(name: str, default: str) -> tuple[str, ...]:
    return tuple(sorted({part.strip() for part in os.environ.get(name, default).split(",") if part.strip()}))


MODES = ("installation", "register")


def _database_url(default: str | None) -> str | None:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url and url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Shared settings. Every value can be overridden through the environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Keys the pseudonym that links an anonymous reporter to their reports (app/anonymity.py).
    # Its own key, so that whoever holds SECRET_KEY (or a database dump) cannot link them.
    ANONYMITY_KEY = os.environ.get("ANONYMITY_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(None)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # The municipality's own look (app/look.py; README, "A municipality's own name, logo, look and tone"),
    # checked at start-up. MUNICIPALITY_LOGO: path of an SVG file (empty: no logo). THEME: a
    # shipped NL Design System theme (app.look.THEMES: voorbeeld, denhaag). THEME_CSS: path
    # of a local design tokens file instead, with THEME_CLASS the class its tokens are on.
    MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Gemeente Voorbeeldstad")
    MUNICIPALITY_LOGO = os.environ.get("MUNICIPALITY_LOGO", "")
    THEME = os.environ.get("THEME", "voorbeeld")
    THEME_CSS = os.environ.get("THEME_CSS", "")
    THEME_CLASS = os.environ.get("THEME_CLASS", "")
    # Weekday of the coaches' weekly session: 0 = Monday ... 6 = Sunday.
    TRIAGE_WEEKDAY = int(os.environ.get("TRIAGE_WEEKDAY", "1"))
    TRIAGE_TIME = os.environ.get("TRIAGE_TIME", "10:00")
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Amsterdam")
    # Languages (app/i18n.py): the municipality's language, shown to everyone who has not
    # chosen one under Mijn instellingen; the languages offered there; and the municipality's
    # tone in Dutch: "u" (formal) or "je" (informal). The language is read from
    # MUNICIPALITY_LANGUAGE, not LANGUAGE: many machines set LANGUAGE for gettext already.
    LANGUAGE = os.environ.get("MUNICIPALITY_LANGUAGE", "nl")
    LANGUAGES = tuple(code.strip() for code in os.environ.get("LANGUAGES", "nl,en").split(",") if code.strip())
    TONE = os.environ.get("TONE", "u")

    # Login throttling (Flask-Limiter). database:// counts in the app's own database,
    # shared by every web worker; redis:// or memcached:// work too.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "database://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_CLIENT = os.environ.get("LOGIN_LIMIT_PER_CLIENT", "20 per 10 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 10 minutes")
    # 'Merkbaar beter?' links that do not work (or refused answers), per client address.
    CHECKBACK_LIMIT_PER_CLIENT = os.environ.get("CHECKBACK_LIMIT_PER_CLIENT", "30 per 10 minutes")
    # Wrong current passwords when changing one's own password, per user.
    PASSWORD_CHANGE_LIMIT = os.environ.get("PASSWORD_CHANGE_LIMIT", "5 per 10 minutes")
    # "Wachtwoord vergeten": requests per client address and per e-mail address (each one
    # may send a mail, so every request counts, whether or not the address exists).
    PASSWORD_FORGOTTEN_LIMIT_PER_CLIENT = os.environ.get("PASSWORD_FORGOTTEN_LIMIT_PER_CLIENT", "10 per hour")
    PASSWORD_FORGOTTEN_LIMIT_PER_ACCOUNT = os.environ.get("PASSWORD_FORGOTTEN_LIMIT_PER_ACCOUNT", "3 per hour")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_LIFETIME_SECONDS", str(8 * 3600)))
    WTF_CSRF_TIME_LIMIT = int(os.environ.get("CSRF_TIME_LIMIT_SECONDS", str(8 * 3600)))
    # How long an invitation and a reset link (mailed to the account's owner) stay valid.
    INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))
    PASSWORD_RESET_HOURS = int(os.environ.get("PASSWORD_RESET_HOURS", "24"))
    FORCE_HTTPS = _bool("FORCE_HTTPS", False)
    # Roles that must log in with a second factor (a code from an app) besides their
    # password, comma-separated; empty: nobody must (it stays available to everyone).
    # Recommended in production: coach,legal,admin.
    MFA_REQUIRED_ROLES = _roles("MFA_REQUIRED_ROLES", "")
    # How long the code page waits after a correct password before one must start again.
    MFA_PENDING_SECONDS = int(os.environ.get("MFA_PENDING_SECONDS", "300"))
    # The largest request body: the biggest form (a report: 200 + 3 x 5000 characters, up
    # to 4 bytes each, percent-encoded as 12) stays well below it. Larger answers 413.
    MAX_CONTENT_LENGTH = 512 * 1024
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    # (1 behind nginx). Without it every client looks like the proxy to the login limits.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    # Single sign-on with the municipality's identity provider (OpenID Connect; README,
    # "Single sign-on"). On when OIDC_ISSUER is set, e.g. https://login.microsoftonline.com/<tenant>/v2.0.
    OIDC_ISSUER = (os.environ.get("OIDC_ISSUER") or "").rstrip("/") or None
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET")
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
    # Rode Knop role = provider group, separated by ';': "coach=ontregelcoaches;admin=rodeknop-beheer".
    OIDC_ROLE_GROUPS = os.environ.get("OIDC_ROLE_GROUPS", "")
    # The ID token claim that lists the user's groups (Entra ID: "groups" or "roles").
    OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
    # For the staff roles (ontregelcoach, juridisch, beheerder): the ID token must carry this
    # `acr` value, and/or one of these `amr` values (comma-separated), e.g. "mfa".
    OIDC_REQUIRED_ACR = os.environ.get("OIDC_REQUIRED_ACR") or None
    OIDC_REQUIRED_AMR = os.environ.get("OIDC_REQUIRED_AMR") or None
    # An SSO login lasts at most this long; then the user goes through the provider again.
    OIDC_SESSION_HOURS = float(os.environ.get("OIDC_SESSION_HOURS", "8"))
    # Seconds to wait for the provider (discovery, keys, token exchange).
    OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", "10"))
    # Local e-mail + password logins. Off (with SSO on): only beheerders may still log in
    # with a password (break-glass), and only the addresses in LOCAL_LOGIN_BREAK_GLASS
    # (comma-separated) when that is set.
    LOCAL_LOGIN = _bool("LOCAL_LOGIN", True)
    LOCAL_LOGIN_BREAK_GLASS = os.environ.get("LOCAL_LOGIN_BREAK_GLASS", "")

    # Where links in e-mails point to.
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    # A report in Nieuw or In behandeling without any update for this many days is overdue.
    OVERDUE_DAYS = int(os.environ.get("OVERDUE_DAYS", "14"))
    # Inzicht (the dashboard): how often the scheduler computes again the figures of the
    # views asked for lately when something changed; pages read those kept figures
    # (app.services.insight_snapshots). Seconds; 0 keeps nothing: every page computes.
    INSIGHT_REFRESH_SECONDS = int(os.environ.get("INSIGHT_REFRESH_SECONDS", "60"))
    # Figures that took longer than this to compute (seconds) may be shown up to twice
    # INSIGHT_REFRESH_SECONDS old after a change, saying so; quicker ones are computed anew.
    INSIGHT_SLOW_SECONDS = float(os.environ.get("INSIGHT_SLOW_SECONDS", "0.25"))
    # How long ended reports stay in the board's Afgerond column.
    RECENT_DONE_DAYS = int(os.environ.get("RECENT_DONE_DAYS", "30"))

    # The JSON API (/api/v1, README "API"): requests per token (Flask-Limiter notation), the
    # longest a token may be valid, and the largest page a list gives.
    API_LIMIT_PER_TOKEN = os.environ.get("API_LIMIT_PER_TOKEN", "300 per minute")
    API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))
    # The open data (ended reports and escalation dossiers without personal data) for anyone,
    # without logging in; off: only coaches, Juridische Zaken and beheerders download it.
    OPEN_DATA_PUBLIC = _bool("OPEN_DATA_PUBLIC", False)
    OPEN_DATA_LIMIT_PER_CLIENT = os.environ.get("OPEN_DATA_LIMIT_PER_CLIENT", "20 per hour")
    TRIAGE_SESSION_MINUTES = int(os.environ.get("TRIAGE_SESSION_MINUTES", "30"))
    # Mails about a decision in the weekly session wait this long (or until the session
    # ends, if sooner), so the decision can still be undone without anyone being told.
    SESSION_MAIL_HOLD_MINUTES = int(os.environ.get("SESSION_MAIL_HOLD_MINUTES", "10"))

    # Scheduled work (flask run-scheduler), local time in TIMEZONE.
    AGENDA_MAIL_TIME = os.environ.get("AGENDA_MAIL_TIME", "08:00")  # on the session's weekday
    REMINDER_TIME = os.environ.get("REMINDER_TIME", "08:30")  # daily reminders
    DOSSIER_OVERVIEW_WEEKDAY = int(os.environ.get("DOSSIER_OVERVIEW_WEEKDAY", "0"))
    DOSSIER_OVERVIEW_TIME = os.environ.get("DOSSIER_OVERVIEW_TIME", "09:00")
    RETENTION_TIME = os.environ.get("RETENTION_TIME", "03:00")
    # The daily overview for whoever chose it for some kind of mail (Mijn instellingen).
    DIGEST_TIME = os.environ.get("DIGEST_TIME", "07:30")
    # Retention terms in days (0 switches that part off).
    RETENTION_REPORT_DAYS = int(os.environ.get("RETENTION_REPORT_DAYS", "730"))
    RETENTION_MAIL_DAYS = int(os.environ.get("RETENTION_MAIL_DAYS", "90"))
    RETENTION_AUDIT_DAYS = int(os.environ.get("RETENTION_AUDIT_DAYS", "365"))
    # After this many days without activity on a report that ended for good, the link
    # between an anonymous report and its reporter (and anonymous followers) is destroyed.
    RETENTION_ANONYMOUS_LINK_DAYS = int(os.environ.get("RETENTION_ANONYMOUS_LINK_DAYS", "90"))
    # 'Merkbaar beter?': this many weeks after a report was solved, its reporter and
    # supporters are asked whether things got noticeably better (0 switches it off); the
    # mail's links work this many days; the job runs daily at CHECKBACK_TIME.
    CHECKBACK_WEEKS = int(os.environ.get("CHECKBACK_WEEKS", "6"))
    CHECKBACK_ANSWER_DAYS = int(os.environ.get("CHECKBACK_ANSWER_DAYS", "30"))
    CHECKBACK_TIME = os.environ.get("CHECKBACK_TIME", "10:00")

    # Outgoing mail (SMTP). Messages wait in the outbox until delivered.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "1025"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Rode Knop <rodeknop@gemeente.example>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # How often the scheduler delivers the outbox.
    MAIL_DELIVERY_SECONDS = int(os.environ.get("MAIL_DELIVERY_SECONDS", "60"))

    # Webhooks (Beheer > Webhooks; README, "Webhooks"). Plain http:// addresses only when
    # allowed (development and test allow them); the scheduler delivers every
    # WEBHOOK_DELIVERY_SECONDS, waits at most the timeouts (seconds), reads at most
    # WEBHOOK_RESPONSE_MAX_BYTES of an answer, and gives a delivery up after
    # WEBHOOK_MAX_ATTEMPTS attempts (1, 2, 4 ... minutes apart, at most an hour).
    WEBHOOK_ALLOW_HTTP = _bool("WEBHOOK_ALLOW_HTTP", False)
    WEBHOOK_DELIVERY_SECONDS = int(os.environ.get("WEBHOOK_DELIVERY_SECONDS", "30"))
    WEBHOOK_CONNECT_TIMEOUT = float(os.environ.get("WEBHOOK_CONNECT_TIMEOUT", "5"))
    WEBHOOK_READ_TIMEOUT = float(os.environ.get("WEBHOOK_READ_TIMEOUT", "10"))
    WEBHOOK_RESPONSE_MAX_BYTES = int(os.environ.get("WEBHOOK_RESPONSE_MAX_BYTES", "65536"))
    WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "12"))
    # News of a new report waits for the end of its window of this many minutes (whole
    # windows from midnight UTC) and tells only that moment: the minute a report was made
    # could name an anonymous reporter. 0 sends it at once (weaker; not advised).
    WEBHOOK_NEW_REPORT_WINDOW_MINUTES = int(os.environ.get("WEBHOOK_NEW_REPORT_WINDOW_MINUTES", "60"))

    # The red button on the intranet (README, "De rode knop op het intranet"): the origins
    # whose pages may show /knop in a frame, space- or comma-separated, e.g.
    # "https://intranet.gemeente.nl". Empty: no page may frame it. Never "*".
    EMBED_ORIGINS = tuple(
        part for part in os.environ.get("EMBED_ORIGINS", "").replace(",", " ").split() if part.strip()
    )

    # The shared register of national rules (README, "Het gedeelde register").
    # MODE: "installation" (a municipality's Rode Knop, the default) or "register" (the
    # register itself: its pages, its signed API and beheer; no report flow).
    MODE = os.environ.get("RODEKNOP_MODE", "installation").strip().lower()
    # An installation's membership: the register's base address, the member id the
    # register's beheerder gave it, and the path of its Ed25519 private key (PEM; made with
    # `flask register-keygen`). Empty REGISTER_URL: not a member, nothing is published.
    REGISTER_URL = (os.environ.get("REGISTER_URL") or "").rstrip("/") or None
    REGISTER_MEMBER = os.environ.get("REGISTER_MEMBER") or None
    REGISTER_KEY_FILE = os.environ.get("REGISTER_KEY_FILE") or None
    # How often the scheduler sends what waits for the register, and fetches what the
    # register says about the laws and articles (seconds).
    REGISTER_DELIVERY_SECONDS = int(os.environ.get("REGISTER_DELIVERY_SECONDS", "60"))
    REGISTER_SYNC_SECONDS = int(os.environ.get("REGISTER_SYNC_SECONDS", "900"))
    # The register: a signed request whose time differs more than this from the register's
    # clock is refused (an old request sent again).
    REGISTER_MAX_SKEW_SECONDS = int(os.environ.get("REGISTER_MAX_SKEW_SECONDS", "300"))
    # The register: requests to its API per client address (refused ones count too).
    REGISTER_LIMIT_PER_CLIENT = os.environ.get("REGISTER_LIMIT_PER_CLIENT", "600 per minute")

    # Attachments (README, "Attachments"; app/storage.py, app/uploads.py, app/virusscan.py).
    # Where the files live: "local" (a folder outside app/static; back it up with the
    # database) or "s3" (an S3-compatible object store).
    ATTACHMENTS_STORAGE = os.environ.get("ATTACHMENTS_STORAGE", "local").strip().lower()
    ATTACHMENTS_DIR = os.environ.get("ATTACHMENTS_DIR") or str(INSTANCE_DIR / "bijlagen")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_ACCESS_KEY = os.environ.get("S3_ACCESS_KEY") or None
    S3_SECRET_KEY = os.environ.get("S3_SECRET_KEY") or None
    S3_REGION = os.environ.get("S3_REGION") or None
    S3_PREFIX = os.environ.get("S3_PREFIX", "")
    # The virus scanner: clamd's socket, a unix socket path or tcp://127.0.0.1:3310 (empty:
    # no scanner). Required (the default once a socket is set): an upload that cannot be
    # scanned is refused, with a message to try again later.
    CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "").strip()
    CLAMD_REQUIRED = _bool("CLAMD_REQUIRED", bool(CLAMD_SOCKET))
    CLAMD_TIMEOUT = float(os.environ.get("CLAMD_TIMEOUT", "30"))

    @classmethod
    def validate(cls) -> None:
        """Refuse to start with settings that would be unsafe."""
        if cls.MODE not in MODES:
            raise RuntimeError(f"Unknown RODEKNOP_MODE {cls.MODE!r}; use one of {sorted(MODES)}")
        if cls.ATTACHMENTS_STORAGE not in ("local", "s3"):
            raise RuntimeError(f"Unknown ATTACHMENTS_STORAGE {cls.ATTACHMENTS_STORAGE!r}; use local or s3")
        if cls.ATTACHMENTS_STORAGE == "s3" and not cls.S3_BUCKET:
            raise RuntimeError("ATTACHMENTS_STORAGE=s3 needs S3_BUCKET")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    WEBHOOK_ALLOW_HTTP = _bool("WEBHOOK_ALLOW_HTTP", True)
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-rode-knop")
    ANONYMITY_KEY = os.environ.get("ANONYMITY_KEY", "dev-only-anonymity-key-not-secret")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'rodeknop.db'}")


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    WEBHOOK_ALLOW_HTTP = _bool("WEBHOOK_ALLOW_HTTP", True)
    SECRET_KEY = "test-secret-key"
    ANONYMITY_KEY = "test-anonymity-key-of-the-suite"
    SQLALCHEMY_DATABASE_URI = _database_url(None)
    # Whatever a busy test machine measures, Inzicht's figures count as quick to compute
    # (tests that need slow ones say so).
    INSIGHT_SLOW_SECONDS = 60.0
    # Attachments of the tests go to a temporary folder of this process (made on the first
    # file stored), never instance/.
    ATTACHMENTS_DIR = str(Path(tempfile.gettempdir()) / f"rodeknop-test-bijlagen-{os.getpid()}")


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    FORCE_HTTPS = _bool("FORCE_HTTPS", False)

    @classmethod
    def validate(cls) -> None:
        super().validate()
        missing = [name for name in ("SECRET_KEY", "ANONYMITY_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError("Rode Knop refuses to start in production without: " + ", ".join(missing))
        if len(os.environ["SECRET_KEY"]) < 32:
            raise RuntimeError("SECRET_KEY must be at least 32 characters in production")
        if len(os.environ["ANONYMITY_KEY"]) < 32:
            raise RuntimeError("ANONYMITY_KEY must be at least 32 characters in production")
        if os.environ["ANONYMITY_KEY"] == os.environ["SECRET_KEY"]:
            raise RuntimeError("ANONYMITY_KEY must differ from SECRET_KEY")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by RODEKNOP_ENV (default: development)."""
    name = os.environ.get("RODEKNOP_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"Unknown RODEKNOP_ENV {name!r}; use one of {sorted(CONFIGS)}")
    return CONFIGS[name]
