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
