"""Which authoriser an emitter sends to now, who may send, and what the
contingency (SVC) switch does to the documents waiting.

While an emitter's contingency flag is on
(:func:`plugins.fiscal.emitters.switch_contingency`), its documents go to
the UF's SVC (SVC-AN or SVC-RS) and are marked ``in_contingency``; switching
it on or off sends the documents waiting for the authoriser at once, to the
one then in use. An NF-e authorised in SVC must have been built for it
(tpEmis 6 or 7, with dhCont and xJust: see :func:`emission_type`); a document
built before the switch is built again before it goes to SVC
(:func:`rebuild_for_authoriser`), and one built in contingency before it goes
back to the state's authoriser.
"""

from __future__ import annotations

import base64
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.fiscal.authoriser import Service, ServiceStatus
from plugins.fiscal.certificates import Certificate, CertificateError, load
from plugins.fiscal.endpoints import (
    authoriser_name,
    contingency_emission_type,
    service_url,
)
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


#: Certificates opened, by the SHA-256 of their file and password: opening a
#: PKCS#12 derives its key from the password (tens of milliseconds), which a
#: batch of NF-e would otherwise pay once per document.
_OPENED: dict[str, Certificate] = {}
_OPENED_MAX = 32


def emitter_certificate(emitter: Emitter) -> Certificate | None:
    """The emitter's A1 certificate (the PKCS#12 file is stored base64
    encoded), or ``None`` when it has none. A file opened before (the same
    bytes and password) is not opened again."""
    if not emitter.certificate:
        return None
    try:
        data = base64.b64decode(emitter.certificate)
    except ValueError as error:
        raise CertificateError(_("The stored certificate cannot be read.")) from error
    password = emitter.certificate_password or ""
    digest = hashlib.sha256(data + b"\x00" + password.encode()).hexdigest()
    opened = _OPENED.get(digest)
    if opened is None:
        opened = load(data, password)
        if len(_OPENED) >= _OPENED_MAX:
            _OPENED.pop(next(iter(_OPENED)), None)
        _OPENED[digest] = opened
    return opened


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


def rebuild_for_authoriser(
    document: FiscalDocument, *, emission_type: str, user=None
) -> FiscalDocument:
    """Build ``document`` (signed, or sent and not received by an
    authoriser) again for the authoriser its emitter sends to now:
    tpEmis ``emission_type`` ("6"/"7" with the emitter's contingency start
    and reason as dhCont and xJust, or "1"), issued now, a new access key
    with the same number, validated against the XSD and signed again
    (:func:`plugins.fiscal.nfe.rebuild_for_emission`). Writes the new XML
    and key under the document's row lock, the audit entry
    ``fiscal.rebuild`` and an entry on the order's timeline. Raises
    CertificateError, NFeError or SchemaError (nothing changed)."""
    from plugins.audit import log_change
    from plugins.fiscal import nfe
    from plugins.fiscal.services.timeline import timeline_entry

    emitter = document.emitter
    certificate = emitter_certificate(emitter)
    if certificate is None:
        raise CertificateError(
            _("The emitter %(emitter)s has no A1 certificate.") % {"emitter": emitter}
        )
    now = timezone.now()
    contingency = emission_type != "1"
    rebuilt = nfe.rebuild_for_emission(
        document.xml,
        emission_type=emission_type,
        issued_at=now,
        certificate=certificate,
        since=emitter.contingency_since if contingency else None,
        reason=emitter.contingency_reason if contingency else "",
    )
    with transaction.atomic():
        locked = (
            FiscalDocument.objects.select_for_update(of=("self",))
            .select_related("order", "emitter")
            .get(pk=document.pk)
        )
        previous = locked.access_key
        locked.xml = rebuilt.xml
        locked.access_key = rebuilt.access_key
        locked.issued_at = now
        locked.in_contingency = contingency
        locked.save(
            update_fields=[
                "xml",
                "access_key",
                "issued_at",
                "in_contingency",
                "updated_at",
            ]
        )
        authoriser = authoriser_name(emitter.uf, contingency=contingency)
        log_change(
            locked,
            "fiscal.rebuild",
            user=user,
            changes={"access_key": [previous, locked.access_key]},
            emission_type=emission_type,
            authoriser=authoriser,
        )
        if locked.order_id:
            timeline_entry(
                locked,
                _(
                    "NF-e %(number)s built again for the authoriser %(authoriser)s "
                    "(tpEmis %(type)s): its access key is now %(key)s; it was "
                    "%(previous)s."
                )
                % {
                    "number": locked.number,
                    "authoriser": authoriser,
                    "type": emission_type,
                    "key": locked.access_key,
                    "previous": previous,
                },
                previous_key=previous,
            )
    for name in ("xml", "access_key", "issued_at", "in_contingency"):
        setattr(document, name, getattr(locked, name))
    return document


def resend_after_contingency_switch(*, emitter: Emitter, user) -> None:
    """CONTINGENCY_SWITCHED: the documents waiting for a retry go at once (on
    commit, through the task ``resend_due_documents``) to the authoriser now
    in use. Those not received by an authoriser are built again for it
    before they go — tpEmis 6/7 with dhCont and xJust into contingency, 1
    out of it, a new access key with the same number — by the sending
    itself (:func:`plugins.fiscal.services.authorisation.send_documents`),
    outside this switch's transaction, so that a document built while the
    switch was being made is rebuilt too. Documents whose batch an
    authoriser received (a receipt), or whose earlier answer was lost, stay
    with that authoriser."""
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
