"""The extension points the fiscal plugin offers (see :mod:`plugins.hooks`).

The buttons of the fiscal screens come from other modules of the plugin (the
DANFE and XML downloads, cancellation, the correction letter, issuing from an
order) and from other plugins: each implementation returns a
:class:`plugins.fiscal.actions.FiscalAction`, a list of them, or ``None``.
The screen shows those the user may use (``FiscalAction.permission``).
"""

from __future__ import annotations

from plugins.hooks import Hook

DOCUMENT_ACTIONS = Hook(
    "fiscal_document_actions",
    kwargs=("document", "request"),
    doc=(
        "Buttons of an NF-e's page (Fiscal › NF-e): return a FiscalAction, a "
        "list of them or None. Shown when ``permission`` allows it for "
        "``request.user`` on the document's emitter; ``method='post'`` "
        "renders a form posting the page's CSRF token."
    ),
)

ORDER_ACTIONS = Hook(
    "fiscal_order_actions",
    kwargs=("order", "request"),
    doc=(
        "Buttons of the Fiscal panel of the order's page (issue the NF-e, a "
        "return's NF-e): return a FiscalAction, a list of them or None. "
        "``permission`` 'issue' means: the user issues for at least one "
        "emitter."
    ),
)

CONTINGENCY_SWITCHED = Hook(
    "fiscal_contingency_switched",
    kwargs=("emitter", "user"),
    in_transaction=True,
    doc=(
        "After an operator switched an emitter's contingency (SVC) on or off "
        "(``emitter.contingency`` is the new state), inside the switch's "
        "transaction: e.g. send again, through transaction.on_commit, the "
        "documents held while the authoriser was down."
    ),
)
