"""Retaguarda settings, read from the environment (12-factor).

Every variable is documented in the README's configuration table. Defaults
give the embedded set-up: SQLite, local-memory cache, database task queue,
files on disk. ``DATABASE_URL``, ``REDIS_URL`` and friends switch to
PostgreSQL, Redis and the rest without code changes.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from plugins.registry import plugin_apps

SITE_DIR = Path(__file__).resolve().parent.parent.parent
BASE_DIR = SITE_DIR.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env(name)
    try:
        return default if value is None else int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}."
        ) from exc


def env_decimal(name: str, default: str) -> Decimal:
    """A number written with a dot for decimals ("5000", "5000.00")."""
    value = env(name) or default
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(
            f"{name} must be a number such as 5000.00, not {value!r}."
        ) from exc
    if not number.is_finite() or number < 0:
        raise ImproperlyConfigured(f"{name} must be zero or more, not {value!r}.")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    value = env(name, default) or ""
    return [part.strip() for part in value.replace(" ", ",").split(",") if part.strip()]


# -- Core ----------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

#: Names of the plugins that run. Unset: the built-in set; empty: none.
RETAGUARDA_PLUGINS_SETTING = os.environ.get("RETAGUARDA_PLUGINS")
RETAGUARDA_PLUGIN_APPS = plugin_apps(RETAGUARDA_PLUGINS_SETTING)

#: Demo mode: ``manage.py seed_demo`` creates demo users only when this is on
#: and DEBUG is on.
RETAGUARDA_DEMO = env_bool("RETAGUARDA_DEMO", False)
#: Where ``seed_demo`` also writes the demo users and API key it prints.
RETAGUARDA_DEMO_CREDENTIALS_FILE = env(
    "RETAGUARDA_DEMO_CREDENTIALS_FILE", str(BASE_DIR / "var" / "demo-credentials.txt")
)

INSTALLED_APPS = [
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Libraries
    "guardian",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "import_export",
    "corsheaders",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # Retaguarda core
    "content",
    "api",
    # Enabled plugins, requirements first
    *RETAGUARDA_PLUGIN_APPS,
    # The framework last: its post_migrate handler syncs roles once every app's
    # permissions exist, and its hooks run after Wagtail's.
    "plugins",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # API request bodies too large or nested too deep: a problem document
    # before anything else reads them.
    "api.middleware.ApiRequestBodyMiddleware",
    # Cached public API responses, before the rest of the stack.
    "api.middleware.CachedApiResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Answers a login that is locked out (api.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "retaguarda.urls"
WSGI_APPLICATION = "retaguarda.wsgi.application"
ASGI_APPLICATION = "retaguarda.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# -- Database ------------------------------------------------------------------

# Connections are kept open between requests (a PostgreSQL connection costs
# more to open than a typical request spends in queries); the health check
# replaces one the server dropped.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the database lock when their transaction begins (no lock
    # upgrade deadlocks) and wait for it instead of failing at once; WAL lets
    # readers go on while one writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Every query binds its parameters on the server (Django's documented
    # ``server_side_binding``), so that psycopg prepares a statement on a
    # connection's 5th run and PostgreSQL then skips parsing and planning it:
    # the statements of every order run the same text each time. Off
    # (DATABASE_PREPARED_STATEMENTS=false) behind a proxy that pools
    # connections per transaction without tracking prepared statements.
    prepared = env_bool("DATABASE_PREPARED_STATEMENTS", True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=prepared, prepare_threshold=5 if prepared else None
    )
    # A second connection to the same database, for what others must see
    # before the transaction around it ends: an import's progress, while the
    # import writes its rows in one transaction. Its writes wait for no lock
    # for long (a progress figure is not worth blocking an import for).
    DATABASES["progress"] = {
        **DATABASES["default"],
        "OPTIONS": {
            **DATABASES["default"]["OPTIONS"],
            "options": " ".join(
                [
                    DATABASES["default"]["OPTIONS"].get("options", ""),
                    "-c lock_timeout=2s",
                ]
            ).strip(),
        },
        "TEST": {"MIRROR": "default"},
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour: URL fields assume https

# -- Cache and background tasks -------------------------------------------------

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "retaguarda",
        }
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    INSTALLED_APPS += ["django_rq"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# -- Authentication and permissions ---------------------------------------------

AUTHENTICATION_BACKENDS = [
    # First: refuses logins locked out after too many failures (api.lockout).
    "api.lockout.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "anonymous user": anonymous visitors hold no object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
GUARDIAN_MONKEY_PATCH_GROUP = False

_VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATION}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATION}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATION}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATION}.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
#: The admin's login form: Wagtail's, with its password field labelled in pt-BR.
WAGTAILADMIN_USER_LOGIN_FORM = "plugins.forms.LoginForm"

#: Reverse proxies (load balancers) in front of the app servers, each
#: appending to X-Forwarded-For. 0: clients connect directly and the header is
#: ignored. The client address (login lock-out, throttles) is the address the
#: outermost proxy saw; a client cannot choose it by sending the header.
RETAGUARDA_NUM_PROXIES = env_int("RETAGUARDA_NUM_PROXIES", 0)

# Login lock-out (django-axes, api.lockout): after this many failed logins from
# one address or for one user name, logins from there or for it are refused,
# the right password included, for the cool-off (or until a manager unlocks).
AXES_FAILURE_LIMIT = env_int("RETAGUARDA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env_int("RETAGUARDA_LOGIN_COOLOFF_MINUTES", 15)
)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "api.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "api.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts while locked out do not push the end of the lock-out further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False  # lock-outs are listed in Wagtail's settings
AXES_VERBOSE = False
# No table of every successful login (address, browser) growing forever; the
# failed attempts are kept for the cool-off only.
AXES_DISABLE_ACCESS_LOG = True

# -- Internationalisation ------------------------------------------------------

LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Brazilian Portuguese")), ("en", _("English"))]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("pt-br", "Português (Brasil)")]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [SITE_DIR / "locale"]
# Dates are typed and shown dd/mm/aaaa in every admin input (and its picker),
# in any admin language: retaguarda.formats reads them so (ISO dates too).
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
FORMAT_MODULE_PATH = ["retaguarda.formats"]

# -- Catalog import and preview ----------------------------------------------------

RETAGUARDA_IMPORT_MAX_BYTES = env_int("RETAGUARDA_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
RETAGUARDA_IMPORT_MAX_ROWS = env_int("RETAGUARDA_IMPORT_MAX_ROWS", 200_000)
RETAGUARDA_IMPORT_MAX_XLSX_UNCOMPRESSED = env_int(
    "RETAGUARDA_IMPORT_MAX_XLSX_UNCOMPRESSED", 300 * 1024 * 1024
)
#: The largest compression ratio of a part of an XLSX (a worksheet of a
#: genuine workbook compresses about 12:1; a ZIP bomb several hundred).
RETAGUARDA_IMPORT_MAX_XLSX_RATIO = env_int("RETAGUARDA_IMPORT_MAX_XLSX_RATIO", 100)
#: Files with more rows than this run as a background task with progress.
RETAGUARDA_IMPORT_INLINE_ROWS = env_int("RETAGUARDA_IMPORT_INLINE_ROWS", 2_000)
RETAGUARDA_PREVIEW_TOKEN_MAX_AGE = env_int("RETAGUARDA_PREVIEW_TOKEN_MAX_AGE", 3600)
#: The storefront's preview address, ``{token}`` replaced by a preview token:
#: the admin's "View on the storefront" opens it (empty: shows the token).
RETAGUARDA_STOREFRONT_PREVIEW_URL = env("RETAGUARDA_STOREFRONT_PREVIEW_URL", "")
#: Days an uploaded order import file may be kept at the most (it holds
#: customers' personal data): ``manage.py purge_import_files`` deletes older ones.
RETAGUARDA_IMPORT_FILE_RETENTION_DAYS = env_int(
    "RETAGUARDA_IMPORT_FILE_RETENTION_DAYS", 30
)
#: Allow webhooks to addresses on private or local networks (off: only the
#: internet), e.g. for a receiver on the same network.
RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = env_bool("RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE", False)

# -- Logistics ---------------------------------------------------------------------

#: Seconds a freight quote id stays valid for an order to name it.
RETAGUARDA_FREIGHT_QUOTE_TTL = env_int("RETAGUARDA_FREIGHT_QUOTE_TTL", 1800)

# -- Stock -------------------------------------------------------------------------

#: Sell SKUs that were never stocked in any warehouse, without reserving units
#: (off: such orders are refused as out of stock).
RETAGUARDA_STOCK_SELL_UNTRACKED = env_bool("RETAGUARDA_STOCK_SELL_UNTRACKED", False)
#: A level at or below this many available units is "low stock".
RETAGUARDA_STOCK_LOW_THRESHOLD = env_int("RETAGUARDA_STOCK_LOW_THRESHOLD", 5)
#: Who gets an e-mail when a level falls to its reorder point.
RETAGUARDA_STOCK_ALERT_EMAILS = env_list("RETAGUARDA_STOCK_ALERT_EMAILS")
#: The longest a storefront may hold units for a cart, in minutes.
RETAGUARDA_STOCK_HOLD_MAX_MINUTES = env_int("RETAGUARDA_STOCK_HOLD_MAX_MINUTES", 60)

# -- Finance -----------------------------------------------------------------------

#: Fernet keys that encrypt stored secrets (provider credentials), newest
#: first; required when DEBUG is off (plugins.crypto).
RETAGUARDA_ENCRYPTION_KEYS = env_list("RETAGUARDA_ENCRYPTION_KEYS")
#: Bills whose total is above this many reais wait for a second person's
#: approval (finance.approve_bill) before they may be paid.
RETAGUARDA_FINANCE_APPROVAL_ABOVE = env_decimal(
    "RETAGUARDA_FINANCE_APPROVAL_ABOVE", "5000.00"
)
#: Reconciliation: a difference of at most this many reais between a
#: statement line and the title it settles is booked as a fee.
RETAGUARDA_FINANCE_RECONCILE_TOLERANCE = env_decimal(
    "RETAGUARDA_FINANCE_RECONCILE_TOLERANCE", "0.05"
)
#: A batch payout (one line for many receivables) may fall short of their
#: sum by this percentage of it (the acquirer's or marketplace's fees).
RETAGUARDA_FINANCE_RECONCILE_BATCH_PERCENT = env_decimal(
    "RETAGUARDA_FINANCE_RECONCILE_BATCH_PERCENT", "1.00"
)
#: How many days from a title's due date a line may fall to be matched by
#: amount and date, or as a batch payout.
RETAGUARDA_FINANCE_RECONCILE_WINDOW_DAYS = env_int(
    "RETAGUARDA_FINANCE_RECONCILE_WINDOW_DAYS", 3
)
#: The chart of accounts line (by its code) the bills of the supplier NF-e
#: received by the fiscal plugin are classified in.
RETAGUARDA_FISCAL_PURCHASE_CATEGORY = env(
    "RETAGUARDA_FISCAL_PURCHASE_CATEGORY", "01.01"
)
#: Demo mode: the loopback ports of the payment providers' simulators that
#: ``make run`` starts and the demo provider accounts point at, and the
#: directory where the simulators keep their payments between restarts.
RETAGUARDA_DEMO_MERCADOPAGO_PORT = env_int("RETAGUARDA_DEMO_MERCADOPAGO_PORT", 8701)
RETAGUARDA_DEMO_PAGBANK_PORT = env_int("RETAGUARDA_DEMO_PAGBANK_PORT", 8702)
RETAGUARDA_DEMO_CORREIOS_PORT = env_int("RETAGUARDA_DEMO_CORREIOS_PORT", 8811)
RETAGUARDA_DEMO_SIMULATORS_DIR = BASE_DIR / env(
    "RETAGUARDA_DEMO_SIMULATORS_DIR", "var/simulators"
)

# -- Fiscal (NF-e) ----------------------------------------------------------------

#: One base address for every NF-e authoriser (the local SEFAZ simulator in
#: the demo and the tests: ``http://127.0.0.1:8703``); empty: the official
#: addresses of each UF and environment (plugins.fiscal.sefaz).
RETAGUARDA_FISCAL_AUTHORISER_URL = env("RETAGUARDA_FISCAL_AUTHORISER_URL", "")
#: The file of the roots the authorisers' TLS certificates chain to
#: (ICP-Brasil); empty: the system's.
RETAGUARDA_FISCAL_CA_BUNDLE = env("RETAGUARDA_FISCAL_CA_BUNDLE", "")
#: Seconds to wait for an authoriser's answer.
RETAGUARDA_FISCAL_TIMEOUT = env_int("RETAGUARDA_FISCAL_TIMEOUT", 30)
#: Hours after its authorisation within which an NF-e may be cancelled (24 by
#: the national rule; a few states allow more).
RETAGUARDA_FISCAL_CANCEL_HOURS = env_int("RETAGUARDA_FISCAL_CANCEL_HOURS", 24)

# -- Static and media files ----------------------------------------------------

STATIC_URL = env("STATIC_URL", "/static/")
STATIC_ROOT = env("STATIC_ROOT", str(BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = env("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
#: Uploaded documents never served from an address (suppliers' boletos,
#: invoices): outside MEDIA_ROOT, sent only by views that check permissions.
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "plugins.storage.PrivateFileStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# -- E-mail --------------------------------------------------------------------

EMAIL_HOST = env("EMAIL_HOST")
#: Without SMTP (no EMAIL_HOST), e-mails are written as files into this
#: directory (relative: to the project's; the demo's is var/mail), or printed
#: on the console when it is empty.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", "")
if EMAIL_FILE_PATH:
    EMAIL_FILE_PATH = str(BASE_DIR / EMAIL_FILE_PATH)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Retaguarda <nao-responda@localhost>")
# Post-sale survey: where the storefront answers it ({token} is replaced), and
# whether to e-mail it to the customer on delivery (default: when SMTP is set).
RETAGUARDA_SURVEY_URL = env(
    "RETAGUARDA_SURVEY_URL", "http://localhost:3000/pesquisa/{token}"
)
RETAGUARDA_SURVEY_EMAILS = env_bool("RETAGUARDA_SURVEY_EMAILS", bool(EMAIL_HOST))
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# -- Security (production defaults; relaxed only when DEBUG is on) ---------------

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", True) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail sets SAMEORIGIN on its preview views itself

# -- Wagtail -------------------------------------------------------------------

WAGTAIL_SITE_NAME = env("RETAGUARDA_SITE_NAME", "Retaguarda")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "docx",
    "key",
    "odt",
    "pdf",
    "pptx",
    "rtf",
    "txt",
    "xlsx",
    "zip",
]
WAGTAILADMIN_COMMENTS_ENABLED = True
# No avatar look-ups on a third-party service: the admin works offline.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor release checks against Wagtail's server on every dashboard load, nor the
# "what's new in Wagtail" banner pointing at its (English) editor guide (should
# a release bring it back); upgrades are the deployment's business, not the
# staff's.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# -- API -----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Staff endpoints: personal tokens (scripts, integrations) and the
        # admin session (browsable API). Storefront views use API keys.
        "api.authentication.StaffTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_SCHEMA_CLASS": "api.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.errors.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The client address of throttles: see RETAGUARDA_NUM_PROXIES.
    "NUM_PROXIES": RETAGUARDA_NUM_PROXIES,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )
SPECTACULAR_SETTINGS = {
    "TITLE": "Retaguarda API",
    "DESCRIPTION": "Headless back office: storefront and staff endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Request bodies get their own components, so that required text fields
    # say they cannot be blank (minLength 1), as the serializers enforce.
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["api.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_plugin_payload_fields",
        "api.schema.problem_extension_members",
    ],
}
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
# Storefronts send an Idempotency-Key with each order and read whether it was a
# replay.
CORS_ALLOW_HEADERS = (*cors_default_headers, "idempotency-key", "x-api-key")
CORS_EXPOSE_HEADERS = ["Idempotent-Replayed", "Location"]

# -- Logging -------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The handler filters too: commands that set their own loggers' levels
    # (the task worker sets INFO) still print only from LOG_LEVEL up.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "level": env("LOG_LEVEL", "INFO"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failed logins and lock-outs (warnings), not every login.
        "axes": {"level": "WARNING"},
    },
}
