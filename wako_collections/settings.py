"""Settings for wako-collections, read from the environment (see the README's table).

WAKO_ENV selects the defaults: "production" (the default: secure cookies, HTTPS, no default
secret), "development" (the README's start command) or "test" (the README's test command).
"""

import os
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from wako_collections.env import (
    env_bool,
    env_choice,
    env_database_url,
    env_int,
    env_list,
    env_minutes,
    env_networks,
    env_origins,
    env_str,
    env_time_range,
)
from wako_collections.key_store import parse_keys  # the key format; imports no app

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_choice("WAKO_ENV", ("production", "development", "test"), "production")
IS_PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=ENVIRONMENT == "development")

if IS_PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
else:
    SECRET_KEY = env_str(
        "SECRET_KEY", default=f"wako-{ENVIRONMENT}-only-key-not-for-production-use-0123456789"
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_origins("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",  # only for migration accounts 0013, which emptied its table (accounts.AuthenticatorApp)
    "django_otp_webauthn",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "wako_collections",
    "accounts",
    "taxpayers",
    "negotiations",
    "dispositions",
    "reductions",
    "refunds",
    "documents",
    "cases",
    "audit",
    "jobs",
    "exchange",
    "exports",
]

MIDDLEWARE = [
    # Outermost: a request that failed because the database could not be reached (PostgreSQL out of
    # connections, restarting) is answered with the 503 page in every mode, DEBUG too.
    "wako_collections.database_errors.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "wako_collections.control_characters.ControlCharacterMiddleware",
    "accounts.middleware.TerminalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.RequireVerifiedStaffMiddleware",
    "wako_collections.actors.ActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wako_collections.headers.NoStoreMiddleware",
    # the 405 page in Japanese (Django has no handler405)
    "wako_collections.method_not_allowed.MethodNotAllowedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wako_collections.urls"
WSGI_APPLICATION = "wako_collections.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "wako_collections.menus.menu",
                "accounts.context.header",
                "wako_collections.city.city",
            ],
            "builtins": [
                "wako_collections.templatetags.wareki",
                "wako_collections.templatetags.money",
                "wako_collections.templatetags.safeguards",
                "wako_collections.templatetags.submissions",
            ],
        },
    },
]

