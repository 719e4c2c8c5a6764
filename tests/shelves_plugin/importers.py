"""The test plugin's importer: shelves by code (new ones created, known ones
updated), written as a plugin author writes one."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.importing.base import Column, Importer, RowInvalid
from tests.shelves_plugin.models import Shelf


class ShelvesImporter(Importer):
    key = "shelves.shelves"
    verbose_name = gettext_lazy("Import shelves")
    permission = "shelves.add_shelf"
    columns = (
        Column("code", gettext_lazy("Shelf code"), required=True),
        Column("name", gettext_lazy("Name"), required=True),
        Column("capacity", gettext_lazy("Capacity in units")),
    )
    counters = {
        "new": gettext_lazy("New shelves"),
        "updated": gettext_lazy("Updated shelves"),
    }

    def check_row(self, row):
        code = str(row.values["code"] or "").lower()
        if not code:
            raise RowInvalid("code", _("Required."))
        if not row.values["name"]:
            raise RowInvalid("name", _("Required."))
        capacity = row.values.get("capacity")
        try:
            capacity = 10 if capacity is None else int(capacity)
        except ValueError:
            raise RowInvalid("capacity", _("Not a whole number.")) from None
        row.cleaned = {"code": code, "name": row.values["name"], "capacity": capacity}

    def check_batch(self, rows):
        known = set(
            Shelf.objects.filter(
                code__in=[row.cleaned["code"] for row in rows]
            ).values_list("code", flat=True)
        )
        for row in rows:
            self.counts["updated" if row.cleaned["code"] in known else "new"] += 1

    def write_batch(self, rows):
        for row in rows:
            Shelf.objects.update_or_create(
                code=row.cleaned["code"],
                defaults={
                    "name": row.cleaned["name"],
                    "capacity": row.cleaned["capacity"],
                },
            )

    def result_url(self, job):
        return reverse("shelves:index")
