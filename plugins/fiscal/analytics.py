"""The fiscal plugin's figures (:mod:`plugins.kpis`): NF-e authorised,
rejected and cancelled, and the taxes of the sales.

The NF-e counted are those the store issues (sales, returns, transfers;
not the suppliers' NF-e it receives) in their emitter's current
environment: once an emitter is in production, the NF-e it issued in
homologação (tests) no longer count. Each is counted on the store's local
day it was issued (``issued_at``, ``settings.TIME_ZONE``), in its current
status: an NF-e issued last week and cancelled today leaves last week's
authorised and joins its cancelled (the rollup rolls that day again: a
cancellation stamps the document's ``updated_at``).

Taxes are the totals each NF-e stores when it is built
(``FiscalDocument.totals``, the figures of ``ICMSTot`` the accountant's
package reads too): ICMS, FCP (with the destination's FCP of the DIFAL),
DIFAL, IPI, PIS and COFINS of the authorised sales, less those of the
authorised returns (a return gives the tax back). The tax reform's IBS and
CBS are a figure of their own.

Emitters are the scope (:func:`~plugins.fiscal.permissions.document_policy`):
a fiscal clerk sees the figures of the emitters granted to them.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plugins.fiscal.models.documents import DocumentStatus, Operation
from plugins.kpis import KPI, ZERO, Fact, Source, Unit, measure, store_date
from plugins.orders.analytics import day_bounds, store_day

MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)

#: The NF-e of the store (not those received from suppliers), in their
#: emitter's current environment.
OWN_DOCUMENTS = Q(environment=F("emitter__environment")) & ~Q(
    operation=Operation.PURCHASE
)
#: The statuses counted, each a measure.
COUNTED = {
    "authorised": DocumentStatus.AUTHORISED,
    "rejected": DocumentStatus.REJECTED,
    "cancelled": DocumentStatus.CANCELLED,
}
#: The taxes summed, each the sum of these keys of ``FiscalDocument.totals``.
TAXES = {
    "icms": ("icms",),
    "fcp": ("fcp", "difal_fcp"),
    "difal": ("difal",),
    "ipi": ("ipi",),
    "pis": ("pis",),
    "cofins": ("cofins",),
}
REFORM_TAXES = ("ibs", "cbs")
TOTALS_KEYS = sorted(
    {key for keys in TAXES.values() for key in keys} | set(REFORM_TAXES)
)
SALE = Q(operation=Operation.SALE)
RETURN = Q(operation=Operation.RETURN)


def _total(key: str):
    """One figure of an NF-e's stored totals, as money (``NULL`` when the
    NF-e does not have it)."""
    return Cast(KeyTextTransform(key, "totals"), output_field=MONEY_FIELD)


def _documents(start, end, scope_ids):
    from plugins.fiscal.models import FiscalDocument

    since, until = day_bounds(start, end)
    documents = FiscalDocument.objects.filter(
        OWN_DOCUMENTS, issued_at__gte=since, issued_at__lt=until
    )
    if scope_ids is not None:
        documents = documents.filter(emitter_id__in=scope_ids)
    return documents


def documents_listing_url(*, start, end, filters, status) -> str:
    """The NF-e listing: issued in the period, in ``status``, of the one
    emitter filtered on."""
    params = {
        "status": status,
        "issued_at_from": start.strftime("%d/%m/%Y"),
        "issued_at_to": end.strftime("%d/%m/%Y"),
    }
    emitters = sorted(filters.get("emitter", ()))
    if len(emitters) == 1:
        params["emitter"] = emitters[0]
    return f"{reverse('fiscal_documents:index')}?{urlencode(params)}"


class FiscalSource(Source):
    """What the NF-e sources share: the emitters' scope, the first day and
    the days changed since a moment."""

    scope = "emitter"
    flow = True

    def user_can_see(self, user) -> bool:
        from plugins.fiscal.permissions import user_sees_documents

        return user_sees_documents(user)

    def scope_ids(self, user):
        from plugins.fiscal.permissions import document_policy

        return document_policy().scope_ids_for(user, "view")

    def first_day(self):
        from plugins.fiscal.models import FiscalDocument

        first = (
            FiscalDocument.objects.filter(OWN_DOCUMENTS)
            .order_by("issued_at")
            .values_list("issued_at", flat=True)
            .first()
        )
        return store_date(first)

    def changed_days(self, since):
        from plugins.fiscal.models import FiscalDocument

        return set(
            FiscalDocument.objects.filter(OWN_DOCUMENTS, updated_at__gte=since)
            .annotate(day=store_day("issued_at"))
            .values_list("day", flat=True)
            .distinct()
        )

    def member_labels(self, dimension, members):
        if dimension == "emitter":
            from plugins.fiscal.models import Emitter

            ids = [int(m) for m in members if str(m).isdigit()]
            return {
                str(emitter.pk): str(emitter)
                for emitter in Emitter.objects.filter(pk__in=ids)
            }
        return super().member_labels(dimension, members)


class DocumentsSource(FiscalSource):
    """NF-e authorised, rejected and cancelled, per day of issue."""

    key = "fiscal_documents"
    label = _("NF-e")
    dimensions = ()
    kpis = (
        KPI(
            "fiscal.authorised",
            _("NF-e authorised"),
            Unit.COUNT,
            measure("authorised"),
            _(
                "NF-e issued by the store in the period (sales, returns, "
                "transfers) and authorised, not cancelled; suppliers' NF-e and "
                "homologação ones of an emitter in production do not count."
            ),
            drilldown="documents",
        ),
        KPI(
            "fiscal.rejected",
            _("NF-e rejected"),
            Unit.COUNT,
            measure("rejected"),
            _(
                "NF-e issued in the period that the authoriser rejected and that "
                "were not sent again with success; denied NF-e do not count."
            ),
            higher_is_better=False,
            drilldown="documents",
        ),
        KPI(
            "fiscal.cancelled",
            _("NF-e cancelled"),
            Unit.COUNT,
            measure("cancelled"),
            _(
                "NF-e issued in the period and cancelled since, on whatever day "
                "the cancellation was registered."
            ),
            higher_is_better=False,
            drilldown="documents",
        ),
    )

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        if dimension:
            return
        rows = (
            _documents(start, end, scope_ids)
            .filter(status__in=list(COUNTED.values()))
            .annotate(day=store_day("issued_at"))
            .values("day", "emitter_id")
            .annotate(
                **{
                    name: Count("pk", filter=Q(status=status))
                    for name, status in COUNTED.items()
                }
            )
            .order_by()
        )
        for row in rows:
            for name in COUNTED:
                if row[name]:
                    yield Fact(
                        row["day"], row["emitter_id"], "", name, Decimal(row[name])
                    )

    def drilldown_url(self, kpi, *, start, end, filters):
        status = kpi.key.removeprefix("fiscal.")
        return documents_listing_url(
            start=start, end=end, filters=filters, status=COUNTED[status]
        )


class TaxesSource(FiscalSource):
    """The taxes of the authorised sales less those of the authorised
    returns, per day of issue and tax."""

    key = "fiscal_taxes"
    label = _("Taxes")
    dimensions = ("tax",)
    kpis = (
        KPI(
            "fiscal.taxes",
            _("Taxes on sales"),
            Unit.MONEY,
            measure("taxes"),
            _(
                "ICMS, FCP, DIFAL, IPI, PIS and COFINS of the sales NF-e issued "
                "in the period and authorised (not cancelled), less those of the "
                "authorised return NF-e; ICMS-ST, IBS and CBS do not count."
            ),
            higher_is_better=False,
            drilldown="documents",
        ),
        KPI(
            "fiscal.reform_taxes",
            _("IBS and CBS"),
            Unit.MONEY,
            measure("reform_taxes"),
            _(
                "The tax reform's IBS and CBS of the sales NF-e issued in the "
                "period and authorised (not cancelled), less those of the "
                "authorised return NF-e."
            ),
            higher_is_better=False,
            drilldown="documents",
            dimensions=("emitter",),
        ),
    )

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        if dimension not in ("", "tax"):
            return
        sums = {}
        for key in TOTALS_KEYS:
            sums[f"sale_{key}"] = Sum(_total(key), filter=SALE)
            sums[f"return_{key}"] = Sum(_total(key), filter=RETURN)
        rows = (
            _documents(start, end, scope_ids)
            .filter(SALE | RETURN, status=DocumentStatus.AUTHORISED)
            .annotate(day=store_day("issued_at"))
            .values("day", "emitter_id")
            .annotate(**sums)
            .order_by()
        )
        only = (where or {}).get("tax")
        wanted = set(only or TAXES)
        for row in rows:

            def net(key, row=row):
                return (row[f"sale_{key}"] or ZERO) - (row[f"return_{key}"] or ZERO)

            taxes = {
                tax: sum((net(key) for key in keys), ZERO)
                for tax, keys in TAXES.items()
                if tax in wanted
            }
            day, emitter = row["day"], row["emitter_id"]
            if dimension == "tax":
                for tax, value in taxes.items():
                    if value:
                        yield Fact(day, emitter, tax, "taxes", value)
                continue
            total = sum(taxes.values(), ZERO)
            if total:
                yield Fact(day, emitter, "", "taxes", total)
            reform = sum((net(key) for key in REFORM_TAXES), ZERO)
            if reform and not only:
                yield Fact(day, emitter, "", "reform_taxes", reform)

    def member_labels(self, dimension, members):
        if dimension == "tax":
            from plugins.fiscal.package import figure_labels

            labels = figure_labels()
            return {member: str(labels.get(member, member)) for member in members}
        return super().member_labels(dimension, members)

    def drilldown_url(self, kpi, *, start, end, filters):
        return documents_listing_url(
            start=start, end=end, filters=filters, status=DocumentStatus.AUTHORISED
        )


def sources():
    return [DocumentsSource(), TaxesSource()]
