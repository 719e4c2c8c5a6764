"""Freight tables through the import framework: one row per origin CEP
range × destination CEP range × weight band of a carrier's service, with
its price and delivery days. CSV or XLSX, dry run first.

"Replace" (the default) swaps the whole table of every service named in the
file for the file's rows, in the import's one transaction: quotes never see
half a table. "Add" keeps the rows already there.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.importing.base import Column, Importer, Row, cell_text
from plugins.logistics.models import CEP_MAX, CEP_MIN, CarrierService
from plugins.logistics.permissions import LogisticsPerm
from plugins.logistics.services import freight_tables
from plugins.money import parse_br_decimal

REPLACE, ADD = "replace", "add"

CEP_COLUMNS = (
    ("origin_cep_from", gettext_lazy("origin CEP from")),
    ("origin_cep_to", gettext_lazy("origin CEP to")),
    ("destination_cep_from", gettext_lazy("destination CEP from")),
    ("destination_cep_to", gettext_lazy("destination CEP to")),
)
COLUMNS = (
    Column(
        "carrier",
        gettext_lazy("carrier"),
        required=True,
        help_text=gettext_lazy("the carrier's code"),
    ),
    Column(
        "service",
        gettext_lazy("service"),
        required=True,
        help_text=gettext_lazy("the service's code, e.g. 03220"),
    ),
    *(
        Column(name, label, required=True, help_text=gettext_lazy("e.g. 01000-000"))
        for name, label in CEP_COLUMNS
    ),
    Column("weight_from_g", gettext_lazy("weight from (g)"), required=True),
    Column("weight_to_g", gettext_lazy("weight up to (g)"), required=True),
    Column(
        "price",
        gettext_lazy("price"),
        required=True,
        help_text=gettext_lazy("e.g. 23,90"),
    ),
    Column("days", gettext_lazy("delivery days"), required=True),
)


class ModeForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Existing rows"),
        choices=(
            (REPLACE, gettext_lazy("Replace the tables of the services in the file")),
            (ADD, gettext_lazy("Keep them and add the file's rows")),
        ),
        initial=REPLACE,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user=None, **kwargs):
        # the framework passes the user to every options form
        super().__init__(*args, **kwargs)


def parse_cep(value) -> int:
    """A CEP cell as the integer tables store; a spreadsheet may have
    dropped its leading zero (1000000 for 01000-000)."""
    text = cell_text(value)
    digits = "".join(c for c in text if c.isdigit())
    if (
        not digits
        or len(digits) > 8
        or digits != text.replace("-", "").replace(".", "")
    ):
        raise ValueError(text)
    number = int(digits)
    if not CEP_MIN <= number <= CEP_MAX:
        raise ValueError(text)
    return number


def parse_whole(value) -> int:
    text = cell_text(value)
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


class FreightRatesImporter(Importer):
    key = "logistics.freight_rates"
    verbose_name = gettext_lazy("Freight tables")
    permission = LogisticsPerm.IMPORT_RATES.value
    columns = COLUMNS
    options_form = ModeForm
    batch_size = 2000
    help_text = gettext_lazy(
        "One row per origin CEP range, destination CEP range and weight band "
        "of a carrier's service: its price and delivery days. Carriers and "
        "services are named by their codes and must exist. Replacing (the "
        "default) swaps the whole table of each service in the file for the "
        "file's rows at once."
    )
    counters = {
        "rates": gettext_lazy("Rows imported"),
        "replaced": gettext_lazy("Rows replaced"),
    }

    def __init__(self, user, options=None, job=None):
        super().__init__(user, options, job)
        self._services: dict[tuple[str, str], CarrierService] = {}
        self._cleared: set[int] = set()

    @property
    def replace(self) -> bool:
        return (self.options.get("mode") or REPLACE) == REPLACE

    def check_row(self, row: Row) -> None:
        values, cleaned = row.values, row.cleaned
        for name in ("carrier", "service"):
            cleaned[name] = cell_text(values.get(name))
            if not cleaned[name]:
                row.error(name, _("Required."))
        for name, _label in CEP_COLUMNS:
            try:
                cleaned[name] = parse_cep(values.get(name))
            except ValueError:
                row.error(
                    name,
                    _("“%(value)s” is not a CEP (8 digits, e.g. 01310-100).")
                    % {"value": cell_text(values.get(name))},
                )
        for name in ("weight_from_g", "weight_to_g", "days"):
            try:
                cleaned[name] = parse_whole(values.get(name))
            except ValueError:
                row.error(
                    name,
                    _("“%(value)s” is not a whole number.")
                    % {"value": cell_text(values.get(name))},
                )
        try:
            price = parse_br_decimal(cell_text(values.get("price")))
        except ValueError:
            row.error(
                "price",
                _("“%(value)s” is not an amount.")
                % {"value": cell_text(values.get("price"))},
            )
        else:
            if price < 0:
                row.error("price", _("The price cannot be negative."))
            elif price != price.quantize(Decimal("0.01")) or price >= 10**10:
                row.error("price", _("An amount in reais and centavos, e.g. 23,90."))
            cleaned["price"] = price
        for start, end in (
            ("origin_cep_from", "origin_cep_to"),
            ("destination_cep_from", "destination_cep_to"),
            ("weight_from_g", "weight_to_g"),
        ):
            if start in cleaned and end in cleaned and cleaned[start] > cleaned[end]:
                row.error(end, _("Less than the column %(start)s.") % {"start": start})
        if cleaned.get("days", 0) > 365:
            row.error("days", _("At most 365 days."))

    def check_batch(self, rows: list[Row]) -> None:
        wanted = {(r.cleaned["carrier"].lower(), r.cleaned["service"]) for r in rows}
        missing = {key for key in wanted if key not in self._services}
        if missing:
            carriers = {carrier for carrier, _service in missing}
            for service in CarrierService.objects.select_related("carrier").filter(
                carrier__code__in=carriers
            ):
                self._services[(service.carrier.code.lower(), service.code)] = service
        known_carriers = {carrier for carrier, _service in self._services}
        for row in rows:
            carrier = row.cleaned["carrier"].lower()
            service = self._services.get((carrier, row.cleaned["service"]))
            if service is None:
                if carrier not in known_carriers:
                    row.error(
                        "carrier",
                        _("Unknown carrier “%(code)s”.")
                        % {"code": row.cleaned["carrier"]},
                    )
                else:
                    row.error(
                        "service",
                        _("The carrier “%(carrier)s” has no service “%(code)s”.")
                        % {
                            "carrier": row.cleaned["carrier"],
                            "code": row.cleaned["service"],
                        },
                    )
                continue
            row.cleaned["service_id"] = service.pk

    def write_batch(self, rows: list[Row]) -> None:
        if self.replace:
            new = {row.cleaned["service_id"] for row in rows} - self._cleared
            if new:
                self.counts["replaced"] += freight_tables.clear_rates(new)
                self._cleared |= new
        c = [row.cleaned for row in rows]
        self.counts["rates"] += freight_tables.add_rates(
            {
                "service_id": r["service_id"],
                "origin_start": r["origin_cep_from"],
                "origin_end": r["origin_cep_to"],
                "destination_start": r["destination_cep_from"],
                "destination_end": r["destination_cep_to"],
                "weight_from_g": r["weight_from_g"],
                "weight_to_g": r["weight_to_g"],
                "price": r["price"],
                "days": r["days"],
            }
            for r in c
        )
