"""Django settings, all from the environment (see README § Configuration).

Importing them has no side effects: nothing is written and no directory made (var.py says
who makes var/ and the development key).
"""

import base64
import hashlib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from carebroker import var
from carebroker.env import env_bool, env_int, env_list, env_sign_on, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var.var_dir()

# "production" makes SECRET_KEY mandatory and turns on the HTTPS-only settings.
PRODUCTION = env_str("CAREBROKER_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG: must be off when CAREBROKER_ENV=production (its error pages show settings "
        "and personal data)"
    )


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY: required when CAREBROKER_ENV=production")
    # Development: the key `carebroker` and the web server made under var/ as they started
    # (var.prepare); before either ever ran (a bare import, the tests), a fixed key that
    # `check --deploy` would flag, and that production never uses (SECRET_KEY is required).
    return var.development_key(VAR_DIR) or DEVELOPMENT_KEY


DEVELOPMENT_KEY = "django-insecure-carebroker-development-only-never-in-production"


SECRET_KEY = _secret_key()


def _encryption_keys() -> list[str]:
    """Fernet keys for the secrets sealed at rest (accounts/sealed.py), newest first."""
    keys = env_list("ENCRYPTION_KEYS", [])
    for key in keys:
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (ValueError, UnicodeEncodeError):
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                "ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
                "(make one with `carebroker rotate-keys --new-key`)"
            )
    if keys:
        return keys
    if PRODUCTION:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS: required when CAREBROKER_ENV=production "
            "(make one with `carebroker rotate-keys --new-key`)"
        )
    # Development and the tests: derived from SECRET_KEY, so a dev database stays readable.
    digest = hashlib.sha256(b"carebroker sealed fields\0" + SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(digest).decode("ascii")]


ENCRYPTION_KEYS = _encryption_keys()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "auditlog",
    "carebroker.accounts",
    "carebroker.audit",  # after auditlog: its admin.py takes auditlog's unscoped admin away
    "carebroker.councils",
    "carebroker.providers",
    "carebroker.referrals",
    "carebroker.sourcing",
    "carebroker.exchange",
    "carebroker.outbox",
    "carebroker.placements",
    "carebroker.portal",
    "carebroker.reports",
    "carebroker.web",
    "carebroker.api",
    "carebroker.demo",
]

MIDDLEWARE = [
    "carebroker.web.hardening.RequestSizeLimit",  # first: before anything reads a body
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "carebroker.web.static_files.StaticFilesMiddleware",  # WhiteNoise, and /assets/
    "django.contrib.sessions.middleware.SessionMiddleware",
    "carebroker.web.sessions.SessionRefresh",  # the idle expiry moved on, once a minute
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a code was given
    "carebroker.accounts.two_factor.TwoFactorGate",  # no page before the code (or enrolment)
    "carebroker.audit.record.AuditMiddleware",  # who and from where, for the change log
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "carebroker.web.hardening.PrivatePages",  # no-store for signed-in pages
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into its page
]

ROOT_URLCONF = "carebroker.urls"
WSGI_APPLICATION = "carebroker.wsgi.application"

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
                "django.template.context_processors.csp",  # csp_nonce for our two scripts
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'carebroker.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The file is made private (0600) by var.prepare(), before SQLite makes it.
    # Several processes (web + worker) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# A read replica for the reports and the dashboard (reports/replica.py, docs/deployment.md).
# Tests mirror it to the primary, so a test run with the variable set still sees one database.
if _replica_url := env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=env_int("CONN_MAX_AGE", 0)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["carebroker.reports.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "carebroker.accounts.throttle.SignInThrottle",  # django-axes: refuses while locked out
    "django.contrib.auth.backends.ModelBackend",
    "carebroker.accounts.sign_on.CouncilSignOnBackend",  # only for the SSO callback
]
# Single sign-on for council staff by OpenID Connect (mozilla-django-oidc), one identity
# provider (Microsoft Entra ID) per council that has one: SSO_COUNCILS=kent,essex and
# SSO_KENT_ISSUER / _CLIENT_ID / _CLIENT_SECRET (env.env_sign_on; docs/security.md).
SSO_COUNCILS = env_sign_on("SSO_COUNCILS", require_https=PRODUCTION)
OIDC_RP_SIGN_ALGO = "RS256"  # ID tokens are checked against the provider's JWKS
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False  # no self-registration: only existing staff accounts sign on
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_TIMEOUT = env_int("SSO_TIMEOUT_SECONDS", 10)
# Sign-in throttling (issue 12 finding 8): AXES_FAILURE_LIMIT wrong passwords for one
# username, or from one address, lock it for AXES_COOLOFF_MINUTES; an administrator
# unlocks it sooner by deleting its access attempt in the admin.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 30)
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60  # hours
# Each on its own: per user, per address (a council sign-on, with no username: per address).
AXES_LOCKOUT_PARAMETERS = "carebroker.accounts.throttle.lockout_parameters"
# Off: a correct password alone must not clear the wrong codes before it (two-factor
# sign-in clears the attempts itself when the whole sign-in succeeds: accounts/two_factor.py).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "carebroker.accounts.throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "carebroker.accounts.throttle.client_address"
# Quiet: django-axes otherwise writes its version banner to every command's standard error.
AXES_VERBOSE = False
# Production runs behind PROXY_COUNT reverse proxies (they set X-Forwarded-Proto): the
# client is the address the nearest of them saw, never one a client wrote itself.
PROXY_COUNT = env_int("PROXY_COUNT", 1 if PRODUCTION else 0)

