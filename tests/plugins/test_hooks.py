import pytest
from wagtail import hooks as wagtail_hooks

from plugins import hooks
from plugins.hooks import Hook

PRICE_SHOWN = Hook("test_price_shown", kwargs=("payload",), doc="For tests.")


def test_hook_is_a_plain_name_for_wagtail():
    assert PRICE_SHOWN == "test_price_shown"


def test_call_checks_the_declared_keyword_arguments():
    with pytest.raises(TypeError, match="takes keyword arguments"):
        hooks.call(PRICE_SHOWN, data={})


def test_collect_extends_a_payload_in_registration_order():
    payload = {"sku": "CAM-P"}

    def add_stock(*, payload):
        payload["availability"] = 3
        return "stock"

    def add_nothing(*, payload):
        return None

    with (
        wagtail_hooks.register_temporarily(PRICE_SHOWN, add_stock),
        wagtail_hooks.register_temporarily(PRICE_SHOWN, add_nothing),
    ):
        assert hooks.collect(PRICE_SHOWN, payload=payload) == ["stock"]
    assert payload == {"sku": "CAM-P", "availability": 3}