DATABASES = {
    "default": env_database_url(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/wako_collections",
        # Reused connections only under gunicorn, whose threads are a fixed number (gunicorn.conf.py:
        # workers × threads, 20 by default); runserver starts a thread per request and each thread kept
        # its own connection for a minute (17 idle ones exhausted PostgreSQL). Outside production a
        # connection ends with its request.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if ENVIRONMENT == "production" else 0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    # Compares with the fields Staff has (職員番号, 氏名, 宛名番号, 所属), not username/email.
    {"NAME": "accounts.passwords.StaffAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's default list with its PBKDF2 hasher run below the pages (accounts.passwords; the same
# hashes). Django's own PBKDF2 class is left out: two hashers of one algorithm, the last listed wins.
PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS = [
    "accounts.passwords.BackgroundPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if ENVIRONMENT == "test":
    # Hashing at full strength would make the suite minutes slower; production keeps PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# Uploaded import files wait here only while they are imported (deleted right after); every file
# in it belongs to an ImportLog (taxpayers/spool.py). Web and worker must share the directory.
IMPORT_SPOOL_DIR = Path(env_str("IMPORT_SPOOL_DIR", default=str(BASE_DIR / ".data" / "import-spool")))
# Files the app keeps (the combined PDF of each 一括発行, FileField's storage). Never served as
# static files: a batch's PDF is downloaded only through its view, which checks the menu and logs
# the access. Web and worker must share the directory (or configure STORAGES["default"]).
MEDIA_ROOT = Path(env_str("FILE_STORAGE_DIR", default=str(BASE_DIR / ".data" / "files")))
if not MEDIA_ROOT.is_absolute():
    raise ImproperlyConfigured(f"FILE_STORAGE_DIR={str(MEDIA_ROOT)!r} must be an absolute path")
# The largest CSV the import page accepts; a bigger body is refused before it is read.
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 200, minimum=1)
IMPORT_MAX_UPLOAD_BYTES = IMPORT_MAX_UPLOAD_MB * 1024 * 1024
# An import still running this long after it started is taken as dead (its worker was killed):
# the sweep deletes its file and closes it as failed. Above the longest import plus the longest
# wait behind other background work (a 1,000,000-row import takes about a minute).
IMPORT_STUCK_TIMEOUT = env_minutes("IMPORT_STUCK_MINUTES", 60)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_000

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Sessions (Part III: idle timeout, absolute limit, server-side sessions) ---
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = env_minutes("SESSION_IDLE_MINUTES", 15)
SESSION_ABSOLUTE_TIMEOUT = env_minutes("SESSION_ABSOLUTE_MINUTES", 9 * 60)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_NAME = "wako_session"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"

# --- Two factors ---
OTP_TOTP_ISSUER = env_str("OTP_ISSUER", default="和光市 滞納整理システム")
OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp doubles the wait after each wrong code
# Security keys and platform authenticators (fingerprint, face) through django-otp-webauthn: a
# second factor only, after the password (never passwordless). The relying party is the host name
# staff type; the allowed origins are the exact origins (scheme, host, port) they use.
_SERVED_HOSTS = [host for host in ALLOWED_HOSTS if not host.startswith(".") and host != "*"]
OTP_WEBAUTHN_RP_ID = env_str(
    "WEBAUTHN_RP_ID",
    default=_SERVED_HOSTS[0] if IS_PRODUCTION and _SERVED_HOSTS else "localhost",
    pattern=r"[A-Za-z0-9.\-]+",
    shape="a host name (no scheme, no port)",
)
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_origins(
    "WEBAUTHN_ORIGINS",
    [f"https://{host}" for host in _SERVED_HOSTS] if IS_PRODUCTION else ["http://localhost:8000"],
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# --- Lockout (django-axes): per staff number, never per IP (an office shares one address) ---
AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = env_minutes("LOCKOUT_MINUTES", 30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.identity.attempted_staff_number"
AXES_RESET_ON_SUCCESS = True
# The lock lasts 30 minutes from the fifth failure; attempts during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "accounts.terminals.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False

# --- Terminals (更新端末番号) ---
# Addresses of reverse proxies whose X-Forwarded-For is believed; every other sender's header is ignored.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
# The widest range one terminal may cover (a shorter prefix is refused: 0.0.0.0/0 is "everyone").
TERMINAL_WIDEST_PREFIX_IPV4 = env_int("TERMINAL_WIDEST_PREFIX_IPV4", 24, minimum=8)
TERMINAL_WIDEST_PREFIX_IPV6 = env_int("TERMINAL_WIDEST_PREFIX_IPV6", 64, minimum=16)
if TERMINAL_WIDEST_PREFIX_IPV4 > 32 or TERMINAL_WIDEST_PREFIX_IPV6 > 128:
    raise ImproperlyConfigured(
        "TERMINAL_WIDEST_PREFIX_IPV4 must be at most 32, TERMINAL_WIDEST_PREFIX_IPV6 at most 128"
    )

# --- Four eyes on privileges (accounts.PrivilegeChange) ---
# Roles whose members confirm another person's request to create staff, change a role or register
# or change a terminal (never their own request, never a change for themselves).
PRIVILEGE_CONFIRMER_ROLES = env_list("PRIVILEGE_CONFIRMER_ROLES", ["監督者", "システム管理者"])
# Each name is checked against the roles when the app starts (accounts/apps.py).
if not PRIVILEGE_CONFIRMER_ROLES:
    raise ImproperlyConfigured("PRIVILEGE_CONFIRMER_ROLES must name at least one role")

# --- Background work (Django's task framework, database backend) ---
TASKS = {
    "default": {
        # Tests run tasks at once, in the request that enqueues them; everywhere else a worker does.
        "BACKEND": env_str(
            "TASKS_BACKEND",
            default="django_tasks.backends.immediate.ImmediateBackend"
            if ENVIRONMENT == "test"
            else "django_tasks_db.DatabaseBackend",
            pattern=r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+",
            shape="a dotted path to a task backend class",
        ),
        "QUEUES": ["default"],
    }
}

# --- Security headers ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=IS_PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- The city (printed on screens and forms) ---
CITY_NAME = env_str("CITY_NAME", default="和光市")
CITY_DEPARTMENT = env_str("CITY_DEPARTMENT", default="総務部収納課")
CITY_ADDRESS = env_str("CITY_ADDRESS", default="〒351-0192 埼玉県和光市広沢1番5号")
CITY_PHONE = env_str("CITY_PHONE", default="048-424-9111")
# 納付書: the 請求書発行企業コード GS1 Japan assigns for convenience-store payment (6 digits). The
# default is the guideline's own example code, not a real one: set the city's before printing.
CONVENIENCE_COMPANY_CODE = env_str(
    "CONVENIENCE_COMPANY_CODE", default="912345", pattern=r"\d{6}", shape="six digits"
)
# Batches render this many documents per WeasyPrint run (memory stays bounded; see docs/performance.md).
DOCUMENT_BATCH_CHUNK = env_int("DOCUMENT_BATCH_CHUNK", 250, minimum=1)
# …on this many processes (WeasyPrint's layout is single-threaded Python; 2 = this machine's cores).
DOCUMENT_RENDER_PROCESSES = env_int(
    "DOCUMENT_RENDER_PROCESSES", 1 if ENVIRONMENT == "test" else os.cpu_count() or 1, minimum=1
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every handler drops what looks like a 個人番号 from messages and tracebacks (Part III).
    "filters": {"individual_numbers": {"()": "taxpayers.individual_numbers.RedactIndividualNumbers"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["individual_numbers"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), "INFO"),
    },
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SILENCED_SYSTEM_CHECKS = [
    # axes.W006 asks to lock by IP address as well. The office shares one address, so an IP lock
    # would lock every officer at once; lockout is per staff number by design, and only
    # registered terminals reach the login page at all.
    "axes.W006",
]

# Outside production WhiteNoise serves straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION


# --- 個人番号 keys (never SECRET_KEY). "id:base64(32 bytes)" entries, current first, plus
# "hmac:base64(32 bytes)"; from INDIVIDUAL_NUMBER_KEYS or the file INDIVIDUAL_NUMBER_KEYS_FILE.
def _individual_number_keys():
    import base64
    import hashlib

    text = env_str("INDIVIDUAL_NUMBER_KEYS", default="")
    key_file = env_str("INDIVIDUAL_NUMBER_KEYS_FILE", default="")
    if key_file:
        try:
            text = Path(key_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ImproperlyConfigured(
                f"INDIVIDUAL_NUMBER_KEYS_FILE: cannot read {key_file} ({error})"
            ) from None
    if not text and not IS_PRODUCTION:
        # Development and test only: fixed keys derived from a public phrase.
        def derived(label):
            return base64.b64encode(hashlib.sha256(f"wako-{ENVIRONMENT}-{label}".encode()).digest()).decode()

        text = f"dev1:{derived('aes')},hmac:{derived('hmac')}"
    try:
        keys, hmac_key = parse_keys(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"INDIVIDUAL_NUMBER_KEYS: {error}") from None
    if not keys or hmac_key is None:
        raise ImproperlyConfigured(
            "INDIVIDUAL_NUMBER_KEYS (or INDIVIDUAL_NUMBER_KEYS_FILE) must hold an AES key and an hmac key"
        )
    return keys, hmac_key


INDIVIDUAL_NUMBER_KEYS, INDIVIDUAL_NUMBER_HMAC_KEY = _individual_number_keys()


# --- The ledger (taxpayers/README.md) ---
# Order in which a payment is applied: 督促手数料, 本税, 延滞金 (本税 always before 延滞金); checked when
# the app starts (taxpayers/apps.py). The ordinance's figures (督促手数料, the 保険料's lower-rate
# months) are dated data with their source, not settings: taxpayers/ordinance.py.
PAYMENT_ALLOCATION_ORDER = tuple(env_list("PAYMENT_ALLOCATION_ORDER", ["fee", "principal", "late_charge"]))

# --- The negotiation file (negotiations/README.md) ---
PROMISE_GRACE_DAYS = env_int("PROMISE_GRACE_DAYS", 3)  # days after 予実日 before a promise is judged
PLEDGE_GRACE_DAYS = env_int("PLEDGE_GRACE_DAYS", 7)  # days after a 分納 date before it counts as missed
NO_CONTACT_DAYS = env_int(
    "NO_CONTACT_DAYS", 90, minimum=1
)  # a delinquent case with no contact this long is queued
PRESCRIPTION_WARNING_DAYS = env_int("PRESCRIPTION_WARNING_DAYS", 180, minimum=1)

# --- Access-log analysis (audit/findings.py) ---
# 開庁時間 "HH:MM-HH:MM"; weekends, national holidays (jpholiday) and the year-end closure are closed.
# The closed days themselves have one definition: taxpayers/deadlines.py is_closed.
OFFICE_HOURS = env_time_range("OFFICE_HOURS", default="08:30-17:15")
ACCESS_VOLUME_FACTOR = env_int("ACCESS_VOLUME_FACTOR", 3, minimum=1)  # × the officer's usual day
ACCESS_VOLUME_MINIMUM = env_int(
    "ACCESS_VOLUME_MINIMUM", 30, minimum=1
)  # taxpayers a day, never flagged below
ACCESS_BASELINE_DAYS = env_int("ACCESS_BASELINE_DAYS", 30, minimum=7)  # the usual: median of these days
# an export (exports/) of this many taxpayers or more is flagged by the access-log analysis
EXPORT_LARGE_ROWS = env_int("EXPORT_LARGE_ROWS", 500, minimum=1)
# Retention (manage.py purge_retention): access logs and closed cases' 個人番号, in years. The floor
# is law, not taste: 地方税法第18条 (徴収権の時効 5年) and 第17条の5 (更正・決定 5年) — a record may be
# needed as long as the tax can still be assessed or collected; the default 7 covers the 7 years
# 第17条の5 allows where tax was evaded by 偽りその他不正の行為. RETENTION_MINIMUM_YEARS may be raised,
# never set below 5.
RETENTION_MINIMUM_YEARS = env_int("RETENTION_MINIMUM_YEARS", 5, minimum=5)
RETENTION_YEARS = env_int("RETENTION_YEARS", max(7, RETENTION_MINIMUM_YEARS), minimum=RETENTION_MINIMUM_YEARS)
# The 職員番号 (an active officer holding 監査) in whose name the scheduler makes the monthly dry run of
# purge_retention (jobs/schedule.py); empty: not scheduled. The real purge is always run by a person.
RETENTION_REPORT_OPERATOR = env_str("RETENTION_REPORT_OPERATOR", default="")
# Where the scheduler writes the nightly backup (pg_dump); empty: no scheduled backup.
BACKUP_DIR = env_str("BACKUP_DIR", default="")

# 逆連携 (exchange/): the results sent back to the 税務システム through the 庁内データ連携 file exchange.
# Each run's files appear in EXCHANGE_OUTBOUND_DIR only once complete (written beside it, then renamed).
EXCHANGE_OUTBOUND_DIR = Path(
    env_str("EXCHANGE_OUTBOUND_DIR", default=str(BASE_DIR / ".data" / "exchange-outbound"))
)
if not EXCHANGE_OUTBOUND_DIR.is_absolute():
    raise ImproperlyConfigured(
        f"EXCHANGE_OUTBOUND_DIR={str(EXCHANGE_OUTBOUND_DIR)!r} must be an absolute path"
    )
EXCHANGE_ENCODING = env_choice("EXCHANGE_ENCODING", ("utf-8", "cp932"), "utf-8")
