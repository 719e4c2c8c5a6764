"""The goal form (Relatórios › Metas) and the digest preference of a user's
account settings."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from plugins.analytics import engine
from plugins.analytics.goals import period_start, staff_users
from plugins.analytics.models import DigestSubscription, Goal
from plugins.dates import BRDateInput
from plugins.kpis import KPI, Unit
from plugins.money import BRDecimalField, MoneyField

TARGET_DIGITS = {"max_digits": 16, "decimal_places": 2}


def kpi_label(kpi: KPI) -> str:
    """ "GMV (R$)", "Orders (count)"."""
    return f"{kpi.name} ({Unit(kpi.unit).label})"


class SellerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class GoalForm(WagtailAdminModelForm):
    """A goal: one of the KPIs the manager sees, a period (any day of it,
    moved to its first day), the whole store, one channel or one seller,
    and the target (in R$ for money figures)."""

    kpi = forms.ChoiceField(label=_("KPI"))
    period_start = forms.DateField(
        label=_("Which period"),
        widget=BRDateInput,
        help_text=_(
            "Any day of the month, quarter or year: the goal starts on its first day."
        ),
    )
    seller = SellerChoiceField(
        queryset=staff_users(),
        required=False,
        label=_("Seller / attendant"),
        help_text=_("For one person's sales; leave blank for a channel or the store."),
    )

    class Meta:
        model = Goal
        fields = [
            "kpi",
            "period_kind",
            "period_start",
            "channel",
            "seller",
            "target",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.kpis = engine.visible_kpis(user) if user is not None else {}
        choices = [("", "---------")]
        choices += [(key, kpi_label(kpi)) for key, kpi in self.kpis.items()]
        if self.instance.pk and self.instance.kpi not in self.kpis:
            # A goal of a figure this user no longer sees keeps its KPI.
            choices.append((self.instance.kpi, self.instance.kpi))
        self.fields["kpi"].choices = choices
        self.fields["seller"].queryset = staff_users()
        self.fields["channel"].help_text = _(
            "For one channel's sales; leave blank for the whole store."
        )
        chosen_key = self.data.get(self.add_prefix("kpi")) or self.instance.kpi
        chosen = self.kpis.get(chosen_key)
        money = chosen is not None and chosen.unit == Unit.MONEY
        field_class = MoneyField if money else BRDecimalField
        self.fields["target"] = field_class(
            label=_("Target"),
            min_value=Decimal("0.01"),
            help_text=_("In R$ for money figures; a percentage for rates."),
            **TARGET_DIGITS,
        )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("period_kind")
        day = cleaned.get("period_start")
        if kind and day:
            cleaned["period_start"] = period_start(kind, day)
        channel, seller = cleaned.get("channel"), cleaned.get("seller")
        if channel and seller:
            message = _("Choose a channel or a seller, not both.")
            self.add_error("channel", message)
            self.add_error("seller", message)
        kpi = self.kpis.get(cleaned.get("kpi") or "")
        if kpi is not None:
            dimensions = engine.source_dimensions(kpi.source)
            if channel and "channel" not in dimensions:
                self.add_error(
                    "channel", _("This figure cannot be split by sales channel.")
                )
            if seller and "seller" not in dimensions:
                self.add_error("seller", _("This figure cannot be split by seller."))
            target = cleaned.get("target")
            if target is not None:
                if kpi.unit == Unit.COUNT and target != target.to_integral_value():
                    self.add_error("target", _("Type a whole number."))
                if kpi.unit == Unit.PERCENT and target > 100:
                    self.add_error("target", _("A rate goal cannot be over 100."))
        return cleaned

    def clean_kpi(self):
        key = self.cleaned_data["kpi"]
        if key not in self.kpis and not (self.instance.pk and key == self.instance.kpi):
            raise forms.ValidationError(_("Choose a KPI you can see."))
        return key


class DigestPreferenceForm(forms.ModelForm):
    """How often the user gets the goals e-mail."""

    class Meta:
        model = DigestSubscription
        fields = ["frequency"]
        widgets = {"frequency": forms.RadioSelect}
        labels = {"frequency": _("Goals and exceptions by e-mail")}
        help_texts = {
            "frequency": _(
                "The progress of your goals, the goals behind pace and the figures "
                "that got worse, sent in the morning."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The account screen saves every panel at once: a post without this
        # panel's field keeps the saved choice.
        self.fields["frequency"].required = False

    def clean_frequency(self):
        return self.cleaned_data.get("frequency") or self.instance.frequency
