"""The fiscal dashboard panel: what stops NF-e from being issued, in the
emitters the user sees — certificates missing, expiring within 30 days or
expired, documents rejected or awaiting the authoriser, and emitters in
contingency. Shown to those who act on it: the fiscal desk (its emitters),
whoever sets emitters up and renews their certificates (the manager, the
superuser) and the accountant. Three queries whatever the data (the
documents' counts, the emitters' counts, the certificates to renew)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from plugins.dashboard import DashboardPanel, Figure
from plugins.fiscal.emitters import (
    CERTIFICATE_WARNING_DAYS,
    certificate_status,
    certificates_to_renew,
)
from plugins.fiscal.models import DocumentStatus
from plugins.fiscal.permissions import (
    FiscalPerm,
    issuing_emitters,
    user_can_set_up_emitters,
    visible_documents,
    visible_emitters,
)
from plugins.permissions import is_active_user

#: Certificates the panel lists (the figures count them all).
PANEL_ROWS = 10


def documents_url(**params) -> str:
    url = reverse("fiscal_documents:index")
    return f"{url}?{urlencode(params)}" if params else url


def emitters_url(**params) -> str:
    url = reverse("fiscal_emitters:index")
    return f"{url}?{urlencode(params)}" if params else url


class FiscalPanel(DashboardPanel):
    name = "fiscal"
    order = 180
    heading = _("Fiscal")
    icon = "clipboard-list"
    template_name = "fiscal/dashboard/panel.html"

    @classmethod
    def user_can_see(cls, user) -> bool:
        if not is_active_user(user):
            return False
        return bool(
            user.is_superuser
            or user_can_set_up_emitters(user)
            or user.has_perm(FiscalPerm.DOWNLOAD_ARCHIVE)
            or issuing_emitters(user).exists()
        )

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        user = self.user
        now = timezone.now()
        emitters = visible_emitters(user)
        documents = visible_documents(user).aggregate(
            rejected=Count("pk", filter=Q(status=DocumentStatus.REJECTED)),
            awaiting=Count("pk", filter=Q(status=DocumentStatus.SENT)),
        )
        limit = now + dt.timedelta(days=CERTIFICATE_WARNING_DAYS)
        active = emitters.filter(active=True)
        counts = active.aggregate(
            contingency=Count("pk", filter=Q(contingency=True)),
            expired=Count(
                "pk",
                filter=Q(certificate_not_after__lte=now),
            ),
            expiring=Count(
                "pk",
                filter=Q(
                    certificate_not_after__gt=now, certificate_not_after__lte=limit
                ),
            ),
            missing=Count("pk", filter=Q(certificate_not_after__isnull=True)),
        )
        to_renew = [
            {"emitter": emitter, "certificate": certificate_status(emitter, now=now)}
            for emitter in certificates_to_renew(emitters, now=now)[:PANEL_ROWS]
        ]
        context.update(
            figures=[
                Figure(
                    _("Certificates expiring within %(days)d days")
                    % {"days": CERTIFICATE_WARNING_DAYS},
                    counts["expiring"],
                    url=emitters_url(),
                    alert=counts["expiring"] > 0,
                    key="certificates-expiring",
                ),
                Figure(
                    _("Certificates expired or missing"),
                    counts["expired"] + counts["missing"],
                    url=emitters_url(),
                    alert=(counts["expired"] + counts["missing"]) > 0,
                    key="certificates-expired",
                ),
                Figure(
                    _("NF-e rejected"),
                    documents["rejected"],
                    url=documents_url(status=DocumentStatus.REJECTED),
                    alert=documents["rejected"] > 0,
                    key="rejected",
                ),
                Figure(
                    _("NF-e awaiting the authoriser"),
                    documents["awaiting"],
                    url=documents_url(status=DocumentStatus.SENT),
                    key="awaiting",
                ),
                Figure(
                    _("Emitters in contingency"),
                    counts["contingency"],
                    url=emitters_url(contingency="true"),
                    alert=counts["contingency"] > 0,
                    key="contingency",
                ),
            ],
            to_renew=to_renew,
        )
        return context
