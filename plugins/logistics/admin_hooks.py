"""What the logistics manager's set-up screens, the SLA alerts, the order
screen's panel and returns contribute to Wagtail and to the other plugins
(imported by :mod:`plugins.logistics.wagtail_hooks`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = (
    (
        "logistics.return.request",
        _("Request a return"),
        _("Return requested"),
    ),
    (
        "logistics.return.authorise",
        _("Authorise a return"),
        _("Return authorised by the carrier"),
    ),
    ("logistics.return.refuse", _("Refuse a return"), _("Return refused")),
    (
        "logistics.return.receive",
        _("Receive a return"),
        _("Returned items received at the warehouse"),
    ),
)


@hooks.register("register_log_actions")
def register_return_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)
