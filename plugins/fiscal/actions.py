"""Buttons of the fiscal screens, contributed through the plugin's hooks
(:data:`plugins.fiscal.hooks.DOCUMENT_ACTIONS`,
:data:`plugins.fiscal.hooks.ORDER_ACTIONS`)::

    from plugins.fiscal.actions import FiscalAction
    from plugins.fiscal.hooks import DOCUMENT_ACTIONS

    @hooks.register(DOCUMENT_ACTIONS)
    def danfe_button(*, document, request):
        if document.status != DocumentStatus.AUTHORISED:
            return None
        return FiscalAction(
            _("Download DANFE"), reverse("fiscal_danfe", args=[document.pk]),
            permission="view", icon="download", key="danfe",
        )
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from plugins.hooks import Hook, collect
from plugins.permissions import is_active_user

#: ``FiscalAction.permission`` values that are not "app_label.codename".
VIEW = "view"
ISSUE = "issue"


@dataclass(frozen=True)
class FiscalAction:
    """A button: its label, where it goes and who sees it.

    ``permission`` is ``"view"`` (whoever sees the page), ``"issue"`` (whoever
    issues for the document's emitter; on an order's panel, for any emitter)
    or a model permission ``"app_label.codename"``
    (``"fiscal.download_archive"``). ``method="post"`` renders a form with
    the page's CSRF token (an action that changes something); ``key`` names
    the button in the HTML (``data-fiscal-action``); lower ``priority``
    first."""

    label: str
    url: str
    permission: str = VIEW
    method: str = "get"
    icon: str = ""
    priority: int = 100
    key: str = ""

    def allowed(self, user, emitter=None) -> bool:
        from plugins.fiscal.permissions import issuing_emitters, user_can_issue

        if not is_active_user(user):
            return False
        if self.permission == VIEW:
            return True
        if self.permission == ISSUE:
            if emitter is None:
                return issuing_emitters(user).exists()
            return user_can_issue(user, emitter)
        return user.has_perm(self.permission)


def _flatten(results: Iterable) -> list[FiscalAction]:
    actions = []
    for result in results:
        if isinstance(result, FiscalAction):
            actions.append(result)
        else:
            actions.extend(a for a in result if a is not None)
    return actions


def collect_actions(hook: Hook, *, user, emitter=None, **kwargs) -> list[FiscalAction]:
    """The actions ``hook``'s implementations return (called with
    ``kwargs``) that ``user`` may use, by priority."""
    actions = _flatten(collect(hook, **kwargs))
    return sorted(
        (a for a in actions if a.allowed(user, emitter)), key=lambda a: a.priority
    )
