"""Everything the fiscal plugin contributes to Wagtail."""

from wagtail import hooks

from plugins.fiscal.services.authorisation import LOG_ACTIONS


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)
