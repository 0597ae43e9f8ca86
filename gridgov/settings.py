"""Settings, all read from environment variables (see README, "Settings")."""

import os
from datetime import timedelta
from pathlib import Path

from gridgov.env import (
    EnvError,
    env_bool,
    env_int,
    env_list,
    env_str,
    instance_name,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Where the default SQLite file lives, and the parent of each instance's own folder.
VAR_ROOT = Path(env_str("GRIDGOV_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("GRIDGOV_DEMO", False):
        raise EnvError(
            "SECRET_KEY must be set when DEBUG is off (GRIDGOV_DEMO=1 allows a demo key)"
        )
    SECRET_KEY = "insecure-demo-key-only-for-local-development-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "huey.contrib.djhuey",
    "outbox",
    "idempotency",
    "presets",
    "catalog",
    "org",
    "residents",
    "cases",
    "credit",
    "participation",
    "members",
    "patrol",
    "alerts",
    "emergency",
    "open311",
    "exchange",
    "analytics",
    "audit",
    "accounts",
    "simulate",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gridgov.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gridgov" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "org.context_processors.my_roles",
                "cases.context_processors.workbench_nav",
            ],
            "builtins": ["gridgov.templatetags.times", "gridgov.templatetags.pages"],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_ROOT / 'gridgov.sqlite3'}"), base_dir=BASE_DIR
    )
}
# The instance's state beside its database: the huey queue, uploads and exports. Two
# instances with different databases never share it (a second one started with only its own
# DATABASE_URL used to take the first one's jobs); GRIDGOV_VAR_DIR, when set, is used as it
# is. The web processes and the huey consumer read the same environment, so they agree.
INSTANCE = instance_name(DATABASES["default"], var_root=VAR_ROOT)
VAR_DIR = VAR_ROOT if "GRIDGOV_VAR_DIR" in os.environ else VAR_ROOT / INSTANCE
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.validators.PasswordStrengthValidator",
        "OPTIONS": {"min_length": 10, "min_classes": 3},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
TOTP_REQUIRED_FOR_REVEAL = env_bool("TOTP_REQUIRED_FOR_REVEAL", not env_bool("GRIDGOV_DEMO", False))
# Login throttling (accounts/throttle.py): failures per username and per address within the
# window lock for LOGIN_LOCK_SECONDS; behind proxies, how many X-Forwarded-For hops to trust.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20, minimum=1)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60, minimum=1)
LOGIN_LOCK_SECONDS = env_int("LOGIN_LOCK_SECONDS", 15 * 60, minimum=1)
LOGIN_TRUSTED_PROXY_COUNT = env_int("LOGIN_TRUSTED_PROXY_COUNT", 0, minimum=0)
# Anonymous reports through the public QR form, per client address: at the limit within the
# window the address waits for the lock. 0 turns the limit off.
PUBLIC_REPORT_LIMIT = env_int("PUBLIC_REPORT_LIMIT", 30, minimum=0)
PUBLIC_REPORT_WINDOW = env_int("PUBLIC_REPORT_WINDOW", 10 * 60, minimum=1)
PUBLIC_REPORT_LOCK_SECONDS = env_int("PUBLIC_REPORT_LOCK_SECONDS", 10 * 60, minimum=1)
CASE_RETENTION_DAYS = env_int("CASE_RETENTION_DAYS", 730, minimum=30)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "org:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or env_bool("GRIDGOV_TESTING", False):
    # No collectstatic step in development and tests: serve from the source folders.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# HTTPS: on in production. The demo and the tests serve plain HTTP on 127.0.0.1.
HTTPS = env_bool("HTTPS", not DEBUG and not env_bool("GRIDGOV_DEMO", False))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gridgov.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "gridgov.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,  # the default ?limit=; the maximum is gridgov.pagination.MAX_LIMIT
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gridgov.api.exception_handler",
}
# API tokens (django-rest-knox): one per login, stored hashed, valid for API_TOKEN_HOURS
# (a working day) and renewed on use, but never beyond API_TOKEN_MAX_DAYS after the login.
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 10, minimum=1)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 7, minimum=1)
if API_TOKEN_MAX_DAYS * 24 < API_TOKEN_HOURS:
    raise EnvError(f"API_TOKEN_MAX_DAYS={API_TOKEN_MAX_DAYS} is shorter than API_TOKEN_HOURS")
# Live tokens a user may hold (one per device or script); a login beyond it ends the oldest.
API_TOKENS_PER_USER = env_int("API_TOKENS_PER_USER", 20, minimum=1)
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(hours=API_TOKEN_HOURS),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=API_TOKEN_MAX_DAYS),
    "MIN_REFRESH_INTERVAL": 60,  # seconds: at most one expiry UPDATE a minute per token
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gridgov API",
    "DESCRIPTION": "党建引领网格化社区治理平台 REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI comes from npm (swagger-ui-dist), served by us, never from a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/favicon.svg",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Status",
        "AssignmentStatusEnum": "cases.models.AssignmentStatus",
        "AssignmentRoleEnum": "cases.models.AssignmentRole",
        "OrderKindEnum": "participation.models.OrderKind",
        "OrderStatusEnum": "participation.models.OrderStatus",
        "RedemptionStatusEnum": "credit.models.RedemptionStatus",
        "CreditEntryKindEnum": "credit.models.EntryKind",
        "RuleUnitEnum": "credit.models.RuleUnit",
        "PatrolStatusEnum": "patrol.models.patrols.PatrolStatus",
        "FindingKindEnum": "patrol.models.patrols.FindingKind",
    },
}

_redis_url = env_str("REDIS_URL", "")
HUEY = {
    # The queue's name in Redis: one per instance, as the SQLite queue file is.
    "name": f"gridgov-{INSTANCE}",
    # Tests run tasks inline, when they are enqueued (after commit).
    "immediate": env_bool("HUEY_IMMEDIATE", env_bool("GRIDGOV_TESTING", False)),
    "consumer": {"workers": env_int("HUEY_WORKERS", 2, minimum=1), "worker_type": "thread"},
}
if _redis_url:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _redis_url})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# Map tiles need the internet; by default the grid map draws polygons on a plain background.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
