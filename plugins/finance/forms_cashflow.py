"""The filter of the cash-flow screen: the period, the buckets and the bank
account (one the person may see, or all of them)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plugins.dates import BRDateInput
from plugins.finance.cashflow import (
    GRANULARITIES,
    MAX_BUCKETS,
    WEEK,
    bucket_count,
    next_bucket,
)
from plugins.finance.models import BankAccount
from plugins.finance.permissions import visible_bank_accounts


def default_period(today: datetime.date | None = None) -> dict:
    """This month and the next, by week."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    after_next = next_bucket(next_bucket(first, "month"), "month")
    return {
        "start": first,
        "end": after_next - datetime.timedelta(days=1),
        "granularity": WEEK,
    }


class CashFlowForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=BRDateInput)
    end = forms.DateField(label=_("To"), widget=BRDateInput)
    granularity = forms.ChoiceField(label=_("By"), choices=GRANULARITIES)
    account = forms.ModelChoiceField(
        label=_("Bank account"),
        queryset=BankAccount.objects.none(),
        required=False,
        empty_label=_("All my accounts"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = visible_bank_accounts(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        granularity = data.get("granularity")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if granularity and bucket_count(start, end, granularity) > MAX_BUCKETS:
                raise forms.ValidationError(
                    _(
                        "The period has more than %(max)s columns: choose a "
                        "shorter period, or weeks or months."
                    )
                    % {"max": MAX_BUCKETS}
                )
        return data
