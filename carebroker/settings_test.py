"""Settings for the test suite (pyproject.toml's DJANGO_SETTINGS_MODULE; the subprocesses
tests start inherit it): the project's settings with a fast password hasher.

Everything else stays as deployed, so the suite tests the real settings. No network: in the
test process Django's test set-up keeps mail in memory (mail.outbox) unless a test points
MAILERS at its own loopback SMTP server (aiosmtpd); subprocesses write mail to files under
their CAREBROKER_VAR unless given EMAIL_HOST=127.0.0.1; and tests/conftest.py refuses any
socket connection beyond loopback.
"""

from carebroker.settings import *  # noqa: F403 (the settings under test, then the overrides)

# PBKDF2's 1.5M iterations cost about half a second a password, and the suite makes
# thousands of users. MD5 in tests only: the product keeps Django's default hashers.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client never asks for a static file, and the browser tests' live server serves
# them with Django's own static handler. Scanning node_modules through the finders each
# time a test client is made cost about 0.4 s a client.
WHITENOISE_USE_FINDERS = False
