"""Everything the fiscal plugin contributes to Wagtail."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

#: The audit log's actions of the fiscal services.
LOG_ACTIONS = (
    (
        "fiscal.authorise",
        _("NF-e authorised"),
        _("NF-e authorised by the authoriser"),
    ),
    (
        "fiscal.deny",
        _("NF-e denied"),
        _("NF-e denied by the authoriser"),
    ),
    (
        "fiscal.reject",
        _("NF-e rejected"),
        _("NF-e rejected by the authoriser"),
    ),
    (
        "fiscal.contingency",
        _("Contingency"),
        _("Emitter's contingency (SVC) switched"),
    ),
    (
        "fiscal.event",
        _("Send an NF-e event"),
        _("NF-e event sent to the authoriser"),
    ),
    (
        "fiscal.inutilize",
        _("Inutilize numbers"),
        _("NF-e numbers sent for inutilization"),
    ),
)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)
