"""The tax rules screens in the "Fiscal" menu: Tax rules (listing with
filters and export, create, edit, copy, delete, inspect, history) and the
ICMS rates of the states (listing and edit: the 27 states are always there).

Who: reading them is for the fiscal desk, the accountant, managers and
auditors (``view_taxrule`` / ``view_ufrate``); changing them is for the
fiscal desk (``add``/``change``/``delete_taxrule``, ``change_ufrate``) and
superusers. Every change is in the audit log (Wagtail's create, edit and
delete entries) and on the row's history.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from content.forms import CleanTextAdminForm
from plugins.fiscal.forms_rules import TaxRuleForm
from plugins.fiscal.menu import FISCAL_MENU
from plugins.fiscal.models import Operation, TaxRegime, TaxRule, UFRate
from plugins.fiscal.models.rules import CUSTOMER_TYPE_CHOICES
from plugins.orders.models import UF_CHOICES
from plugins.tables import AbsoluteDateColumn, BooleanColumn
from plugins.viewsets import InspectView, ScopedIndexView

TAX_RULES = "fiscal_tax_rules"
UF_RATES = "fiscal_uf_rates"


class TaxRuleFilterSet(WagtailFilterSet):
    active = django_filters.BooleanFilter(label=_("Active"))
    operation = django_filters.ChoiceFilter(
        label=_("Operation"), choices=Operation.choices
    )
    tax_regime = django_filters.ChoiceFilter(
        label=_("Emitter's tax regime"), choices=TaxRegime.choices
    )
    customer_type = django_filters.ChoiceFilter(
        label=_("Customer type"), choices=CUSTOMER_TYPE_CHOICES
    )
    origin_uf = django_filters.ChoiceFilter(label=_("Origin UF"), choices=UF_CHOICES)
    destination_uf = django_filters.ChoiceFilter(
        label=_("Destination UF"), choices=UF_CHOICES
    )
    ncm = django_filters.CharFilter(
        label=_("NCM starts with"), lookup_expr="startswith"
    )

    class Meta:
        model = TaxRule
        fields = [
            "active",
            "operation",
            "tax_regime",
            "customer_type",
            "origin_uf",
            "destination_uf",
            "ncm",
        ]


def _any(value) -> str:
    return value or str(_("any"))


class TaxRuleViewSet(ModelViewSet):
    model = TaxRule
    name = TAX_RULES
    url_prefix = "fiscal/tax-rules"
    icon = "list-ul"
    menu_label = _("Tax rules")
    menu_name = "fiscal-tax-rules"
    menu_order = 20
    menu_hook = FISCAL_MENU
    add_to_reference_index = False
    inspect_view_enabled = True
    inspect_view_class = InspectView
    index_view_class = ScopedIndexView  # the project's one export format
    filterset_class = TaxRuleFilterSet
    search_fields = ["description", "ncm", "cfop_internal", "cfop_interstate"]
    search_backend_name = None
    ordering = ["description", "pk"]
    list_per_page = 50
    list_display = [
        "description",
        Column("ncm", label=_("NCM"), accessor=lambda rule: _any(rule.ncm)),
        Column(
            "operation",
            label=_("Operation"),
            accessor=lambda rule: _any(rule.get_operation_display()),
        ),
        Column(
            "route",
            label=_("From → to"),
            accessor=lambda rule: (
                f"{_any(rule.origin_uf)} → {_any(rule.destination_uf)}"
            ),
        ),
        Column(
            "customer_type",
            label=_("Customer type"),
            accessor=lambda rule: _any(rule.get_customer_type_display()),
        ),
        Column(
            "tax_regime",
            label=_("Regime"),
            accessor=lambda rule: _any(rule.get_tax_regime_display()),
        ),
        Column(
            "cfop",
            label=_("CFOP"),
            accessor=lambda rule: f"{rule.cfop_internal} / {rule.cfop_interstate}",
        ),
        Column(
            "icms",
            label=_("CST / CSOSN"),
            accessor=lambda rule: " / ".join(
                code for code in (rule.icms_cst, rule.icms_csosn) if code
            ),
        ),
        Column("priority", label=_("Priority"), sort_key="priority"),
        BooleanColumn.for_field(TaxRule, "active"),
    ]
    list_export = [
        "description",
        "active",
        "priority",
        "ncm",
        "operation",
        "origin_uf",
        "destination_uf",
        "customer_type",
        "product_origin",
        "tax_regime",
        "cfop_internal",
        "cfop_interstate",
        "icms_cst",
        "icms_csosn",
        "icms_base_reduction",
        "internal_rate",
        "fcp_applies",
        "fcp_rate",
        "sn_credit_rate",
        "pis_cst",
        "pis_rate",
        "cofins_cst",
        "cofins_rate",
        "ipi_cst",
        "ipi_rate",
        "ipi_framework",
        "ibs_cbs_cst",
        "ibs_cbs_classification",
    ]
    inspect_view_fields = list_export
    edit_handler = ObjectList(
        [
            FieldRowPanel(
                [
                    FieldPanel("description"),
                    FieldPanel("priority"),
                    FieldPanel("active"),
                ]
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("ncm"), FieldPanel("operation")]),
                    FieldRowPanel(
                        [FieldPanel("origin_uf"), FieldPanel("destination_uf")]
                    ),
                    FieldRowPanel(
                        [
                            FieldPanel("customer_type"),
                            FieldPanel("product_origin"),
                            FieldPanel("tax_regime"),
                        ]
                    ),
                ],
                heading=_("Applies to (empty: any)"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [FieldPanel("cfop_internal"), FieldPanel("cfop_interstate")]
                    ),
                    FieldRowPanel([FieldPanel("icms_cst"), FieldPanel("icms_csosn")]),
                    FieldRowPanel(
                        [
                            FieldPanel("icms_base_reduction"),
                            FieldPanel("internal_rate"),
                            FieldPanel("sn_credit_rate"),
                        ]
                    ),
                    FieldRowPanel([FieldPanel("fcp_applies"), FieldPanel("fcp_rate")]),
                ],
                heading=_("CFOP and ICMS"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("pis_cst"), FieldPanel("pis_rate")]),
                    FieldRowPanel(
                        [FieldPanel("cofins_cst"), FieldPanel("cofins_rate")]
                    ),
                ],
                heading=_("PIS and COFINS"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [
                            FieldPanel("ipi_cst"),
                            FieldPanel("ipi_rate"),
                            FieldPanel("ipi_framework"),
                        ]
                    ),
                ],
                heading=_("IPI"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [
                            FieldPanel("ibs_cbs_cst"),
                            FieldPanel("ibs_cbs_classification"),
                        ]
                    ),
                ],
                heading=_("IBS and CBS (tax reform)"),
            ),
        ],
        base_form_class=TaxRuleForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(usage_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "usage"]


class UFRateViewSet(ModelViewSet):
    """The 27 states' rates: edited, never added or deleted."""

    model = UFRate
    name = UF_RATES
    url_prefix = "fiscal/uf-rates"
    icon = "table"
    menu_label = _("ICMS rates of the states")
    menu_name = "fiscal-uf-rates"
    menu_order = 30
    menu_hook = FISCAL_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = ScopedIndexView
    edit_handler = ObjectList(
        [FieldRowPanel([FieldPanel("internal_rate"), FieldPanel("fcp_rate")])],
        base_form_class=CleanTextAdminForm,
    )
    ordering = ["uf"]
    list_per_page = 50
    list_display = [
        "uf",
        Column("internal_rate", label=_("Internal ICMS rate (%)")),
        Column("fcp_rate", label=_("FCP rate (%)")),
        AbsoluteDateColumn("updated_at", label=_("Updated"), sort_key="updated_at"),
    ]
    list_export = ["uf", "internal_rate", "fcp_rate", "updated_at"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None, delete_url_name=None, usage_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        dropped = {"add", "delete", "usage"}
        return [p for p in super().get_urlpatterns() if p.name not in dropped]