# Two-factor sign-in (accounts/two_factor.py): required in production for brokers, managers,
# superusers and provider users; offered to everyone everywhere (the demo signs in without).
TWO_FACTOR_REQUIRED = PRODUCTION
# Backends whose sign-in already had a second factor: a council's single sign-on, where the
# council's identity provider applies its own MFA (docs/security.md, single sign-on).
TWO_FACTOR_EXEMPT_BACKENDS = ["carebroker.accounts.sign_on.CouncilSignOnBackend"]
OTP_TOTP_ISSUER = "carebroker"
# django-otp's own per-device delays are off: axes counts wrong codes with wrong passwords.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # 12: "Kent2026!" (a council, a year, a mark) is 9 and was accepted (issue 12).
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes:
# a request moves the expiry on by writing the session, at most once a minute
# (web/sessions.py; writing it on every request was a write transaction per page).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Request bodies: a form at most 2.5 MB in memory, any request at most MAX_REQUEST_BYTES
# (the largest upload, a ticked return, is 5 MB); refused from Content-Length alone.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_MB", 10) * 1024 * 1024

# Content-Security-Policy (Django 6): scripts only from our static files, or inline with
# the response's nonce (base.html's two); nothing framed, no plugins, forms post here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # Inline style attributes (the admin's, htmx's indicator) only: no script runs from CSS.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # made by collectstatic
# GOV.UK Frontend and htmx come from npm (`npm ci`, package-lock.json) into node_modules/;
# collectstatic copies them from there into STATIC_ROOT.
NODE_MODULES = BASE_DIR / "node_modules"
GOVUK_FRONTEND = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"
STATICFILES_DIRS = [
    ("govuk", GOVUK_FRONTEND),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
if PRODUCTION:
    # Only what collectstatic made is served: hashed names (cached for ever by browsers) and
    # gzip/brotli copies, checked at collectstatic time (a missing file fails the deploy, not
    # a page). Never node_modules at request time.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    WHITENOISE_USE_FINDERS = False
    # GOV.UK Frontend's CSS asks for its fonts and images at /assets/: the collected copy.
    GOVUK_ASSETS = STATIC_ROOT / "govuk" / "assets"
else:
    # Development and the demo: straight from the finders, no collectstatic needed.
    WHITENOISE_USE_FINDERS = True
    GOVUK_ASSETS = GOVUK_FRONTEND / "assets"

# Email (Django 6.1 MAILERS): GOV.UK Notify with CAREBROKER_EMAIL=notify (outbox/notify.py:
# one generic template, the notice's subject and body as personalisation); else SMTP when
# EMAIL_HOST is set or in production, else files under var/mail/ (the demo: every notice
# can be read there).
EMAIL_SERVICE = env_str("CAREBROKER_EMAIL", "") or ""
if EMAIL_SERVICE not in ("", "smtp", "notify"):
    raise ImproperlyConfigured(f"CAREBROKER_EMAIL: 'smtp' or 'notify', not {EMAIL_SERVICE!r}")
if EMAIL_SERVICE == "notify":
    for _name in ("NOTIFY_API_KEY", "NOTIFY_TEMPLATE_ID"):
        if not env_str(_name):
            raise ImproperlyConfigured(f"{_name}: required when CAREBROKER_EMAIL=notify")
    MAILERS = {
        "default": {
            "BACKEND": "carebroker.outbox.notify.NotifyEmailBackend",
            "OPTIONS": {
                "api_key": env_str("NOTIFY_API_KEY"),
                "template_id": env_str("NOTIFY_TEMPLATE_ID"),
                "reply_to_id": env_str("NOTIFY_REPLY_TO_ID", ""),
                "base_url": env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
                "timeout": env_int("EMAIL_TIMEOUT", 30),
            },
        }
    }
elif env_str("EMAIL_HOST") or PRODUCTION or EMAIL_SERVICE == "smtp":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": env_int("EMAIL_TIMEOUT", 30),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "carebroker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Replies come back to REPLY_TO_EMAIL with a per-notice token (outbox/reply_address.py).
REPLY_TO_EMAIL = env_str("REPLY_TO_EMAIL", DEFAULT_FROM_EMAIL)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The cache holds the API's rate-limit counts per token (api/access.py), so it must be one
# for every web process (docs/deployment.md): Redis when REDIS_URL is set (e.g.
# redis://127.0.0.1:6379/0), else a table in the database (made by `carebroker migrate`,
# api/migrations/0002). Sign-in throttling (django-axes) counts in its own tables.
REDIS_URL = env_str("REDIS_URL", "") or ""
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "carebroker",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "carebroker_cache",
            # One entry per token: never culled while counting (culling forgets counts).
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
