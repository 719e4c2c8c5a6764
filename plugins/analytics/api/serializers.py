"""Query parameters and payloads of the KPI API (``/api/v1/analytics/``)."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from plugins.analytics.periods import COMPARISONS, PRESETS
from plugins.analytics.views import MAX_DAYS
from plugins.kpis import DIMENSIONS, Unit
from plugins.orders.api.serializers import ChoiceField as PatternChoiceField
from plugins.orders.models import UF_CHOICES, PaymentMethod

#: Custom periods lie within these days (their comparison periods too).
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)
#: What a figure is when no period is given: today's (a TV dashboard).
DEFAULT_PERIOD = "today"
PERIODS = [key for key in PRESETS if key != "custom"]
MAX_KEYS = 100
MAX_MEMBERS = 100
#: Ids are those of database rows (a 32-bit integer key at most).
MAX_ID = 2_147_483_647
#: Filters by members of a dimension, each a query parameter. These take ids
#: (scope objects, categories, brands); the others take codes.
FILTERS = (
    "channel",
    "category",
    "brand",
    "warehouse",
    "carrier",
    "uf",
    "payment_method",
)
ID_FILTERS = ("channel", "category", "brand", "warehouse", "carrier")
#: Parameters that take several values: comma-separated (or repeated).
LISTS = ("keys", *FILTERS)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class CommaSeparatedField(serializers.ListField):
    """A list sent as ``a,b,c`` (or with the parameter repeated); repeated
    members count once, empty ones are ignored."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(v, str) for v in data):
            self.fail("not_a_list", input_type=type(data).__name__)
        parts = [part.strip() for value in data for part in value.split(",")]
        return list(dict.fromkeys(super().to_internal_value([p for p in parts if p])))


class IsoDateField(serializers.DateField):
    """A day as ``YYYY-MM-DD`` (nothing else ISO 8601 allows), between
    :data:`FIRST_DAY` and :data:`LAST_DAY`."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        day = super().to_internal_value(value)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise serializers.ValidationError(
                _("Give a day from %(first)s to %(last)s.")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
            )
        return day


def _ids():
    return CommaSeparatedField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=MAX_MEMBERS,
    )


class KpiQuerySerializer(serializers.Serializer):
    """The query of ``GET /api/v1/analytics/kpis/`` (documented parameter by
    parameter in :mod:`plugins.analytics.api.views`)."""

    keys = CommaSeparatedField(
        child=serializers.CharField(max_length=80), required=False, max_length=MAX_KEYS
    )
    period = serializers.ChoiceField(choices=PERIODS, required=False)
    start = IsoDateField(required=False)
    end = IsoDateField(required=False)
    compare = serializers.ChoiceField(choices=list(COMPARISONS), default="none")
    group_by = serializers.ChoiceField(choices=list(DIMENSIONS), required=False)
    channel = _ids()
    category = _ids()
    brand = _ids()
    warehouse = _ids()
    carrier = _ids()
    uf = CommaSeparatedField(
        child=serializers.ChoiceField(choices=[uf for uf, _label in UF_CHOICES]),
        required=False,
        max_length=MAX_MEMBERS,
    )
    payment_method = CommaSeparatedField(
        child=serializers.ChoiceField(choices=PaymentMethod.values),
        required=False,
        max_length=MAX_MEMBERS,
    )

    def validate(self, data):
        start, end = data.get("start"), data.get("end")
        if start is None and end is None:
            return data
        if data.get("period"):
            raise serializers.ValidationError(
                {"period": [_("Give a period or a start and an end, not both.")]}
            )
        if start is None:
            raise serializers.ValidationError({"start": [_("Give the start too.")]})
        if end is None:
            raise serializers.ValidationError({"end": [_("Give the end too.")]})
        if end < start:
            raise serializers.ValidationError(
                {"end": [_("The period ends before it starts.")]}
            )
        if (end - start).days + 1 > MAX_DAYS:
            raise serializers.ValidationError(
                {
                    "end": [
                        _("A report covers at most %(days)s days.") % {"days": MAX_DAYS}
                    ]
                }
            )
        return data


# -- Responses ---------------------------------------------------------------------


def _figure(help_text: str):
    # No fixed number of places: each unit has its own (PLACES).
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        allow_null=True,
        coerce_to_string=True,
        help_text=help_text,
    )


class KpiPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Inclusive.")


class KpiGroupSerializer(serializers.Serializer):
    member = serializers.CharField(
        help_text="The member of the grouping: a scope object's, a category's or "
        "a brand's id, a code (UF, payment method), or the day (YYYY-MM-DD); "
        "empty for the rows without one."
    )
    label = serializers.CharField(help_text="Its name, as people read it.")
    value = _figure("The figure of this member.")


class KpiFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    higher_is_better = serializers.BooleanField()
    definition = serializers.CharField(help_text="What counts, what does not.")
    applicable = serializers.BooleanField(
        help_text="`false` when the figure's source cannot answer the filters or "
        "the grouping (then every value is `null`)."
    )
    value = _figure(
        "Rounded by unit: money 2 places, percent and days 1, count and score 0; "
        "`null` without a value (a rate of nothing)."
    )
    comparison_value = _figure("The figure over the comparison period.")
    change_percent = _figure(
        "`(value − comparison_value) ÷ |comparison_value|` in %, 1 place; `null` "
        "without both values or when the comparison value is zero."
    )
    groups = KpiGroupSerializer(
        many=True,
        help_text="With `group_by`: per member, largest first (by day: in order); "
        "empty otherwise.",
    )


class KpiReportSerializer(serializers.Serializer):
    period = KpiPeriodSerializer()
    comparison = KpiPeriodSerializer(allow_null=True)
    # documented as a pattern: an enum component would have the same choices
    # as the definitions' dimensions under another name
    group_by = PatternChoiceField(choices=list(DIMENSIONS), allow_null=True)
    kpis = KpiFigureSerializer(many=True)


class KpiDefinitionSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    definition = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    dimensions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DIMENSIONS)),
        help_text="What `group_by` may be for this figure (besides `day`, "
        "which every figure takes).",
    )


class KpiDefinitionsSerializer(serializers.Serializer):
    kpis = KpiDefinitionSerializer(many=True)
