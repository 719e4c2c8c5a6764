"""Reads of the finance plugin that carry meaning."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Aging buckets of open receivables: (key, label, first day late, last day
#: late or None). "Not due" is everything not yet late.
AGING_BUCKETS = (
    ("current", _("Not yet due"), None, 0),
    ("1_30", _("1–30 days late"), 1, 30),
    ("31_60", _("31–60 days late"), 31, 60),
    ("61_90", _("61–90 days late"), 61, 90),
    ("over_90", _("Over 90 days late"), 91, None),
)


#: Receivables still expected, in full or in part.
OPEN_RECEIVABLE_STATUSES = ("open", "partial")


def left_to_receive():
    """What is left of a receivable: its net amount less what was settled."""
    return ExpressionWrapper(
        F("net") - F("settled_amount"),
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
    )


class ReceivableQuerySet(models.QuerySet):
    def open(self):
        """Still expected (in full or in part)."""
        return self.filter(status__in=OPEN_RECEIVABLE_STATUSES)

    @staticmethod
    def overdue_q(today: datetime.date | None = None) -> Q:
        """Open past their expected date: the one rule of "overdue"."""
        today = today or timezone.localdate()
        return Q(status__in=OPEN_RECEIVABLE_STATUSES, due_date__lt=today)

    def overdue(self, today: datetime.date | None = None):
        return self.filter(self.overdue_q(today))

    def with_aging(self, today: datetime.date | None = None):
        """Annotated with ``aging``: the key of its bucket in AGING_BUCKETS."""
        today = today or timezone.localdate()
        whens = []
        for key, _label, first, last in AGING_BUCKETS:
            q = Q()
            if first is not None:
                q &= Q(due_date__lte=today - datetime.timedelta(days=first))
            if last is not None:
                q &= Q(due_date__gte=today - datetime.timedelta(days=last))
            whens.append(When(q, then=Value(key)))
        return self.annotate(aging=Case(*whens, output_field=models.CharField()))


# -- Payables ----------------------------------------------------------------------

#: "Due this week": today and the six days after it.
WEEK_DAYS = 7


class BillQuerySet(models.QuerySet):
    def unpaid(self):
        """With something still to pay (awaiting approval, to pay, in part)."""
        from plugins.finance.models.payables import CLOSED_BILL_STATUSES

        return self.exclude(status__in=CLOSED_BILL_STATUSES)


class BillInstallmentQuerySet(models.QuerySet):
    def unpaid(self):
        """Still to be paid: awaiting approval or approved."""
        from plugins.finance.models.payables import UNPAID_STATUSES

        return self.filter(status__in=UNPAID_STATUSES)

    @staticmethod
    def overdue_q(today: datetime.date | None = None) -> Q:
        """Unpaid past their due date: the one rule of a late bill."""
        from plugins.finance.models.payables import UNPAID_STATUSES

        today = today or timezone.localdate()
        return Q(status__in=UNPAID_STATUSES, due_date__lt=today)

    def overdue(self, today: datetime.date | None = None):
        return self.filter(self.overdue_q(today))

    def with_overdue(self, today: datetime.date | None = None):
        """Annotated with ``is_overdue``."""
        return self.annotate(
            is_overdue=Case(
                When(self.overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def due_this_week(self, today: datetime.date | None = None):
        """Unpaid and due today or in the six days after it."""
        today = today or timezone.localdate()
        return self.unpaid().filter(
            due_date__gte=today,
            due_date__lt=today + datetime.timedelta(days=WEEK_DAYS),
        )
