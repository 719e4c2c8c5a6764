"""Settings for the test suite: the project's settings, with test defaults.

The test plugin (``tests.shelves_plugin``) is enabled so that the plugin
framework is exercised end to end.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault(
    "RETAGUARDA_PLUGINS",
    "orders,stock,finance,fiscal,logistics,analytics,tests.shelves_plugin",
)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# A fixed key for the provider credentials the tests store (never a real one).
os.environ.setdefault(
    "RETAGUARDA_ENCRYPTION_KEYS", "dGVzdC1rZXktbm90LWZvci1wcm9kdWN0aW9uLTAwMDA="
)

from retaguarda.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"]["BACKEND"] = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
)
# pytest-xdist runs the suite in several processes ("gw0", "gw1", ...): each
# writes its uploads under its own folders (and pytest-django gives each its
# own test database).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_worker_suffix = f"-{_worker}" if _worker else ""
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or str(
    BASE_DIR / "var" / f"test-media{_worker_suffix}"  # noqa: F405
)
PRIVATE_MEDIA_ROOT = os.environ.get("PRIVATE_MEDIA_ROOT") or str(
    BASE_DIR / "var" / f"test-private{_worker_suffix}"  # noqa: F405
)
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT  # noqa: F405
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: concurrent tests then see
    # SQLite as deployed (WAL, busy timeout) instead of shared-cache table locks.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")  # noqa: F405
    }
    os.makedirs(BASE_DIR / "var", exist_ok=True)  # noqa: F405

# The webhook tests post to a receiver on 127.0.0.1.
RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = True

# The stock plugin refuses orders for SKUs that were never stocked; the suite's
# other tests place orders without stocking them first. The stock tests switch
# this back off (tests/plugins/stock/conftest.py).
RETAGUARDA_STOCK_SELL_UNTRACKED = True
