"""The goals e-mail: each user who asked for it (``DigestSubscription``:
daily, or weekly on Mondays) gets the progress of the goals they see and the
exceptions among the figures they see, within their scopes:

- goals behind pace (or a rate, an average or a level on the wrong side of
  its target);
- figures that got worse by :data:`WORSE_BY` or more: yesterday against the
  day before (daily), the last 7 days against the 7 before them (weekly),
  up or down as the figure's ``higher_is_better`` says;
- alerts: figures of a level source (a state, such as late parcels,
  stock-outs or overdue receivables) where higher is worse, above zero now.

At most one e-mail per user and day (``last_sent_on``, claimed with a
conditional update before sending); nothing is sent when there is nothing to
say. Plain text and HTML, in the user's admin language (the site's by
default). Run by ``manage.py analytics_digest`` (every morning, from cron)
or the background task :func:`plugins.analytics.tasks.send_digest_task`.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.account import BaseSettingsPanel, notifications_tab

from plugins.analytics import engine
from plugins.analytics.apps import REPORTS
from plugins.analytics.forms_goals import DigestPreferenceForm
from plugins.analytics.goals import GoalProgress, format_figure, goals_for
from plugins.analytics.models import DigestSubscription
from plugins.analytics.periods import Period, previous_period, store_today
from plugins.kpis import KPI, Unit

logger = logging.getLogger(__name__)

#: A figure "got worse" when it moved this much (a fraction of the previous
#: value) the wrong way.
WORSE_BY = Decimal("0.20")
ONE_DAY = datetime.timedelta(days=1)
Frequency = DigestSubscription.Frequency


@dataclass
class Change:
    """A figure that got worse."""

    kpi: KPI
    value: Decimal
    previous: Decimal

    @property
    def change_percent(self) -> Decimal:
        return ((self.value - self.previous) * 100 / abs(self.previous)).quantize(
            Decimal("0.1")
        )

    @property
    def value_display(self) -> str:
        return format_figure(self.value, self.kpi.unit)

    @property
    def previous_display(self) -> str:
        return format_figure(self.previous, self.kpi.unit)

    @property
    def change_display(self) -> str:
        sign = "+" if self.change_percent > 0 else ""
        return f"{sign}{format_figure(self.change_percent, Unit.PERCENT)}"


@dataclass
class Alert:
    """A level where higher is worse, above zero now."""

    kpi: KPI
    value: Decimal

    @property
    def value_display(self) -> str:
        return format_figure(self.value, self.kpi.unit)


@dataclass
class Digest:
    user: object
    frequency: str
    today: datetime.date
    period: Period
    previous: Period
    goals: list[GoalProgress] = field(default_factory=list)
    worse: list[Change] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def lagging(self) -> list[GoalProgress]:
        return [goal for goal in self.goals if goal.lagging]

    @property
    def empty(self) -> bool:
        return not (self.goals or self.worse or self.alerts)


def compared_periods(frequency: str, today: datetime.date) -> tuple[Period, Period]:
    """The days the exceptions look at and the equal days before them:
    yesterday (daily) or the 7 days up to yesterday (weekly)."""
    yesterday = today - ONE_DAY
    days = 7 if frequency == Frequency.WEEKLY else 1
    period = Period(yesterday - datetime.timedelta(days=days - 1), yesterday)
    return period, previous_period(period)


def got_worse(kpi: KPI, value, previous) -> bool:
    if value is None or previous is None or not previous or kpi.share:
        return False
    change = (value - previous) / abs(previous)
    return change <= -WORSE_BY if kpi.higher_is_better else change >= WORSE_BY


def is_alert(kpi: KPI) -> bool:
    """A state where higher is worse: late parcels, stock-outs, overdue
    receivables."""
    return (
        not kpi.source.flow
        and not kpi.higher_is_better
        and kpi.unit in (Unit.COUNT, Unit.MONEY)
    )


def build_digest(
    user,
    frequency: str,
    today: datetime.date | None = None,
    *,
    kpis: Mapping[str, KPI] | None = None,
) -> Digest:
    """What ``user``'s e-mail says on ``today``, within their scopes."""
    today = today or store_today()
    kpis = kpis if kpis is not None else engine.visible_kpis(user)
    period, previous = compared_periods(frequency, today)
    digest = Digest(user, frequency, today, period, previous)
    if not kpis:
        return digest
    digest.goals = goals_for(user, today, kpis=kpis)
    keys = [key for key, kpi in kpis.items() if not kpi.share]
    now = engine.compute(user, keys, period.start, period.end, today=today, kpis=kpis)
    before = engine.compute(
        user, keys, previous.start, previous.end, today=today, kpis=kpis
    )
    for key in keys:
        result, earlier = now.get(key), before.get(key)
        if result is None or earlier is None:
            continue
        if got_worse(kpis[key], result.value, earlier.value):
            digest.worse.append(Change(kpis[key], result.value, earlier.value))
    alert_keys = [key for key in keys if is_alert(kpis[key])]
    if alert_keys:
        current = engine.compute(user, alert_keys, today, today, today=today, kpis=kpis)
        for key in alert_keys:
            result = current.get(key)
            if result is not None and result.value and result.value > 0:
                digest.alerts.append(Alert(kpis[key], result.value))
    return digest


