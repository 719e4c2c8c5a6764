"""The fiscal permissions, spelt once for services, screens, the API and roles.

Emitters are scope objects (django-guardian): a fiscal clerk is granted
``fiscal.view_emitter`` and ``fiscal.issue_emitter`` on the emitters they
work, and sees their documents and archived XML only. The accountant,
managers and auditors hold the model permissions (every emitter); the
accountant alone (and a superuser) downloads the monthly packages.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache


class EmitterPerm(StrEnum):
    """Per emitter (granted to the fiscal clerk; the accountant, managers and
    auditors hold ``view`` for every emitter)."""

    VIEW = "fiscal.view_emitter"
    ISSUE = "fiscal.issue_emitter"


class FiscalPerm(StrEnum):
    VIEW_DOCUMENT = "fiscal.view_fiscaldocument"
    VIEW_ARCHIVE = "fiscal.view_archivedxml"
    #: the accountant's: the XML and the monthly packages of every emitter
    DOWNLOAD_ARCHIVE = "fiscal.download_archive"


#: What each action on a row that belongs to an emitter needs on the emitter.
EMITTER_SCOPE_ACTIONS = {
    "view": EmitterPerm.VIEW.value,
    "change": EmitterPerm.ISSUE.value,
}


@cache
def emitter_policy():
    """Emitters are scope objects: ``view`` to see an emitter's documents and
    archive, ``issue`` to issue, cancel, correct and inutilizar."""
    from plugins.fiscal.models import Emitter
    from plugins.permissions import ScopedPermissionPolicy

    return ScopedPermissionPolicy(Emitter)


@cache
def document_policy():
    """NF-e belong to their emitter: seen by whoever may see the emitter (or
    holds ``fiscal.view_fiscaldocument``: every emitter's)."""
    from plugins.fiscal.models import FiscalDocument
    from plugins.permissions import ScopedPermissionPolicy

    return ScopedPermissionPolicy(
        FiscalDocument, scope_field="emitter", scope_actions=EMITTER_SCOPE_ACTIONS
    )


@cache
def archive_policy():
    """The archived XML belong to their emitter, like the documents (a row of
    no emitter only to those holding ``fiscal.view_archivedxml``)."""
    from plugins.fiscal.models import ArchivedXml
    from plugins.permissions import ScopedPermissionPolicy

    return ScopedPermissionPolicy(
        ArchivedXml, scope_field="emitter", scope_actions=EMITTER_SCOPE_ACTIONS
    )


def visible_emitters(user):
    """The emitters whose documents ``user`` may see (granted view or issue,
    or all of them), by name."""
    from plugins.fiscal.models import Emitter
    from plugins.permissions import is_active_user

    if not is_active_user(user):
        return Emitter.objects.none()
    policy = emitter_policy()
    ids = set(policy.scope_objects(user, "view").values_list("pk", flat=True))
    ids |= set(policy.scope_objects(user, "issue").values_list("pk", flat=True))
    return Emitter.objects.filter(pk__in=ids).order_by("legal_name")


def sees_every_emitter(user) -> bool:
    """Whether ``user`` sees every emitter (the model permission, not grants
    on some): they also see archived XML of no emitter."""
    from plugins.permissions import is_active_user

    return is_active_user(user) and (
        user.is_superuser or user.has_perm(EmitterPerm.VIEW)
    )


def user_can_issue(user, emitter) -> bool:
    """Whether ``user`` may issue, cancel, correct and inutilizar the NF-e
    of ``emitter``."""
    return emitter_policy().user_has_permission_for_instance(user, "issue", emitter)


def user_can_see_document(user, document) -> bool:
    """Whether ``user`` may see ``document`` (its DANFE and XML included)."""
    return document_policy().user_has_permission_for_instance(user, "view", document)


def user_can_download_packages(user) -> bool:
    """The accountant's monthly packages: ``fiscal.download_archive`` (the
    Contador role) or a superuser."""
    from plugins.permissions import is_active_user

    return is_active_user(user) and (
        user.is_superuser or user.has_perm(FiscalPerm.DOWNLOAD_ARCHIVE)
    )
