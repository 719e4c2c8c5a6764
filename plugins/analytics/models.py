"""The analytics plugin's tables: daily rollups of every source's facts, the
rollup's progress per source, goals (metas), lead times for purchase
planning and each user's digest preference."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DailyFact(models.Model):
    """One measure of one source, for one local day of the store, scope
    object and dimension member (see :mod:`plugins.kpis`). Written only by
    :mod:`plugins.analytics.rollups`."""

    source = models.CharField(max_length=40)
    day = models.DateField()
    dimension = models.CharField(max_length=20, blank=True)
    member = models.CharField(max_length=64, blank=True)
    scope_id = models.BigIntegerField(default=0)
    measure = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("daily fact")
        verbose_name_plural = _("daily facts")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "day", "dimension", "member", "scope_id", "measure"],
                name="analytics_fact_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["source", "dimension", "day"], name="analytics_fact_read_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.day} {self.measure}={self.value}"


class RollupState(models.Model):
    """How far a source's rollup went: every day up to ``rolled_through`` is
    in :class:`DailyFact` (but those in :class:`DirtyDay`), and changes made
    before ``checked_at`` were looked at."""

    source = models.CharField(max_length=40, unique=True)
    rolled_through = models.DateField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")

    def __str__(self) -> str:
        return f"{self.source} → {self.rolled_through}"


class DirtyDay(models.Model):
    """A rolled-up day whose facts changed and wait for the next rollup run;
    until then reports compute it from the source's own tables."""

    source = models.CharField(max_length=40)
    day = models.DateField()

    class Meta:
        verbose_name = _("day to roll up again")
        verbose_name_plural = _("days to roll up again")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "day"], name="analytics_dirty_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.day}"


class Goal(models.Model):
    """A goal (meta): a KPI's target for a month, quarter or year, for the
    whole store or one sales channel or seller."""

    class PeriodKind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    kpi = models.CharField(_("KPI"), max_length=60)
    period_kind = models.CharField(
        _("period type"),
        max_length=8,
        choices=PeriodKind.choices,
        default=PeriodKind.MONTH,
    )
    period_start = models.DateField(
        _("starts on"), help_text=_("The first day of the month, quarter or year.")
    )
    channel = models.ForeignKey(
        "orders.SalesChannel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales channel"),
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seller / attendant"),
    )
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["-period_start", "kpi"]
        permissions = [
            ("view_reports", _("Can see the reports (within their scopes)")),
            ("view_planning", _("Can see the purchase planning")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__gt=0), name="analytics_goal_target_positive"
            ),
            models.CheckConstraint(
                condition=Q(channel__isnull=True) | Q(seller__isnull=True),
                name="analytics_goal_channel_or_seller",
            ),
            # One goal per KPI and period for the store, per channel and per
            # seller (conditions rather than NULLS NOT DISTINCT: SQLite).
            models.UniqueConstraint(
                fields=["kpi", "period_kind", "period_start"],
                condition=Q(channel__isnull=True, seller__isnull=True),
                name="analytics_goal_unique_store",
            ),
            models.UniqueConstraint(
                fields=["kpi", "period_kind", "period_start", "channel"],
                condition=Q(channel__isnull=False),
                name="analytics_goal_unique_channel",
            ),
            models.UniqueConstraint(
                fields=["kpi", "period_kind", "period_start", "seller"],
                condition=Q(seller__isnull=False),
                name="analytics_goal_unique_seller",
            ),
        ]

    def __str__(self) -> str:
        from plugins.analytics.goals import period_label, scope_label
        from plugins.kpis import all_kpis

        kpi = all_kpis().get(self.kpi)
        name = kpi.name if kpi is not None else self.kpi
        return f"{name} · {period_label(self)} · {scope_label(self)}"


class LeadTime(models.Model):
    """How many days a brand's supplier takes to deliver a purchase: the
    reorder suggestion covers the lead time on top of the target coverage.
    Brands without one use the planning screen's default."""

    brand = models.OneToOneField(
        "content.Brand",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("brand"),
    )
    supplier = models.CharField(_("supplier"), max_length=120, blank=True)
    days = models.PositiveSmallIntegerField(_("lead time (days)"))
    minimum_quantity = models.PositiveIntegerField(
        _("minimum purchase quantity"),
        default=1,
        help_text=_("Suggestions are rounded up to multiples of it."),
    )

    class Meta:
        verbose_name = _("supplier lead time")
        verbose_name_plural = _("supplier lead times")
        ordering = ["brand__name"]

    def __str__(self) -> str:
        return f"{self.brand} · {self.days}"


class DigestSubscription(models.Model):
    """A user's choice of the goals e-mail: daily, weekly or none."""

    class Frequency(models.TextChoices):
        NONE = "none", _("Do not send")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Mondays)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="analytics_digest",
        verbose_name=_("user"),
    )
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.NONE
    )
    last_sent_on = models.DateField(_("last sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")

    def __str__(self) -> str:
        return f"{self.user} · {self.frequency}"
