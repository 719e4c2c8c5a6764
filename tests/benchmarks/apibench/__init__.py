"""Benchmark-only app for ``tests/benchmarks/api_catalog.py``.

The competitors of the public product list: a Wagtail page model carrying the
product fields for Wagtail's own API v2, a DRF ``ModelSerializer`` list of the
products and a minimal cached view (the ceiling). Installed only by
``tests.benchmarks.apibench.settings``; never by the project.
"""
