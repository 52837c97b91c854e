"""Settings, read from the environment (twelve-factor).

With nothing set, the app runs on a SQLite file and a filesystem Celery broker, so a fresh
machine needs Python alone. Deployment sets DATABASE_URL, REDIS_URL, SECRET_KEY and DEBUG=0.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SMARKETING_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("SMARKETING_TESTING", default=False)

_DEVELOPMENT_SECRET = "dev-only-insecure-secret-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEVELOPMENT_SECRET
elif SECRET_KEY == _DEVELOPMENT_SECRET and not DEBUG:
    raise ImproperlyConfigured("The development SECRET_KEY is refused when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "axes",
    "smarketing.accounts",
    "smarketing.tenancy",
    "smarketing.events",
    "smarketing.api",
    "smarketing.webhooks",
    "smarketing.notifications",
    "smarketing.privacy",
    "smarketing.home",
    "leads",
    "personas",
    "sla",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "smarketing.api.ratelimit.RefusedKeyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smarketing.urls"
WSGI_APPLICATION = "smarketing.wsgi.application"

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
                "smarketing.tenancy.context_processors.tenancy",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, sending the tenant scope to the session only when it changes.
    DATABASES["default"]["ENGINE"] = "smarketing.tenancy.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share the file. WAL lets pages read while the
    # worker writes; a write transaction takes the lock when it begins (IMMEDIATE), so two
    # writers queue for up to `timeout` seconds instead of one failing on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tenancy:landing"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out login may try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form posts the e-mail as `username`
AXES_USERNAME_CALLABLE = "smarketing.accounts.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "smarketing.accounts.lockout.lockout_response"
# The client address behind reverse proxies (docs/security.md): with TRUSTED_PROXY_COUNT=N,
# the N-th address from the right of CLIENT_IP_HEADER; with 0 (served directly), the socket's.
AXES_CLIENT_IP_CALLABLE = "smarketing.accounts.lockout.client_ip"
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
CLIENT_IP_HEADER = "HTTP_" + os.environ.get("CLIENT_IP_HEADER", "X-Forwarded-For").upper().replace(
    "-", "_"
)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
    ("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# --- Redis, cache, Celery -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "smarketing.cache.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # An embedded broker: queues are folders, so the demo needs no server.
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Folders are polled: a short interval lets /healthz hear a worker's pong in time.
        "polling_interval": 0.1,
    }
    for _folder in ("queue", "control", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A kicked outbox relay waits this long before it claims rows, so that one run relays a
# burst of commits (docs/performance.md); 0 relays each commit's rows on their own.
OUTBOX_RELAY_LINGER_SECONDS = float(os.environ.get("OUTBOX_RELAY_LINGER_SECONDS", "0.1"))
CELERY_TASK_EAGER_PROPAGATES = True

# Web workers keep what an API key stands for, checked against a token in Redis on every
# request (smarketing/tenancy/credentials.py); off, every request reads the database.
API_KEYS_KEPT_PER_WORKER = env_bool("API_KEYS_KEPT_PER_WORKER", default=True)
# Likewise what a tenant scores and qualifies leads with (approved personas, scoring
# settings, the SLA's thresholds), under a token of its own
# (smarketing/tenancy/configuration.py).
CONFIGURATION_KEPT_PER_WORKER = env_bool("CONFIGURATION_KEPT_PER_WORKER", default=True)

# --- REST API -----------------------------------------------------------------------------
# The largest body read into memory (Django's default, stated): a bulk of 1,000 leads with
# custom fields fits; the API answers larger bodies 413. Uploaded files (CSV imports) are
# streamed to disk and not counted here.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "smarketing.tenancy.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "smarketing.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["smarketing.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "smarketing.api.errors.problem_exception_handler",
    # Per API key and per tenant, metered in Redis (smarketing/api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "smarketing.api.throttling.ApiRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {  # see also WEBFORM_RATES below
        "api_key": os.environ.get("API_RATE_PER_KEY", "1200/min"),
        "tenant": os.environ.get("API_RATE_PER_TENANT", "6000/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "smarketing.api.negotiation.StrictFormatNegotiation",
    # JSON only: the schema then offers no form bodies that views would read differently. The
    # CSV upload declares its own multipart parser.
    "DEFAULT_PARSER_CLASSES": ["smarketing.api.parsers.TextSafeJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Public web forms (/f/<key>/), metered like the API: per client address and per form.
WEBFORM_RATES = {
    "address": os.environ.get("WEBFORM_RATE_PER_ADDRESS", "20/min"),
    "form": os.environ.get("WEBFORM_RATE_PER_FORM", "600/min"),
}
# A person needs a few seconds to fill the hosted form; robots post at once.
WEBFORM_MIN_FILL_SECONDS = float(os.environ.get("WEBFORM_MIN_FILL_SECONDS", "3"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Smarketing API",
    "DESCRIPTION": "Leads, the marketing-to-sales hand-off, the SLA between the teams, webhooks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LeadStage": "leads.models.Stage",
        "MeetingStatus": "meetings.models.MeetingStatus",
        "ActionItemStatus": "meetings.models.ActionItemStatus",
        "MeetingKind": "meetings.models.MeetingKind",
        "MeetingCadence": "meetings.models.Cadence",
        "SignSide": "sla.signoff.SIGN_SIDES",
    },
    # Served from our own static files: the docs page loads nothing from third-party hosts.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/img/favicon.svg",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "smarketing.api.schema_problems.problem_responses",
        "smarketing.api.schema_inputs.closed_request_bodies",
    ],
}

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Smarketing <noreply@localhost>")
# Links in e-mails point here (the address people open the app at).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
# A bearer token with which monitoring may read /healthz in detail (see smarketing/health.py).
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")

# --- Product switches ---------------------------------------------------------------------
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE")
# Certificates of webhook receivers are checked against this CA bundle (a file), or the
# public CAs (certifi) when empty: for receivers inside a company behind a private CA.
WEBHOOKS_CA_BUNDLE = os.environ.get("WEBHOOKS_CA_BUNDLE", "")
# Meeting series: how many days ahead the planner creates meetings (the next one of a series
# always exists, however far); SLA reviews: how many days before the review date they meet.
MEETINGS_PLAN_AHEAD_DAYS = int(os.environ.get("MEETINGS_PLAN_AHEAD_DAYS", "14"))
MEETINGS_REVIEW_LEAD_DAYS = int(os.environ.get("MEETINGS_REVIEW_LEAD_DAYS", "7"))

# --- Retention: what is kept only for a while (smarketing/privacy/retention.py) -----------
# Relayed outbox events (the payloads webhooks send), while no delivery log refers to them.
RETENTION_OUTBOX_DAYS = env_positive_int("RETENTION_OUTBOX_DAYS", 7)
# Finished webhook deliveries (the delivery log and its redelivery button).
RETENTION_WEBHOOK_DELIVERIES_DAYS = env_positive_int("RETENTION_WEBHOOK_DELIVERIES_DAYS", 30)
# Stored answers to Idempotency-Key requests: 24 hours, as Stripe keeps them.
RETENTION_IDEMPOTENCY_HOURS = env_positive_int("RETENTION_IDEMPOTENCY_HOURS", 24)
# Uploaded CSV files of finished imports, their error reports and failure samples.
RETENTION_IMPORT_FILES_DAYS = env_positive_int("RETENTION_IMPORT_FILES_DAYS", 30)

# --- Security when not debugging ----------------------------------------------------------
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles and everything else only from this
# site, and no inline script or style of any kind, so injected markup cannot run. Pages keep
# their behaviour in static/js and bind it through data attributes. The API docs page widens
# it for Swagger UI's inline styles and data: images (smarketing/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
