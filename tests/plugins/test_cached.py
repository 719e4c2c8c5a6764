"""Cached rows: read once, read again after a change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugins.orders.models import SalesChannel, storefront_channels


@pytest.mark.django_db
def test_cached_rows_are_read_once_and_again_after_a_change(
    django_capture_on_commit_callbacks,
):
    loja = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    assert [c.code for c in storefront_channels.get()] == ["loja"]
    with CaptureQueriesContext(connection) as queries:
        assert storefront_channels.get()[0].active
    assert len(queries) == 0

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        loja.active = False
        loja.save()
    assert callbacks  # renewed again once the change commits
    assert storefront_channels.get()[0].active is False

    SalesChannel.objects.create(code="app", name="App", kind="storefront")
    SalesChannel.objects.create(code="ml", name="ML", kind="marketplace")
    assert [c.code for c in storefront_channels.get()] == ["loja", "app"]
    loja.delete()
    assert [c.code for c in storefront_channels.get()] == ["app"]


def test_a_generation_is_started_once_and_renewed_on_change():
    from plugins.cached import Generation

    catalog = Generation("test:generation")
    first = catalog.current()
    assert catalog.current() == first  # stable until renewed
    catalog.renew()
    assert catalog.current() != first
    keys = ["test:a", "test:b"]
    before = Generation.current_many(keys)
    assert Generation.current_many(keys) == before
    Generation.renew_many(["test:a"])
    after = Generation.current_many(keys)
    assert after["test:a"] != before["test:a"] and after["test:b"] == before["test:b"]
