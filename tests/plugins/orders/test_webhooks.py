"""Orders add their events to the outgoing webhooks."""

from api.forms import WebhookSubscriptionForm
from api.models import WebhookDelivery, WebhookSubscription
from plugins.orders.services import transition_order
from tests.plugins.orders.conftest import place


def test_order_events_are_offered_and_sent(
    sellable, loja, django_capture_on_commit_callbacks
):
    choices = dict(WebhookSubscriptionForm().fields["events"].choices)
    assert {"order.*", "order.placed", "order.paid", "order.cancelled"} <= set(choices)

    WebhookSubscription.objects.create(
        name="ERP", url="https://erp.example.com/hook", events=["order.*"], secret="s"
    )
    order = place(loja)
    transition_order(order, "pay", user=None)
    transition_order(order, "cancel", user=None, reason="Fraude")
    events = WebhookDelivery.objects.values_list("event", flat=True)
    assert sorted(events) == ["order.cancelled", "order.paid", "order.placed"]
    payload = WebhookDelivery.objects.get(event="order.cancelled").payload
    assert payload["number"] == order.number
    assert payload["status"] == "cancelled"
    assert "customer_document" not in payload  # no personal data in webhooks
