"""Settings for the test suite: the same app, with fast hashing and eager tasks by default.

With DATABASE_URL and REDIS_URL set, tests run on real PostgreSQL and Redis; tests that need
a real Celery worker start one themselves.
"""

import os

os.environ.setdefault("SMARKETING_TESTING", "1")

from smarketing.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
WEBHOOKS_ALLOW_PRIVATE = True
# No test is throttled by accident; throttle tests set their own low rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"api_key": "1000000/min", "tenant": "1000000/min"},
}
ALLOWED_HOSTS = ["*"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # Test bodies arrange and assert across tenants like an operator. Every request and
    # task still enters its own tenant scope, where row-level security binds as deployed.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c app.cross_tenant=on"  # noqa: F405
