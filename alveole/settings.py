"""Django settings for Alvéole.

Everything an operator may change is an environment variable, documented in the
README with its default. The defaults give the embedded single-machine set-up:
SQLite (WAL) and files under ``var/``, in-process cache and fan-out.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from exc


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("ALVEOLE_VAR_DIR") or BASE_DIR / "var")

ALVEOLE_ENV = env("ALVEOLE_ENV", "development")
if ALVEOLE_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("ALVEOLE_ENV must be 'development' or 'production'.")
PRODUCTION = ALVEOLE_ENV == "production"
DEBUG = env_bool("ALVEOLE_DEBUG", False)


def _secret_key() -> str:
    """The SECRET_KEY variable, or a key generated once into var/ (never committed)."""
    if value := env("SECRET_KEY"):
        return value
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Created with 0600 so that other local users cannot read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "ninja",
    "alveole.core",
    "alveole.accounts",
    "alveole.orgs",
    "alveole.spaces",
    "alveole.feed",
    "alveole.live",
    "alveole.notifications",
    "alveole.conversations",
    "alveole.mail",
    "alveole.decisions",
    "alveole.moderation",
    "alveole.projects",
    "alveole.exports",
    "alveole.search",
    "alveole.insights",
    "alveole.sso",
    "alveole.scim",
    "alveole.shell",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "alveole.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "alveole.accounts.middleware.ActiveAccountMiddleware",
    "alveole.core.middleware.RequestContextMiddleware",
    "alveole.accounts.middleware.UserLanguageMiddleware",
    "alveole.accounts.middleware.LoginThrottleMiddleware",
    "alveole.accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "alveole.accounts.middleware.IdentitySessionsMiddleware",
    "alveole.core.middleware.RefuseUnstorableTextMiddleware",
]

ROOT_URLCONF = "alveole.urls"
ASGI_APPLICATION = "alveole.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "alveole" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alveole.shell.context_processors.alveole",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'alveole.sqlite3'}"
DB_POOL_MIN = env_int("ALVEOLE_DB_POOL_MIN", 2)
DB_POOL_MAX = env_int("ALVEOLE_DB_POOL_MAX", 10)


def database_from_url(url: str) -> dict:
    config = dict(dj_database_url.parse(url))
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # WAL lets readers proceed while one writer commits; IMMEDIATE takes the
            # write lock at BEGIN so concurrent writers queue instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif engine == "django.db.backends.postgresql":
        # Without a pool, every ASGI request opened a connection: 88 req/s instead of 217.
        config["CONN_MAX_AGE"] = 0
        # Health checks: a pooled connection is tested before it is handed out, so the connections
        # left dead by a PostgreSQL restart are replaced instead of failing the next request.
        config["CONN_HEALTH_CHECKS"] = True
        # After an outage the pool retries a lost connection with a backoff that doubles each time
        # (1, 2, 4, 8, 16 s…): after 20 s down, requests waited 11 s more once PostgreSQL was back.
        # A steady ~1 s retry costs nothing against a server that is down and recovers at once.
        from psycopg_pool.base import AttemptWithBackoff

        AttemptWithBackoff.DELAY_BACKOFF = 1.0
        # JIT compiles a query whose estimated cost is high, which the planner says of a search's permission
        # subqueries: 530 ms of compiling for a 50 ms search at 1 M posts. Short queries never gain from it.
        config["OPTIONS"] = {
            "pool": {"min_size": DB_POOL_MIN, "max_size": DB_POOL_MAX, "timeout": 10},
            "options": "-c jit=off",
        }
    else:
        raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL.")
    return config


DATABASES = {"default": database_from_url(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, rate limits --------------------------------------------------------
REDIS_URL = env("REDIS_URL")


def cache_from_redis_url(url: str) -> dict:
    if url:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "alveole",
            "OPTIONS": {"socket_timeout": 5, "socket_connect_timeout": 5},
        }
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "alveole"}


CACHES = {"default": cache_from_redis_url(REDIS_URL)}

# --- background jobs -------------------------------------------------------------
# Jobs wait in the database until a worker runs them (`alveole worker`, or the
# worker thread that `alveole run` starts in the embedded set-up).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ALVEOLE_EMBEDDED_WORKER = env_bool("ALVEOLE_EMBEDDED_WORKER", not REDIS_URL)
# A running job whose worker has not beaten for this long is given back to the queue.
ALVEOLE_JOB_LEASE_SECONDS = env_int("ALVEOLE_JOB_LEASE_SECONDS", 30)
ALVEOLE_JOB_MAX_ATTEMPTS = env_int("ALVEOLE_JOB_MAX_ATTEMPTS", 5)
# /healthz reports the job queue as stuck when the oldest waiting job is older than this.
ALVEOLE_JOB_STUCK_SECONDS = env_int("ALVEOLE_JOB_STUCK_SECONDS", 300)

# --- auth ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "alveole.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# People sign in as their identity (accounts.identity): allauth finds users by this field only, so a
# password reset mails the identity once, never each of its accounts.
ACCOUNT_USER_MODEL_EMAIL_FIELD = "login_email"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Alvéole] "
# Alvéole counts failed logins itself (alveole.accounts.throttle): allauth's own
# limiter answers 429 without Retry-After and only per key.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# Re-entering the current password shares those limits too (alveole.accounts.throttle).
ACCOUNT_FORMS = {
    "login": "alveole.accounts.forms.LoginForm",
    "change_password": "alveole.accounts.forms.ChangePasswordForm",
    "reset_password_from_key": "alveole.accounts.forms.ResetPasswordKeyForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Alvéole"
# allauth refuses two-factor while an address is unverified (against sign-ups with someone else's
# address). Alvéole has no sign-up: people arrive through an invitation sent to their address, or an
# admin creates them. With ACCOUNT_EMAIL_VERIFICATION "none", an address allauth records (opening the
# Email page does) stays unverified and would lock that person, even an admin required to use it, out.
MFA_ALLOW_UNVERIFIED_EMAIL = True
USERSESSIONS_TRACK_ACTIVITY = False

SESSION_COOKIE_AGE = env_int("ALVEOLE_SESSION_DAYS", 14) * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # the JS layer reads it to send X-CSRFToken

# --- i18n ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "alveole" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "alveole" / "static"]
# Static files are served from the apps by WhiteNoise; no collectstatic step needed.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env("ALVEOLE_MEDIA_ROOT") or VAR_DIR / "media")
# Uploads are never served from a public URL; they go through an access check.
MEDIA_URL = "/media-not-served/"

# --- email ---------------------------------------------------------------------
EMAIL_URL = env("EMAIL_URL", "console://")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Alvéole <alveole@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def email_from_url(url: str) -> dict:
    parsed = urlparse(url)
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    scheme = parsed.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path) or str(VAR_DIR / "mail"),
        }
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme in {"smtp", "smtps", "submission"}:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or {"smtp": 25, "smtps": 465, "submission": 587}[scheme],
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": scheme == "submission" or query.get("tls") in {"1", "true"},
            "EMAIL_TIMEOUT": 10,
        }
    raise ImproperlyConfigured("EMAIL_URL must start with console://, file://, smtp://, smtps:// or submission://.")


_email = email_from_url(EMAIL_URL)
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
globals().update(_email)

# --- Alvéole limits (each documented in the README) ------------------------------
ALVEOLE_LOGIN_FAILURES_PER_ACCOUNT = env_int("ALVEOLE_LOGIN_FAILURES_PER_ACCOUNT", 5)
ALVEOLE_LOGIN_FAILURES_PER_IP = env_int("ALVEOLE_LOGIN_FAILURES_PER_IP", 5)
ALVEOLE_LOGIN_FAILURE_WINDOW = env_int("ALVEOLE_LOGIN_FAILURE_WINDOW", 30 * 60)
ALVEOLE_BASE_URL = env("ALVEOLE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALVEOLE_INVITATION_DAYS = env_int("ALVEOLE_INVITATION_DAYS", 7)
# Guest invitations one person may send from spaces in an hour (managers and members, as policy allows).
ALVEOLE_GUEST_INVITATIONS_PER_HOUR = env_int("ALVEOLE_GUEST_INVITATIONS_PER_HOUR", 20)
ALVEOLE_API_PAGE_SIZE = env_int("ALVEOLE_API_PAGE_SIZE", 50)
ALVEOLE_TOKEN_TOUCH_SECONDS = 60
# How long each server process may reuse what it read about a personal access token (its account, organisation
# and two-factor state); 0 reads the database on every request. Revoking a token, deactivating someone or changing
# a role empties every process's cache at once (alveole/accounts/token_cache.py): this bounds only what a write
# missed by that signal (Redis away at that moment) could leave.
ALVEOLE_TOKEN_CACHE_SECONDS = env_int("ALVEOLE_TOKEN_CACHE_SECONDS", 30)
ALVEOLE_POST_MAX_LENGTH = env_int("ALVEOLE_POST_MAX_LENGTH", 10_000)
ALVEOLE_TASK_REMINDER_HOURS = env_int("ALVEOLE_TASK_REMINDER_HOURS", 24)
ALVEOLE_COMMENT_MAX_LENGTH = env_int("ALVEOLE_COMMENT_MAX_LENGTH", 5_000)
ALVEOLE_UPLOAD_MAX_BYTES = env_int("ALVEOLE_UPLOAD_MAX_MB", 25) * 1024 * 1024
# An upload never attached to a post, comment or message is deleted after this many hours (hourly job), and so is a
# file in storage that no row names (left by a crash between writing the bytes and the row).
ALVEOLE_UNSENT_FILES_HOURS = env_int("ALVEOLE_UNSENT_FILES_HOURS", 24)
ALVEOLE_ATTACHMENTS_PER_POST = env_int("ALVEOLE_ATTACHMENTS_PER_POST", 10)
ALVEOLE_IMAGE_MAX_PIXELS = env_int("ALVEOLE_IMAGE_MAX_MEGAPIXELS", 50) * 1_000_000
ALVEOLE_FEED_PAGE_SIZE = env_int("ALVEOLE_FEED_PAGE_SIZE", 30)
# Feed pages keep the reader-independent parts of their cards (byline, badges, text, files) this long in
# the cache (CACHES: Redis when REDIS_URL is set, else each process's memory), keyed by a hash of the
# rows they show, so an edit never meets a stale card (alveole/feed/cardcache.py). 0 turns it off.
ALVEOLE_PAGE_CACHE_SECONDS = env_int("ALVEOLE_PAGE_CACHE_SECONDS", 600)
# The topics directory lists at most this many topics, the most used first.
ALVEOLE_TOPICS_LISTED = env_int("ALVEOLE_TOPICS_LISTED", 300)
ALVEOLE_READS_PER_BATCH = 200
# Moderation: a space that holds newcomers' posts holds those of members who joined it less than this many days ago.
ALVEOLE_NEWCOMER_DAYS = env_int("ALVEOLE_NEWCOMER_DAYS", 7)
ALVEOLE_VOTE_REMINDER_HOURS = env_int("ALVEOLE_VOTE_REMINDER_HOURS", 24)
# Dates people may enter (due dates, deadlines, vote closings, filters), inclusive; checked by core.bounds.
ALVEOLE_DATE_MIN = env("ALVEOLE_DATE_MIN", "1900-01-01")
ALVEOLE_DATE_MAX = env("ALVEOLE_DATE_MAX", "2999-12-31")
# Live updates: a client further behind than this many events is told to refetch.
ALVEOLE_LIVE_RESUME_MAX = env_int("ALVEOLE_LIVE_RESUME_MAX", 1000)
ALVEOLE_LIVE_EVENT_DAYS = env_int("ALVEOLE_LIVE_EVENT_DAYS", 7)
ALVEOLE_LIVE_QUEUE_MAX = env_int("ALVEOLE_LIVE_QUEUE_MAX", 500)
ALVEOLE_LIVE_RECHECK_SECONDS = env_int("ALVEOLE_LIVE_RECHECK_SECONDS", 60)
# A socket whose client has not taken a frame for this long is closed (4008) and resumes later.
ALVEOLE_LIVE_SEND_TIMEOUT_SECONDS = env_int("ALVEOLE_LIVE_SEND_TIMEOUT_SECONDS", 10)
ALVEOLE_BEHIND_PROXY = env_bool("ALVEOLE_BEHIND_PROXY", False)

# --- email bridge (alveole.mail) ---------------------------------------------------
# The domain of reply+…@, space+…@ and unsubscribe+…@ addresses; empty: no reply by email, no space addresses.
ALVEOLE_MAIL_DOMAIN = env("ALVEOLE_MAIL_DOMAIN").lower()
ALVEOLE_SMTP_HOST = env("ALVEOLE_SMTP_HOST", "127.0.0.1")
ALVEOLE_SMTP_PORT = env_int("ALVEOLE_SMTP_PORT", 2525)
ALVEOLE_INBOUND_MAX_BYTES = env_int("ALVEOLE_INBOUND_MAX_MB", 40) * 1024 * 1024
ALVEOLE_REPLY_DAYS = env_int("ALVEOLE_REPLY_DAYS", 30)
ALVEOLE_EMAIL_BATCH_MINUTES = env_int("ALVEOLE_EMAIL_BATCH_MINUTES", 10)
ALVEOLE_EMAIL_DELAY_MINUTES = env_int("ALVEOLE_EMAIL_DELAY_MINUTES", 2)

# --- security --------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if ALVEOLE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("ALVEOLE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("ALVEOLE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]


def insecure_production_settings() -> list[str]:
    """Why a production configuration is unsafe to start with (empty when it is fine)."""
    problems = []
    if DEBUG:
        problems.append("ALVEOLE_DEBUG is on: turn it off in production.")
    if not env("SECRET_KEY") or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set in the environment to a random string of 50+ characters.")
    if not env("ALLOWED_HOSTS") or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must name the host names Alvéole is served on (no '*').")
    if EMAIL_BACKEND.endswith(("console.EmailBackend", "locmem.EmailBackend")):
        problems.append("EMAIL_URL must point at a real mail server (smtp://, smtps:// or submission://).")
    return problems


if PRODUCTION and (problems := insecure_production_settings()):
    raise ImproperlyConfigured("Refusing to start in production: " + " ".join(problems))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("ALVEOLE_LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per job is noise in the embedded set-up; failures are still logged.
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}

# --- Insights (issue 14): the period the figures cover, and how many posts the "most read/commented" lists show.
ALVEOLE_INSIGHTS_WEEKS = max(1, min(104, env_int("ALVEOLE_INSIGHTS_WEEKS", 12)))
ALVEOLE_INSIGHTS_TOP = max(1, min(100, env_int("ALVEOLE_INSIGHTS_TOP", 10)))

# --- Single sign-on (alveole.sso; README, "Single sign-on") ----------------------------------------------------------
SOCIALACCOUNT_ADAPTER = "alveole.sso.adapter.SocialAccountAdapter"
# Providers are configured per organisation, in the database; accounts are never made by allauth's signup.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# Allow issuers and IdP addresses over http or on private networks (a local provider); never in production.
ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS = env_bool("ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS", False)
if PRODUCTION and ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS:
    raise ImproperlyConfigured("Refusing to start in production: ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS is on.")
MIDDLEWARE = [*MIDDLEWARE, "alveole.sso.middleware.PasswordLoginPolicyMiddleware"]

# --- Provisioning (SCIM 2.0, README "Provisioning (SCIM)"): how many resources one search answers with at
# most (filter.maxResults and maxPageSize), and when the provider asks for no count.
ALVEOLE_SCIM_MAX_RESULTS = env_int("ALVEOLE_SCIM_MAX_RESULTS", 200)
ALVEOLE_SCIM_PAGE_SIZE = min(env_int("ALVEOLE_SCIM_PAGE_SIZE", 100), ALVEOLE_SCIM_MAX_RESULTS)

# --- Search (issue 14): alveole/search ---------------------------------------------------------------
ALVEOLE_SEARCH_PAGE_SIZE = env_int("ALVEOLE_SEARCH_PAGE_SIZE", 20)  # results per page
ALVEOLE_SEARCH_INDEXED_CHARS = env_int("ALVEOLE_SEARCH_INDEXED_CHARS", 20000)  # text kept per item
ALVEOLE_SEARCH_PDF_PAGES = env_int("ALVEOLE_SEARCH_PDF_PAGES", 20)  # pages of a PDF read for its text
ALVEOLE_SEARCH_RANK_WINDOW = env_int("ALVEOLE_SEARCH_RANK_WINDOW", 1000)  # newest matches ranked per search

# --- Web Push (issue 16; README, "Push notifications"): the VAPID key, who push services may contact, and the
# pushes' lifetime. The key is made on first need into var/ (never committed); see alveole/notifications/vapid.py.
ALVEOLE_VAPID_PRIVATE_KEY_FILE = Path(env("ALVEOLE_VAPID_PRIVATE_KEY_FILE") or VAR_DIR / "vapid_private.pem")
ALVEOLE_VAPID_SUBJECT = env("ALVEOLE_VAPID_SUBJECT", "")  # mailto: or https:; default: mailto:DEFAULT_FROM_EMAIL
ALVEOLE_PUSH_TTL_SECONDS = env_int("ALVEOLE_PUSH_TTL_SECONDS", 86400)  # how long a push service keeps a push
ALVEOLE_PUSH_TIMEOUT_SECONDS = env_int("ALVEOLE_PUSH_TIMEOUT_SECONDS", 10)
ALVEOLE_PUSH_MAX_ATTEMPTS = env_int("ALVEOLE_PUSH_MAX_ATTEMPTS", 5)  # then a push that keeps failing is given up
ALVEOLE_PUSH_MAX_AGE_HOURS = env_int("ALVEOLE_PUSH_MAX_AGE_HOURS", 72)  # older held pushes are dropped, not sent
# Push endpoints over http or on private networks (a push service run by the tests); never in production.
ALVEOLE_PUSH_ALLOW_INSECURE_ENDPOINTS = env_bool("ALVEOLE_PUSH_ALLOW_INSECURE_ENDPOINTS", False)
if PRODUCTION and ALVEOLE_PUSH_ALLOW_INSECURE_ENDPOINTS:
    raise ImproperlyConfigured("Refusing to start in production: ALVEOLE_PUSH_ALLOW_INSECURE_ENDPOINTS is on.")


# --- Direct messages (issue 16): alveole/conversations ------------------------------------------------
ALVEOLE_CONVERSATION_MAX_PEOPLE = env_int("ALVEOLE_CONVERSATION_MAX_PEOPLE", 20)  # everyone, the writer included
ALVEOLE_MESSAGE_MAX_LENGTH = env_int("ALVEOLE_MESSAGE_MAX_LENGTH", 5_000)  # characters of one message
# Files on one direct message (each within ALVEOLE_UPLOAD_MAX_BYTES and the organisation's upload policy).
ALVEOLE_MESSAGE_FILES_MAX = env_int("ALVEOLE_MESSAGE_FILES_MAX", 5)
