"""Operations on emitters: the state of their A1 certificate (warned about
30 days before it expires) and the contingency switch (SVC) an operator
turns on while the state's authoriser is down."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.fiscal import hooks as fiscal_hooks
from plugins.hooks import call

#: A certificate is warned about this many days before it expires.
CERTIFICATE_WARNING_DAYS = 30
#: The contingency's justification (xJust): 15 to 256 characters.
REASON_MIN, REASON_MAX = 15, 256

CONTINGENCY_ON = "fiscal.contingency.on"
CONTINGENCY_OFF = "fiscal.contingency.off"


class CertificateState(models.TextChoices):
    MISSING = "missing", pgettext_lazy("A1 certificate", "No certificate")
    VALID = "valid", pgettext_lazy("A1 certificate", "Valid")
    EXPIRING = "expiring", pgettext_lazy("A1 certificate", "Expires soon")
    EXPIRED = "expired", pgettext_lazy("A1 certificate", "Expired")


@dataclass(frozen=True)
class CertificateStatus:
    state: CertificateState
    not_after: dt.datetime | None
    #: whole days until it expires (negative: since it expired)
    days_left: int | None

    @property
    def needs_attention(self) -> bool:
        return self.state != CertificateState.VALID

    @property
    def short(self) -> str:
        """:attr:`text` without its full stop, for a listing's tag."""
        return self.text.rstrip(".")

    @property
    def text(self) -> str:
        """ "Vence em 12 dias", "Venceu há 3 dias", "Vence hoje"…"""
        if self.state == CertificateState.MISSING:
            return _("No A1 certificate was uploaded.")
        days = self.days_left
        if days is None:  # pragma: no cover - a certificate always has an end
            return ""
        if days == 0:
            if self.state == CertificateState.EXPIRED:
                return _("Expired today.")
            return _("Expires today.")
        if days < 0:
            return ngettext(
                "Expired %(days)d day ago.", "Expired %(days)d days ago.", -days
            ) % {"days": -days}
        return ngettext(
            "Expires in %(days)d day.", "Expires in %(days)d days.", days
        ) % {"days": days}


def certificate_status(emitter, *, now: dt.datetime | None = None) -> CertificateStatus:
    """Whether ``emitter`` has a certificate, and whether it is valid, expires
    within :data:`CERTIFICATE_WARNING_DAYS` or has expired."""
    now = now or timezone.now()
    not_after = emitter.certificate_not_after
    if not emitter.certificate or not_after is None:
        return CertificateStatus(CertificateState.MISSING, None, None)
    days = (timezone.localdate(not_after) - timezone.localdate(now)).days
    if not_after <= now:
        state = CertificateState.EXPIRED
    elif not_after <= now + dt.timedelta(days=CERTIFICATE_WARNING_DAYS):
        state = CertificateState.EXPIRING
    else:
        state = CertificateState.VALID
    return CertificateStatus(state, not_after, days)


def certificates_to_renew(emitters, *, now: dt.datetime | None = None):
    """``emitters`` (a queryset) whose certificate is missing, expires within
    :data:`CERTIFICATE_WARNING_DAYS` or has expired: active ones, soonest
    first."""
    now = now or timezone.now()
    limit = now + dt.timedelta(days=CERTIFICATE_WARNING_DAYS)
    return (
        emitters.filter(active=True)
        .filter(
            models.Q(certificate_not_after__isnull=True)
            | models.Q(certificate_not_after__lte=limit)
        )
        .order_by(models.F("certificate_not_after").asc(nulls_first=True), "legal_name")
    )


class ContingencyRefused(RetaguardaError):
    code = "contingency_refused"


@transaction.atomic
def switch_contingency(emitter, *, on: bool, reason: str, user) -> None:
    """Switch ``emitter``'s contingency (SVC) on or off.

    Switching on needs a justification of 15 to 256 characters (the NF-e's
    xJust, sent with every document issued in contingency); switching off
    takes an optional note. Locks the emitter's row; refuses a switch to the
    state it is already in (two operators at once). Logs
    ``fiscal.contingency.on`` / ``fiscal.contingency.off`` with the reason and
    calls :data:`~plugins.fiscal.hooks.CONTINGENCY_SWITCHED` in the
    transaction. Raises :class:`ContingencyRefused` (nothing changed). The
    caller checks the permission (:func:`~plugins.fiscal.permissions.user_can_issue`).
    """
    from plugins.fiscal.models import Emitter

    reason = " ".join((reason or "").split())
    locked = Emitter.objects.select_for_update().get(pk=emitter.pk)
    if locked.contingency == on:
        raise ContingencyRefused(
            _("The emitter is already in contingency.")
            if on
            else _("The emitter is not in contingency.")
        )
    if on and not REASON_MIN <= len(reason) <= REASON_MAX:
        raise ContingencyRefused(
            _(
                "Give the reason for the contingency in %(min)d to %(max)d "
                "characters: it goes in every NF-e issued in contingency."
            )
            % {"min": REASON_MIN, "max": REASON_MAX}
        )
    if len(reason) > REASON_MAX:
        raise ContingencyRefused(
            _("The note has at most %(max)d characters.") % {"max": REASON_MAX}
        )
    before = (locked.contingency, locked.contingency_reason)
    locked.contingency = on
    locked.contingency_reason = reason if on else ""
    locked.contingency_since = timezone.now() if on else None
    locked.save(
        update_fields=["contingency", "contingency_reason", "contingency_since"]
    )
    log_change(
        locked,
        CONTINGENCY_ON if on else CONTINGENCY_OFF,
        user=user,
        changes={
            "contingency": [before[0], on],
            "contingency_reason": [before[1], locked.contingency_reason],
        },
        reason=reason,
    )
    call(fiscal_hooks.CONTINGENCY_SWITCHED, emitter=locked, user=user)
    for field in ("contingency", "contingency_reason", "contingency_since"):
        setattr(emitter, field, getattr(locked, field))
