"""Settings for the test suite: the same app, with fast hashing and eager tasks by default.

With DATABASE_URL and REDIS_URL set, tests run on real PostgreSQL and Redis; tests that need
a real Celery worker start one themselves. Connections start as deployed ones do, outside any
tenant scope (row-level security shows nothing): a test body that arranges or asserts across
tenants says so with `cross_tenant_scope()` (see tests/scopes.py).
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
# Tests count queries around steps that change keys, members and tenants: each request reads
# its key from the database, so a count does not depend on what the step before left kept.
# Tests of the kept path turn it on (tests/leads/test_api_query_counts.py), and real servers
# keep keys as deployed (tests/tenancy/test_credentials_across_workers.py).
API_KEYS_KEPT_PER_WORKER = False
# The same for kept tenant configuration (personas, scoring settings, SLA thresholds): test
# transactions never commit, so no change would replace the token (and ids recur on SQLite).
CONFIGURATION_KEPT_PER_WORKER = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the live server's threads then open their own connections, as the
    # demo's processes do, instead of sharing the test's one (concurrent page requests on a
    # shared connection fail with "cannot start a transaction within a transaction").
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"smarketing-test-{os.getpid()}.sqlite3")
    }