def user_language(user) -> str:
    """The user's admin language, the site's by default."""
    profile = getattr(user, "wagtail_userprofile", None)
    return (profile and profile.preferred_language) or settings.LANGUAGE_CODE


def admin_url(name: str) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return f"{base}{reverse(name)}"


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The e-mail of ``digest`` in the user's language."""
    with translation.override(user_language(digest.user)):
        context = {
            "digest": digest,
            "user": digest.user,
            "name": digest.user.get_full_name() or digest.user.get_username(),
            "weekly": digest.frequency == Frequency.WEEKLY,
            "dashboard_url": admin_url("analytics:dashboard"),
            "account_url": admin_url("wagtailadmin_account"),
        }
        subject = render_to_string("analytics/email/digest_subject.txt", context)
        text = render_to_string("analytics/email/digest_body.txt", context)
        html = render_to_string("analytics/email/digest_body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[digest.user.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def due_subscriptions(today: datetime.date) -> QuerySet:
    """The subscriptions due on ``today``: daily ones, weekly ones on a
    Monday; not sent today yet; active users with an e-mail address."""
    frequencies = [Frequency.DAILY]
    if today.weekday() == 0:
        frequencies.append(Frequency.WEEKLY)
    return (
        DigestSubscription.objects.filter(
            frequency__in=frequencies,
            user__is_active=True,
        )
        .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today))
        .exclude(user__email="")
        .select_related("user", "user__wagtail_userprofile")
        .order_by("pk")
    )


def send_digests(today: datetime.date | None = None) -> int:
    """Send the e-mails due on ``today`` (the store's today by default);
    how many were sent. Each subscription is claimed for the day before its
    e-mail goes out, so two runs never send it twice; a refused e-mail is
    logged and released for the next run."""
    today = today or store_today()
    sent = 0
    for subscription in due_subscriptions(today):
        user = subscription.user
        if not user.has_perm(REPORTS):
            continue
        digest = build_digest(user, subscription.frequency, today)
        if digest.empty:
            continue
        claimed = (
            DigestSubscription.objects.filter(pk=subscription.pk)
            .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today))
            .update(last_sent_on=today)
        )
        if not claimed:
            continue
        try:
            digest_message(digest).send()
        except (OSError, smtplib.SMTPException):
            logger.exception("Could not e-mail the goals digest to %s", user.pk)
            DigestSubscription.objects.filter(pk=subscription.pk).update(
                last_sent_on=subscription.last_sent_on
            )
            continue
        sent += 1
    return sent


class DigestSettingsPanel(BaseSettingsPanel):
    """Minha conta › Notificações: how often the goals e-mail comes."""

    name = "analytics_digest"
    title = _("Goals e-mail")
    tab = notifications_tab
    order = 500
    form_class = DigestPreferenceForm

    def is_active(self):
        return self.user.has_perm(REPORTS)

    def get_form(self):
        instance = DigestSubscription.objects.filter(
            user=self.user
        ).first() or DigestSubscription(user=self.user)
        if self.request.method == "POST":
            return self.form_class(
                self.request.POST, instance=instance, prefix=self.name
            )
        return self.form_class(instance=instance, prefix=self.name)
