"""Settings of the API benchmark: the project's settings from the environment,
plus the benchmark app, Wagtail's API v2 and the benchmark's URLs.

``BENCH_CACHE=off`` replaces the cache with Django's ``DummyCache``: the
server of case (a), where every response is built. Nothing else differs.
"""

import os

from retaguarda.settings.base import *  # noqa: F403

INSTALLED_APPS.insert(  # noqa: F405
    INSTALLED_APPS.index("plugins"),  # noqa: F405
    "wagtail.api.v2",
)
INSTALLED_APPS.insert(  # noqa: F405
    INSTALLED_APPS.index("plugins"),  # noqa: F405
    "tests.benchmarks.apibench",
)
ROOT_URLCONF = "tests.benchmarks.apibench.urls"

if os.environ.get("BENCH_CACHE") == "off":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# Wagtail's API lists 20 items at most unless told otherwise.
WAGTAILAPI_LIMIT_MAX = 100
# Nothing renders templates with static files: no collectstatic manifest needed.
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
