"""The post-sale survey (NPS): a token issued when an order is delivered,
answered once by the customer (0–10 and a comment), reported by period and
channel.

NPS = % promoters (9–10) − % detractors (0–6), over the answers of a period.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.orders.exceptions import InvalidOrder, SurveyError
from plugins.orders.models import Order, SurveyResponse

logger = logging.getLogger(__name__)

MAX_COMMENT = 2000


def issue_survey(order: Order) -> SurveyResponse:
    """Issue the order's survey token (once), and e-mail the customer after
    commit when an e-mail backend is configured."""
    survey, created = SurveyResponse.objects.get_or_create(
        order=order, defaults={"issued_at": timezone.now()}
    )
    if created and order.customer_email and settings.RETAGUARDA_SURVEY_EMAILS:
        transaction.on_commit(lambda: send_survey_email(survey.pk))
    return survey


def survey_url(survey: SurveyResponse) -> str:
    return settings.RETAGUARDA_SURVEY_URL.format(token=survey.token)


def send_survey_email(survey_id: int) -> None:
    survey = SurveyResponse.objects.select_related("order").get(pk=survey_id)
    order = survey.order
    try:
        send_mail(
            _("How was your order %(number)s?") % {"number": order.number},
            _(
                "Hello, %(name)s!\n\nYour order %(number)s was delivered. From 0 "
                "to 10, how likely are you to recommend us to a friend? Answer "
                "in one click:\n\n%(url)s\n"
            )
            % {
                "name": order.customer_name.split(" ")[0],
                "number": order.number,
                "url": survey_url(survey),
            },
            None,
            [order.customer_email],
        )
    except OSError:
        logger.exception("Could not e-mail the survey of order %s", order.number)
        return
    SurveyResponse.objects.filter(pk=survey.pk).update(emailed_at=timezone.now())


def submit_survey(token: str, *, score, comment: str = "") -> SurveyResponse:
    """Record the customer's answer. Accepted once per token; a second answer
    raises SurveyError (409)."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = -1
    if not 0 <= score <= 10:
        raise InvalidOrder(
            _("The score is a whole number from 0 to 10."),
            {"score": [_("From 0 to 10.")]},
        )
    comment = (comment or "").strip()[:MAX_COMMENT]
    with transaction.atomic():
        updated = SurveyResponse.objects.filter(
            token=token, answered_at__isnull=True
        ).update(score=score, comment=comment, answered_at=timezone.now())
        survey = SurveyResponse.objects.filter(token=token).first()
        if survey is None:
            from django.http import Http404

            raise Http404
        if not updated:
            raise SurveyError(_("This survey was already answered. Thank you!"))
        log_change(survey.order, "orders.survey", user=None, score=score)
    return survey


def nps(responses) -> dict:
    """Counts and NPS of a queryset of survey responses."""
    agg = responses.filter(answered_at__isnull=False).aggregate(
        answers=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=9)),
        passives=Count("pk", filter=Q(score__in=(7, 8))),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    answers = agg["answers"]
    agg["nps"] = (
        round(100 * (agg["promoters"] - agg["detractors"]) / answers)
        if answers
        else None
    )
    return agg


def nps_by_channel(responses, since: datetime.date, until: datetime.date) -> list:
    """NPS per channel over answers given between two dates (inclusive)."""
    period = responses.filter(
        answered_at__date__gte=since, answered_at__date__lte=until
    )
    rows = []
    channels = period.values_list("order__channel__pk", "order__channel__name")
    for channel_id, name in sorted(set(channels), key=lambda c: c[1]):
        rows.append(
            {"channel": name, **nps(period.filter(order__channel_id=channel_id))}
        )
    return rows
