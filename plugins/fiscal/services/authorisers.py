"""Which authoriser an emitter sends to now, who may send, and what the
contingency (SVC) switch does to the documents waiting.

While an emitter's contingency flag is on
(:func:`plugins.fiscal.emitters.switch_contingency`), its documents go to
the UF's SVC (SVC-AN or SVC-RS) and are marked ``in_contingency``; switching
it on or off sends the documents waiting for the authoriser at once, to the
one then in use. An NF-e authorised in SVC must have been built for it
(tpEmis 6 or 7, with dhCont and xJust: see :func:`emission_type`); a document
built before the switch must be built again before it goes to SVC.
"""

from __future__ import annotations

import base64

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.fiscal.authoriser import Service, ServiceStatus
from plugins.fiscal.certificates import Certificate, CertificateError, load
from plugins.fiscal.endpoints import contingency_emission_type, service_url
from plugins.fiscal.models import DocumentStatus, Emitter, FiscalDocument
from plugins.fiscal.sefaz import SefazAuthoriser

#: The contingency's justification (the NF-e's xJust): 15 to 256 characters.


# -- Who and where -----------------------------------------------------------------


def may_issue(user, emitter: Emitter) -> bool:
    """``user`` may issue, cancel, correct and inutilize ``emitter``'s NF-e
    (``fiscal.issue_emitter`` on it, or on every emitter)."""
    from plugins.permissions import ScopedPermissionPolicy

    return ScopedPermissionPolicy(Emitter).user_has_permission_for_instance(
        user, "issue", emitter
    )


def check_may_issue(user, emitter: Emitter) -> None:
    """Raise PermissionDenied unless the system (``None``) or a user who
    :func:`may_issue` acts."""
    if user is not None and not may_issue(user, emitter):
        raise PermissionDenied


def emitter_certificate(emitter: Emitter) -> Certificate | None:
    """The emitter's A1 certificate (the PKCS#12 file is stored base64
    encoded), or ``None`` when it has none."""
    if not emitter.certificate:
        return None
    try:
        data = base64.b64decode(emitter.certificate)
    except ValueError as error:
        raise CertificateError(_("The stored certificate cannot be read.")) from error
    return load(data, emitter.certificate_password or "")


def authoriser_for(
    emitter: Emitter,
    *,
    contingency: bool | None = None,
    environment: str | None = None,
) -> SefazAuthoriser:
    """The authoriser of ``emitter``'s UF (its SVC while ``contingency``,
    default: the emitter's flag) in ``environment`` (default: the
    emitter's). Over https it presents the emitter's certificate."""
    contingency = emitter.contingency if contingency is None else contingency
    environment = environment or emitter.environment
    secure = service_url(
        emitter.uf, environment, Service.STATUS, contingency=contingency
    ).startswith("https:")
    return SefazAuthoriser(
        uf=emitter.uf,
        environment=environment,
        contingency=contingency,
        certificate=emitter_certificate(emitter) if secure else None,
    )


def emission_type(emitter: Emitter) -> str:
    """The tpEmis of an NF-e the emitter issues now: "1" (normal), or "6"
    (SVC-AN) / "7" (SVC-RS) while in contingency — with ``dhCont`` =
    ``emitter.contingency_since`` and ``xJust`` = its reason."""
    return contingency_emission_type(emitter.uf) if emitter.contingency else "1"


def check_authoriser(emitter: Emitter) -> ServiceStatus:
    """Whether the authoriser the emitter sends to now takes documents
    (NFeStatusServico4). Raises AuthoriserError when it cannot be reached."""
    with authoriser_for(emitter) as authoriser:
        return authoriser.status()


# -- Contingency -------------------------------------------------------------------


def resend_after_contingency_switch(*, emitter: Emitter, user) -> None:
    """CONTINGENCY_SWITCHED: the documents waiting for a retry go at once (on
    commit) to the authoriser now in use."""
    now = timezone.now()
    # waiting for a retry (not in flight: those have no reason yet)
    FiscalDocument.objects.filter(
        emitter=emitter,
        status=DocumentStatus.SENT,
        receipt="",
        next_attempt_at__gt=now,
    ).exclude(status_reason="").update(next_attempt_at=now)
    _resend_on_commit(emitter.pk)


def _resend_on_commit(emitter_pk: int) -> None:
    from plugins.fiscal.tasks import resend_due_documents

    transaction.on_commit(lambda: resend_due_documents.enqueue(emitter_pk=emitter_pk))
