"""Settings of the deployable, read from the environment; no secrets in code.

See the configuration table in README.md for every variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

from contracts.container import MODULES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COMMERCE_VAR_DIR", BASE_DIR / "var"))

ALL_MODULES = MODULES


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

# The modules this process runs; the others are reached over HTTP at <MODULE>_SERVICE_URL.
MODULES = tuple(env_list("COMMERCE_MODULES", ",".join(ALL_MODULES)))
if unknown := set(MODULES) - set(ALL_MODULES):
    raise ImproperlyConfigured(f"COMMERCE_MODULES names unknown modules: {', '.join(sorted(unknown))}")
MODULE_SERVICE_URLS = {
    name: os.environ[f"{name.upper()}_SERVICE_URL"]
    for name in ALL_MODULES
    if name not in MODULES and os.environ.get(f"{name.upper()}_SERVICE_URL")
}
# Internal endpoints (/internal/contracts/…, /internal/events); calling and serving are set apart
# (commerce/transport/credentials.py). Calling: the token presented to <MODULE>'s service is
# <MODULE>_SERVICE_TOKEN, else CONTRACTS_CLIENT_TOKEN. Serving: CONTRACTS_SERVE_TOKENS, "<caller>=<token>,…"
# where <caller> is the module (or "+"-joined modules) of the calling process; unset, nothing is served.
# Tokens have at least 32 characters. CONTRACTS_TOKEN (deprecated) is read as CONTRACTS_CLIENT_TOKEN only.
CONTRACTS_TOKEN = os.environ.get("CONTRACTS_TOKEN", "").strip()
CONTRACTS_CLIENT_TOKEN = os.environ.get("CONTRACTS_CLIENT_TOKEN", "").strip() or CONTRACTS_TOKEN
CONTRACTS_SERVICE_TOKENS = {
    name: os.environ[f"{name.upper()}_SERVICE_TOKEN"].strip()
    for name in MODULE_SERVICE_URLS
    if os.environ.get(f"{name.upper()}_SERVICE_TOKEN", "").strip()
}
CONTRACTS_SERVE_TOKENS = dict(
    (caller.strip(), token.strip()) for caller, _, token in (item.partition("=") for item in env_list("CONTRACTS_SERVE_TOKENS"))
)
# Client networks (CIDRs) allowed on the internal endpoints, judged on REMOTE_ADDR; empty allows any.
CONTRACTS_ALLOWED_NETWORKS = env_list("CONTRACTS_ALLOWED_NETWORKS")
CONTRACTS_TIMEOUT_SECONDS = float(os.environ.get("CONTRACTS_TIMEOUT_SECONDS", "5"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (or DEBUG=1 for local development)."
        )
    # Development only: a random key kept in var/ so sessions survive a restart.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "axes",
    "commerce.eventbus",
    *[f"modules.{name}" for name in MODULES],
    "commerce",  # last: wires the contracts once every module is ready
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that may answer (413, 404, static files), so a browser storefront can read every answer.
    "corsheaders.middleware.CorsMiddleware",
    # Static files (the admin's, the API docs') from the app itself: no CDN, no separate web server needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "commerce.middleware.BodySizeLimitMiddleware",
    "commerce.middleware.ApiProblemsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: locks out an address (and user name) after repeated failed admin sign-ins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Admin sign-in: after AXES_FAILURE_LIMIT failures from one address for one user name, locked for the cool-off.
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "commerce.urls"
WSGI_APPLICATION = "commerce.wsgi.application"
ASGI_APPLICATION = "commerce.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# --- Databases -------------------------------------------------------------

SQLITE_OPTIONS = {
    # Writers queue on the lock instead of failing with "database is locked".
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
POSTGRES_OPTIONS = {
    # A stuck transaction makes others fail fast rather than pile up behind it. No JIT: on short OLTP queries
    # its compilation costs more than it saves (seen: 23 ms of JIT for a 72-SKU stock read after a bulk import).
    "options": f"-c lock_timeout={env_int('DB_LOCK_TIMEOUT_MS', 5000)} -c jit={'on' if env_bool('DB_JIT') else 'off'}",
}


def database_config(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["OPTIONS"] = {**POSTGRES_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": database_config(DATABASE_URL)}

# Each module may live in a database of its own: <MODULE>_DATABASE_URL.
MODULE_DATABASES: dict[str, str] = {}
for _module in MODULES:
    _url = os.environ.get(f"{_module.upper()}_DATABASE_URL")
    if _url:
        DATABASES[_module] = database_config(_url)
        MODULE_DATABASES[_module] = _module
    else:
        MODULE_DATABASES[_module] = "default"

DATABASE_ROUTERS = ["commerce.routers.ModuleRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Auth, i18n, static ----------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# Served by WhiteNoise straight from the installed apps (no collectstatic step to forget); set STATIC_ROOT
# only to collect them for a web server in front.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024)
# The admin takes CSV imports (60,000 rows is a few MB): a larger limit, but a limit, checked before login.
ADMIN_MAX_REQUEST_BODY_BYTES = env_int("ADMIN_MAX_REQUEST_BODY_BYTES", 32 * 1024 * 1024)


# --- Security (manage.py check --deploy is clean with DEBUG off) -------------

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]


# --- API -------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["kernel.parsers.StrictJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Storefront customers: `Authorization: Bearer <access token>` (modules/customers/api/authentication.py).
        # First, so that a missing or bad token is a 401 with `WWW-Authenticate: Bearer`; staff keep their session.
        "modules.customers.api.authentication.CustomerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "kernel.pagination.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "kernel.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    # Behind a proxy, the client's address is the last one it appended to X-Forwarded-For.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0) or None,
}

# Abuse limits (kernel/throttles.py): requests per client address, or per cart, over a period.
THROTTLES_ENABLED = env_bool("THROTTLES_ENABLED", True)
THROTTLE_RATES = {
    "cart_create": os.environ.get("THROTTLE_CART_CREATE", "300/hour"),
    "voucher": os.environ.get("THROTTLE_VOUCHER", "20/min"),
    "complete_address": os.environ.get("THROTTLE_COMPLETE_ADDRESS", "60/min"),
    "complete_cart": os.environ.get("THROTTLE_COMPLETE_CART", "10/min"),
    "payment_session": os.environ.get("THROTTLE_PAYMENT_SESSION", "30/min"),
    "customer_sign_in": os.environ.get("THROTTLE_CUSTOMER_SIGN_IN", "20/min"),
    "customer_sign_in_email": os.environ.get("THROTTLE_CUSTOMER_SIGN_IN_EMAIL", "5/min"),
    "customer_reset": os.environ.get("THROTTLE_CUSTOMER_RESET", "10/hour"),
    "customer_reset_email": os.environ.get("THROTTLE_CUSTOMER_RESET_EMAIL", "3/hour"),
    "customer_register": os.environ.get("THROTTLE_CUSTOMER_REGISTER", "20/hour"),
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Commerce API",
    "DESCRIPTION": "Storefront API of the headless commerce backend (version 1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's scripts come from the project (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every status each operation can answer, as problem documents with their codes (kernel/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "kernel.schema.problems_complete"],
    # No PATCH of the API is a partial update (a cart line's PATCH sets its quantity): its body is the whole serializer.
    "COMPONENT_SPLIT_PATCH": False,
}


# Browser storefronts on other origins (django-cors-headers): only the origins listed, only /api/. Nothing is
# allowed by default. E.g. CORS_ALLOWED_ORIGINS=https://shop.example.com,https://www.shop.example.com
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_HEADERS = (*cors_default_headers, "idempotency-key", "order-token")
CORS_EXPOSE_HEADERS = ["Commerce-Degraded", "ETag", "Retry-After"]


# --- Cache -------------------------------------------------------------------

# The storefront's response cache. Unset: local memory, per process (the embedded mode; an event
# invalidates the process that delivered it at once, the others within the catalog's freshness bound).
# Set (e.g. redis://127.0.0.1:6379/1): one Redis cache shared by every process.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "commerce",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # Django's default of 300 entries is too few for a listing's pages, counts and rankings.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "commerce", "OPTIONS": {"MAX_ENTRIES": 5000}}
    }
# The storefront's freshness bound (modules/catalog/cache.py): a response is fresh in the server's cache for
# CATALOG_CACHE_SECONDS, served for as long again while one request renders it anew, and kept by a client or CDN for
# CATALOG_HTTP_MAX_AGE: never more than 2 x CATALOG_CACHE_SECONDS + CATALOG_HTTP_MAX_AGE (2 s) stale; the events that
# change a listing clear the server's cache at once. Listing counts are kept per catalog generation for
# CATALOG_COUNT_CACHE_SECONDS.
CATALOG_CACHE_SECONDS = float(os.environ.get("CATALOG_CACHE_SECONDS", "0.5"))
CATALOG_HTTP_MAX_AGE = env_int("CATALOG_HTTP_MAX_AGE", 1)
CATALOG_COUNT_CACHE_SECONDS = float(os.environ.get("CATALOG_COUNT_CACHE_SECONDS", "60"))


# --- Celery and events -----------------------------------------------------

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# Without a broker, tasks run in-process; events are delivered in-process after commit.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# No task may hold a worker for ever: a soft limit raises inside the task (the delivery is recorded as failed and
# retried), a hard limit kills the process (the task is re-queued, late acknowledgement).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90)

EVENTS_MAX_ATTEMPTS = env_int("EVENTS_MAX_ATTEMPTS", 8)
EVENTS_BACKOFF_BASE_SECONDS = env_int("EVENTS_BACKOFF_BASE_SECONDS", 2)
EVENTS_BACKOFF_MAX_SECONDS = env_int("EVENTS_BACKOFF_MAX_SECONDS", 15 * 60)
# A dispatched delivery not finished after this long is dispatched again by the sweeper.
EVENTS_DISPATCH_LEASE_SECONDS = env_int("EVENTS_DISPATCH_LEASE_SECONDS", 5 * 60)
# A new delivery that has not started after this long lost its dispatch (a crash after commit, a broker
# restart): the sweeper sends it. The sweeper runs every EVENTS_SWEEP_INTERVAL_SECONDS.
EVENTS_DISPATCH_GRACE_SECONDS = env_int("EVENTS_DISPATCH_GRACE_SECONDS", 10)
# Delivered events (and their deliveries, attempts and inbox rows) are kept this long, then purged in batches.
# A module joining late rebuilds from what is kept: raise it for that.
EVENTS_RETENTION_DAYS = env_int("EVENTS_RETENTION_DAYS", 30)
EVENTS_SWEEP_INTERVAL_SECONDS = env_int("EVENTS_SWEEP_INTERVAL_SECONDS", 5)
# Without a broker: "thread" delivers after the response, in a thread of the process that published;
# "inline" delivers right after commit, inside the publishing request (the test suite's default).
EVENTS_EMBEDDED_DELIVERY = os.environ.get("EVENTS_EMBEDDED_DELIVERY", "thread")
if EVENTS_EMBEDDED_DELIVERY not in ("thread", "inline"):
    raise ImproperlyConfigured("EVENTS_EMBEDDED_DELIVERY must be 'thread' or 'inline'")


# --- Domain settings -------------------------------------------------------

SHOP_CURRENCIES = env_list("SHOP_CURRENCIES", "EUR,USD")
# Taxes (modules/taxes): whether catalog prices and shipping rates include tax (EU style) or tax is added on top
# (US style), and the class that computes a cart's tax (the rate table by default; an external service's adapter).
TAX_PRICES_INCLUDE_TAX = env_bool("TAX_PRICES_INCLUDE_TAX", True)
TAX_PROVIDER = os.environ.get("TAX_PROVIDER", "modules.taxes.providers.RateTableProvider")
CHECKOUT_MAX_LINE_QUANTITY = env_int("CHECKOUT_MAX_LINE_QUANTITY", 99)
CHECKOUT_MAX_CART_LINES = env_int("CHECKOUT_MAX_CART_LINES", 100)
CHECKOUT_CART_MAX_AGE_DAYS = env_int("CHECKOUT_CART_MAX_AGE_DAYS", 30)
CHECKOUT_IDEMPOTENCY_TTL_HOURS = env_int("CHECKOUT_IDEMPOTENCY_TTL_HOURS", 24)
INVENTORY_RESERVATION_TTL_SECONDS = env_int("INVENTORY_RESERVATION_TTL_SECONDS", 15 * 60)
# Released and expired reservations are kept this long (a reference stays idempotent), then purged in batches.
INVENTORY_RESERVATION_RETENTION_DAYS = env_int("INVENTORY_RESERVATION_RETENTION_DAYS", 30)
INVENTORY_LOW_STOCK_THRESHOLD = env_int("INVENTORY_LOW_STOCK_THRESHOLD", 5)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shop@example.com")
# A mail server that accepts the connection and never answers must not hold a delivery forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"secrets": {"()": "commerce.logging.SecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The beat schedule is built from the installed modules' own lists: commerce/schedule.py.
# A request completing a cart holds its Idempotency-Key this long; a crashed one is resumed after.
CHECKOUT_ATTEMPT_LEASE_SECONDS = env_int("CHECKOUT_ATTEMPT_LEASE_SECONDS", 60)
# Payment methods a client may name; the configured gateway serves them.
CHECKOUT_PAYMENT_METHODS = env_list("CHECKOUT_PAYMENT_METHODS", "test")
# After this many declined payments a cart answers 429 for the cool-down: no card-testing oracle.
CHECKOUT_PAYMENT_DECLINES_MAX = env_int("CHECKOUT_PAYMENT_DECLINES_MAX", 3)
CHECKOUT_PAYMENT_DECLINES_COOLDOWN_SECONDS = env_int("CHECKOUT_PAYMENT_DECLINES_COOLDOWN_SECONDS", 15 * 60)
# The test gateway approves any token: with DEBUG off it takes no order unless the operator says it may
# (a demo, a benchmark); `check --deploy` fails while it is configured without this opt-in.
CHECKOUT_ALLOW_TEST_GATEWAY = env_bool("CHECKOUT_ALLOW_TEST_GATEWAY", DEBUG)
# Payments (modules/payments): the provider ("test" or "stripe"), its webhook signing secret, and when
# reconciliation asks the provider about a session stuck in an intermediate state or authorized without an order.
PAYMENTS_PROVIDER = os.environ.get("PAYMENTS_PROVIDER", "test")
# The test provider approves any card but its test failures: with DEBUG off it takes no payment unless the operator
# opts in with this (or the former CHECKOUT_ALLOW_TEST_GATEWAY); `check --deploy` fails while it is configured without.
PAYMENTS_ALLOW_TEST_PROVIDER = env_bool("PAYMENTS_ALLOW_TEST_PROVIDER", False)
PAYMENTS_WEBHOOK_SECRET = os.environ.get("PAYMENTS_WEBHOOK_SECRET", "")
# Stripe (PAYMENTS_PROVIDER=stripe): the secret API key, the webhook endpoint's signing secret (whsec_...), and
# where the customer's bank sends them back after 3-D Secure when the server confirms. STRIPE_API_BASE points the
# library elsewhere than api.stripe.com (the tests' fake server).
STRIPE_API_KEY = os.environ.get("STRIPE_API_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "") or PAYMENTS_WEBHOOK_SECRET
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "10"))
STRIPE_RETURN_URL = os.environ.get("STRIPE_RETURN_URL", "")
PAYMENTS_RECONCILE_AFTER_SECONDS = env_int("PAYMENTS_RECONCILE_AFTER_SECONDS", 15 * 60)
PAYMENTS_ABANDONED_AFTER_SECONDS = env_int("PAYMENTS_ABANDONED_AFTER_SECONDS", 60 * 60)
# The test provider's ledger (its intents and answers by idempotency key) is kept this long.
PAYMENTS_TEST_LEDGER_RETENTION_DAYS = env_int("PAYMENTS_TEST_LEDGER_RETENTION_DAYS", 30)
# Recommendations (modules/recommendations): an order weighs half as much in "bought together" after the half-life
# (7 days at least; changing it needs `manage.py recommendations rebuild --reset`), "popular" counts this many days
# back, and one order counts at most this many lines (its pairs grow with their square).
RECOMMENDATIONS_HALF_LIFE_DAYS = env_int("RECOMMENDATIONS_HALF_LIFE_DAYS", 30)
RECOMMENDATIONS_POPULAR_WINDOW_DAYS = env_int("RECOMMENDATIONS_POPULAR_WINDOW_DAYS", 30)
RECOMMENDATIONS_MAX_ORDER_LINES = env_int("RECOMMENDATIONS_MAX_ORDER_LINES", 20)
# Ordering the listing by price prices every SKU of the filtered set; above this many, narrow the filter.
CATALOG_PRICE_ORDERING_MAX_SKUS = env_int("CATALOG_PRICE_ORDERING_MAX_SKUS", 5000)
# Storefront customers (modules/customers): access tokens live minutes, refresh tokens days (used once each);
# emailed links (confirm an email, reset a password) work once, until they expire; they point at the storefront.
CUSTOMERS_ACCESS_TOKEN_SECONDS = env_int("CUSTOMERS_ACCESS_TOKEN_SECONDS", 5 * 60)
CUSTOMERS_REFRESH_TOKEN_DAYS = env_int("CUSTOMERS_REFRESH_TOKEN_DAYS", 30)
CUSTOMERS_CONFIRM_LINK_SECONDS = env_int("CUSTOMERS_CONFIRM_LINK_SECONDS", 3 * 24 * 60 * 60)
CUSTOMERS_RESET_LINK_SECONDS = env_int("CUSTOMERS_RESET_LINK_SECONDS", 60 * 60)
CUSTOMERS_STOREFRONT_URL = os.environ.get("CUSTOMERS_STOREFRONT_URL", "http://localhost:3000")
