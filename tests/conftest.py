import os

import pytest
from django.contrib.auth.models import Permission
from guardian.shortcuts import assign_perm

# Catalog fixtures, shared with the browser tests.
from tests.content.conftest import brand, camiseta, camisetas, casa, moda  # noqa: F401, E402, I001
from tests.factories import ShelfFactory, UserFactory

IS_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(
    ("postgres://", "postgresql://")
)


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: DATABASE_URL is not a PostgreSQL URL"
    )
    for item in items:
        if "postgres" in item.keywords and not IS_POSTGRES:
            item.add_marker(skip_pg)
    if hasattr(config, "workerinput"):
        # Under pytest-xdist the slow tests that use no test database
        # (subprocesses: up to a minute each) go first rather than last, where
        # one worker runs them while the others wait. pytest-django's order
        # (database tests, then transactional ones, whose flush empties the
        # database, then the rest) is kept for the others. Every worker sorts
        # alike (xdist requires the same collection in each).
        items.sort(key=lambda item: not (_is_slow(item) and not _uses_db(item)))


def _is_slow(item) -> bool:
    return item.get_closest_marker("slow") is not None


def _uses_db(item) -> bool:
    """Whether the test touches the test database (pytest-django's rule)."""
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return True
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & fixtures
    )


PASSWORD = "senha-de-teste"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: what a rolled-back test cached
    (channels, subscriptions, responses) is not another test's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", roles=["content_editor"])


@pytest.fixture
def moderator(db):
    return UserFactory(username="moderador", roles=["content_moderator"])


@pytest.fixture
def manager(db):
    return UserFactory(username="gerente", roles=["manager"])


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", roles=["auditor"])


@pytest.fixture
def shelf_keeper(db):
    return UserFactory(username="repositor", roles=["shelf_keeper"])


@pytest.fixture
def shelf_a(db):
    return ShelfFactory(code="a1", name="Corredor A1", capacity=10, units=2)


@pytest.fixture
def shelf_b(db):
    return ShelfFactory(code="b2", name="Corredor B2", capacity=10, units=5)


def grant(user_or_group, codename, obj):
    """Grant a shelves permission on one object, as the grants screen does."""
    perm = Permission.objects.get(content_type__app_label="shelves", codename=codename)
    assign_perm(perm, user_or_group, obj)


@pytest.fixture
def keeper_of_a(shelf_keeper, shelf_a, shelf_b):
    """A shelf keeper granted view, change and restock on shelf A1 only."""
    for codename in ("view_shelf", "change_shelf", "restock_shelf"):
        grant(shelf_keeper, codename, shelf_a)
    return shelf_keeper


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _stock_movement_triggers(request):
    """SQLite has no TRUNCATE: the flush that ends a transactional test runs
    ``DELETE FROM``, which the stock movement triggers refuse. They are
    dropped just before that flush and exist during every test."""
    uses_db = "_django_db_helper" in request.fixturenames or (
        request.node.get_closest_marker("django_db")
    )
    if not uses_db:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    from plugins.stock.immutability import (
        create_sqlite_triggers,
        drop_sqlite_triggers,
    )

    with connection.cursor() as cursor:
        create_sqlite_triggers(cursor)
    yield
    if _is_transactional(request):
        with connection.cursor() as cursor:
            drop_sqlite_triggers(cursor)
