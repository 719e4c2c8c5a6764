"""Who may do what with the fiscal documents.

Emitters (estabelecimentos) scope the fiscal desk's work, as bank accounts
scope the finance clerk's: the "fiscal" role is granted, per emitter
(django-guardian, Configurações › Permissões por objeto),
``fiscal.view_emitter`` to see its documents and ``fiscal.issue_emitter`` to
issue, cancel, correct and inutilize them and to switch its contingency.
The same permissions held for the model (a role's group) cover every
emitter: managers, auditors and the accountant read every emitter's
documents; the active superuser does everything.

Setting emitters up (their data, environment, série and A1 certificate) is
``fiscal.add_emitter`` / ``fiscal.change_emitter``: the superuser and the
manager (Gerente), who renews the certificate every year. A fiscal clerk
sees the emitters granted to them but does not edit them.

The rows of an emitter (its NF-e, its inutilized numbers) follow it
(:class:`EmitterScopedPolicy`): who sees them at all is the model's own view
permission (``fiscal.view_fiscaldocument``: the fiscal desk, the accountant,
managers and auditors); which of them, the emitters the user sees. A
document of an emitter out of the user's scope does not exist for them
(404, never 403). The same policies serve the admin and the API.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from plugins.permissions import (
    ReadGatedScopedPolicy,
    ScopedPermissionPolicy,
    is_active_user,
)


class EmitterPerm(StrEnum):
    """Per emitter (guardian grants to the fiscal clerk), or for the model."""

    VIEW = "fiscal.view_emitter"
    ISSUE = "fiscal.issue_emitter"
    ADD = "fiscal.add_emitter"
    CHANGE = "fiscal.change_emitter"


class FiscalPerm(StrEnum):
    VIEW_DOCUMENT = "fiscal.view_fiscaldocument"
    VIEW_EVENT = "fiscal.view_fiscalevent"
    VIEW_GAP = "fiscal.view_numbergap"
    VIEW_ARCHIVE = "fiscal.view_archivedxml"
    #: the accountant's: the XML and the monthly packages of every emitter
    DOWNLOAD_ARCHIVE = "fiscal.download_archive"


#: Actions on rows that belong to an emitter, and the permission each needs on
#: that emitter. Issuing, cancelling, correcting and inutilizing are "issue".
EMITTER_SCOPE_ACTIONS = {
    "view": EmitterPerm.VIEW,
    "change": EmitterPerm.ISSUE,
    "issue": EmitterPerm.ISSUE,
}


class EmitterScopedPolicy(ReadGatedScopedPolicy):
    """Rows of an emitter (``scope_field``, ``"emitter"`` by default).

    A user acts on them only while holding the model's own view permission
    (``fiscal.view_fiscaldocument`` for documents: the fiscal roles, managers
    and auditors). Which rows: those of every emitter when the action's
    emitter permission is held for the model (the accountant, managers and
    auditors read every emitter), otherwise those of the emitters granted to
    the user. The fiscal role's group holds the documents' view permission
    for the model, so the model permission alone never widens the scope.
    """

    def __init__(self, model, auth_model=None, *, scope_field: str = "emitter"):
        super().__init__(
            model,
            auth_model=auth_model,
            scope_field=scope_field,
            scope_actions=EMITTER_SCOPE_ACTIONS,
        )


@cache
def emitter_policy() -> ScopedPermissionPolicy:
    """Emitters are scope objects: ``view``, ``issue`` per emitter; ``add``
    and ``change`` (setting them up) for the model."""
    from plugins.fiscal.models import Emitter

    return ScopedPermissionPolicy(Emitter)


@cache
def document_policy() -> EmitterScopedPolicy:
    from plugins.fiscal.models import FiscalDocument

    return EmitterScopedPolicy(FiscalDocument)


@cache
def number_gap_policy() -> EmitterScopedPolicy:
    from plugins.fiscal.models import NumberGap

    return EmitterScopedPolicy(NumberGap)


@cache
def archive_policy() -> EmitterScopedPolicy:
    """The archived XML belong to their emitter, like the documents."""
    from plugins.fiscal.models import ArchivedXml

    return EmitterScopedPolicy(ArchivedXml)


def visible_emitters(user):
    """The emitters whose documents ``user`` may see (granted view or issue,
    or every emitter), by name."""
    from plugins.fiscal.models import Emitter

    if not is_active_user(user):
        return Emitter.objects.none()
    policy = emitter_policy()
    ids = set(policy.scope_objects(user, "view").values_list("pk", flat=True))
    ids |= set(policy.scope_objects(user, "issue").values_list("pk", flat=True))
    return Emitter.objects.filter(pk__in=ids).order_by("legal_name")


def issuing_emitters(user):
    """The emitters ``user`` may issue (cancel, correct, inutilize) for."""
    return emitter_policy().scope_objects(user, "issue")


def sees_every_emitter(user) -> bool:
    """Whether ``user`` sees every emitter (the model permission, not grants
    on some)."""
    return is_active_user(user) and (
        user.is_superuser or user.has_perm(EmitterPerm.VIEW)
    )


def user_can_issue(user, emitter) -> bool:
    """Whether ``user`` may issue, cancel, correct and inutilize NF-e of
    ``emitter``, and switch its contingency."""
    return emitter_policy().user_has_permission_for_instance(user, "issue", emitter)


def user_can_set_up_emitters(user) -> bool:
    """Whether ``user`` edits emitters and their certificates."""
    return emitter_policy().user_has_permission(user, "change")


def visible_documents(user, queryset=None):
    """``queryset`` (every NF-e by default) narrowed to what ``user`` sees."""
    from plugins.fiscal.models import FiscalDocument

    if queryset is None:
        queryset = FiscalDocument.objects.all()
    return document_policy().filter_queryset(queryset, user, ["view"])


def user_sees_documents(user) -> bool:
    """Whether ``user`` sees the documents of at least one emitter."""
    return document_policy().user_has_permission(user, "view")


def user_can_see_document(user, document) -> bool:
    """Whether ``user`` may see ``document`` (its DANFE and XML included)."""
    return document_policy().user_has_permission_for_instance(user, "view", document)


def user_can_download_packages(user) -> bool:
    """The accountant's monthly packages: ``fiscal.download_archive`` (the
    Contador role) or a superuser."""
    return is_active_user(user) and (
        user.is_superuser or user.has_perm(FiscalPerm.DOWNLOAD_ARCHIVE)
    )
