"""“Pesquisa pós-venda”: NPS by period and channel, and the answers, within
the channels the user may view."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.orders.forms import SurveyReportForm
from plugins.orders.models import SurveyResponse
from plugins.orders.permissions import order_policy
from plugins.orders.surveys import nps, nps_by_channel
from plugins.permissions import is_active_user

PER_PAGE = 50


def user_may_see_surveys(user) -> bool:
    return is_active_user(user) and (
        user.has_perm("orders.view_surveyresponse")
        or order_policy().user_has_permission(user, "view")
    )


def visible_responses(user):
    """Survey responses of the orders of the channels ``user`` may view."""
    channels = order_policy().scope_objects(user, "view")
    return SurveyResponse.objects.filter(order__channel__in=channels)


class SurveyReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "orders/survey/report.html"
    page_title = gettext_lazy("Post-sale survey")
    header_icon = "tasks"
    detail_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not user_may_see_surveys(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SurveyReportForm(self.request.GET or None, user=self.request.user)
        since, until = form.period()
        responses = visible_responses(self.request.user)
        channel = form.cleaned_data.get("channel") if form.is_bound else None
        if form.is_bound and form.is_valid() and channel is not None:
            responses = responses.filter(order__channel=channel)
        period = responses.filter(
            answered_at__date__gte=since, answered_at__date__lte=until
        )
        answers = period.select_related("order__channel").order_by(
            "-answered_at", "-pk"
        )
        page = Paginator(answers, PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(
            form=form,
            since=since,
            until=until,
            summary=nps(period),
            by_channel=nps_by_channel(responses, since, until),
            page=page,
            rows=[
                {
                    "response": response,
                    "order_url": reverse(
                        self.detail_url_name, args=[response.order_id]
                    ),
                }
                for response in page
            ],
            query=self._query_without_page(),
        )
        return context

    def _query_without_page(self) -> str:
        params = self.request.GET.copy()
        params.pop("p", None)
        return params.urlencode()
