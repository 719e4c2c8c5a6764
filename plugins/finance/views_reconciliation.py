"""The reconciliation screens (conciliação): the bank accounts with what is
left to reconcile and "Conciliar agora"; an account's review queue (its
lines with suggested titles); a line's page, where a person matches it to
one or several titles (searched by order number, amount or reference),
ignores it with a reason or undoes a match; and an account's matches.

A user sees the accounts granted to them (view or reconcile; the finance
manager and auditors every account) and acts where granted reconcile. An
account or line out of the user's sight is a 404; an action without
reconcile is denied. Writes go through
:mod:`plugins.finance.services.reconciliation`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from django_tasks import TaskResultStatus
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry

from plugins.exceptions import RetaguardaError
from plugins.finance import matching
from plugins.finance.models import (
    BankAccount,
    BillInstallment,
    InstallmentStatus,
    LineStatus,
    Match,
    Receivable,
    StatementLine,
)
from plugins.finance.permissions import (
    bank_account_policy,
    user_can_reconcile,
    visible_bank_accounts,
)
from plugins.finance.services import reconciliation as services
from plugins.money import format_brl

PREFIX = "finance_reconciliation"
PER_PAGE = 50
#: Suggested titles shown per line in the queue.
QUEUE_SUGGESTIONS = 3
SEARCH_RESULTS = 30


def url(name: str, *args) -> str:
    return reverse(f"{PREFIX}:{name}", args=args)


def user_sees_reconciliation(user) -> bool:
    return bank_account_policy().user_has_any_permission(user, ["view", "reconcile"])


class ReconciliationMixin:
    """Denied to those with no bank account at all (as Wagtail denies);
    the account or line asked for must be one the user sees (else 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not user_sees_reconciliation(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_account(self) -> BankAccount:
        return get_object_or_404(
            visible_bank_accounts(self.request.user), pk=self.kwargs["bank"]
        )

    def get_line(self) -> StatementLine:
        return get_object_or_404(
            StatementLine.objects.select_related("account").filter(
                account__in=visible_bank_accounts(self.request.user)
            ),
            pk=self.kwargs["line"],
        )


class Breadcrumbs:
    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {"url": url("accounts"), "label": _("Reconciliation")},
        ]
        account = getattr(self, "account", None)
        if account is not None:
            items.append({"url": url("queue", account.pk), "label": str(account)})
        return [*items, {"url": "", "label": self.get_page_title()}]


# -- the accounts --------------------------------------------------------------------


class AccountsView(
    ReconciliationMixin, Breadcrumbs, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "finance/reconciliation_accounts.html"
    page_title = gettext_lazy("Reconciliation")
    header_icon = "tasks"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        accounts = visible_bank_accounts(user).annotate(
            to_reconcile=Count("lines", filter=Q(lines__status__in=services.OPEN_LINE)),
            ignored=Count("lines", filter=Q(lines__status=LineStatus.IGNORED)),
            reconciled=Count("lines", filter=Q(lines__status=LineStatus.MATCHED)),
        )
        context["accounts"] = [
            {
                "account": account,
                "queue_url": url("queue", account.pk),
                "matches_url": url("matches", account.pk),
                "run_url": url("run", account.pk)
                if user_can_reconcile(user, account)
                else None,
            }
            for account in accounts.order_by("name")
        ]
        return context


class RunView(ReconciliationMixin, View):
    """Conciliar agora: reconcile the account's lines (a background task;
    with an immediate task backend the result is at hand at once)."""

    http_method_names = ["post"]

    def post(self, request, bank):
        account = self.get_account()
        if not user_can_reconcile(request.user, account):
            raise PermissionDenied
        from plugins.finance.tasks import reconcile_account

        result = reconcile_account.enqueue(account.pk, request.user.pk)
        if result.status == TaskResultStatus.FAILED:
            messages.error(request, _("The reconciliation failed; try again later."))
        elif result.status == TaskResultStatus.SUCCESSFUL:
            figures = result.return_value
            messages.success(
                request,
                _(
                    "%(matched)s of %(lines)s lines reconciled; %(left)s left "
                    "for the review queue."
                )
                % {
                    "matched": figures["matched"],
                    "lines": figures["lines"],
                    "left": figures["lines"] - figures["matched"],
                },
            )
        else:
            messages.success(
                request,
                _("The reconciliation started: the queue shows its result shortly."),
            )
        return redirect(url("queue", account.pk))


# -- an account's queue --------------------------------------------------------------

STATUS_FILTERS = {
    "open": (gettext_lazy("To reconcile"), services.OPEN_LINE),
    "ignored": (gettext_lazy("Ignored"), (LineStatus.IGNORED,)),
    "matched": (gettext_lazy("Reconciled"), (LineStatus.MATCHED,)),
    "all": (gettext_lazy("All"), None),
}


def _amount(text: str) -> Decimal | None:
    """An amount typed as 1.234,56 or 1234.56, or None."""
    text = (text or "").strip().replace("R$", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() else None


def title_row(title, line: StatementLine | None = None) -> dict:
    """What a person reads of a receivable or an installment to choose it."""
    if isinstance(title, Receivable):
        open_ = title.net - title.settled_amount
        return {
            "key": f"r:{title.pk}",
            "label": str(title),
            "kind": title.get_kind_display(),
            "reference": title.reference,
            "due_date": title.due_date,
            "open": format_brl(open_),
            "open_value": open_,
            "status": title.get_status_display(),
        }
    return {
        "key": f"i:{title.pk}",
        "label": f"{title.bill.supplier.name} · {title.bill.description} "
        f"{title.number}",
        "kind": _("Bill"),
        "reference": title.bill.document_number,
        "due_date": title.due_date,
        "open": format_brl(title.amount),
        "open_value": title.amount,
        "status": title.get_status_display(),
    }


class AccountPageMixin(ReconciliationMixin):
    """A page of one bank account (its review queue, its matches), which
    the user must see; the account is the page's subtitle."""

    def get(self, request, *args, **kwargs):
        self.account = self.get_account()
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.account)


class QueueView(AccountPageMixin, Breadcrumbs, WagtailAdminTemplateMixin, TemplateView):
    template_name = "finance/reconciliation_queue.html"
    header_icon = "tasks"

    def get_page_title(self):
        return _("Review queue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "open")
        if status not in STATUS_FILTERS:
            status = "open"
        lines = self.account.lines.all()
        statuses = STATUS_FILTERS[status][1]
        if statuses:
            lines = lines.filter(status__in=statuses)
        query = (self.request.GET.get("q") or "").strip()
        if query:
            found = Q(description__icontains=query) | Q(reference__icontains=query)
            amount = _amount(query)
            if amount is not None:
                found |= Q(amount=amount) | Q(amount=-amount)
            lines = lines.filter(found)
        page = Paginator(lines.order_by("date", "pk"), PER_PAGE).get_page(
            self.request.GET.get("p")
        )
        may_reconcile = user_can_reconcile(self.request.user, self.account)
        rows = []
        for line in page:
            rows.append(
                {
                    "line": line,
                    "amount": format_brl(line.amount),
                    "open": format_brl(line.open_amount),
                    "url": url("line", line.pk),
                    "suggestions": [
                        title_row(t)
                        for t in services.suggestions(line, limit=QUEUE_SUGGESTIONS)
                    ]
                    if line.status in services.OPEN_LINE
                    else [],
                }
            )
        context.update(
            account=self.account,
            rows=rows,
            page=page,
            status=status,
            query=query,
            statuses=[(key, label) for key, (label, _s) in STATUS_FILTERS.items()],
            run_url=url("run", self.account.pk) if may_reconcile else None,
            matches_url=url("matches", self.account.pk),
        )
        return context


class MatchesView(
    AccountPageMixin, Breadcrumbs, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "finance/reconciliation_matches.html"
    header_icon = "link"

    def get_page_title(self):
        return _("Matches")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        matches = (
            Match.objects.filter(line__account=self.account)
            .select_related(
                "line",
                "receivable",
                "receivable__order",
                "installment",
                "installment__bill",
                "created_by",
                "undone_by",
            )
            .order_by("-created_at", "-pk")
        )
        if self.request.GET.get("undone") != "1":
            matches = matches.filter(undone_at=None)
        page = Paginator(matches, PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(
            account=self.account,
            page=page,
            rows=[
                {
                    "match": match,
                    "title": str(match.receivable or match.installment),
                    "amount": format_brl(match.amount),
                    "fee": format_brl(match.fee),
                    "line_url": url("line", match.line_id),
                }
                for match in page
            ],
            show_undone=self.request.GET.get("undone") == "1",
        )
        return context


# -- one line ------------------------------------------------------------------------


def _search_titles(line: StatementLine, query: str) -> list:
    """Titles for a line typed by a person: an order number, a reference or
    an amount."""
    query = query.strip()
    if not query:
        return []
    amount = _amount(query)
    if line.amount > 0:
        found = Q(reference__icontains=query) | Q(order__number__icontains=query)
        if amount is not None:
            found |= Q(net=amount) | Q(gross=amount)
        return list(
            Receivable.objects.filter(status__in=services.OPEN_RECEIVABLE)
            .filter(found)
            .select_related("order")
            .order_by("due_date", "pk")[:SEARCH_RESULTS]
        )
    found = (
        Q(bill__document_number__icontains=query)
        | Q(bill__supplier__name__icontains=query)
        | Q(bill__description__icontains=query)
        | Q(boleto_line__icontains=matching.norm(query) or query)
    )
    if amount is not None:
        found |= Q(amount=amount)
    return list(
        BillInstallment.objects.filter(status=InstallmentStatus.APPROVED)
        .filter(found)
        .select_related("bill", "bill__supplier")
        .order_by("due_date", "pk")[:SEARCH_RESULTS]
    )


class LineView(
    ReconciliationMixin, Breadcrumbs, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "finance/reconciliation_line.html"
    header_icon = "tasks"

    def get(self, request, *args, **kwargs):
        self.line = self.get_line()
        self.account = self.line.account
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return _("Statement line")

    def get_page_subtitle(self):
        return str(self.line)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line, user = self.line, self.request.user
        may = user_can_reconcile(user, line.account)
        is_open = line.status in services.OPEN_LINE
        query = (self.request.GET.get("q") or "").strip()
        matches = line.matches.select_related(
            "receivable",
            "receivable__order",
            "installment",
            "installment__bill",
            "created_by",
            "undone_by",
        ).order_by("created_at", "pk")
        context.update(
            line=line,
            amount=format_brl(line.amount),
            open=format_brl(line.open_amount),
            may_reconcile=may,
            is_open=is_open,
            matches=[
                {
                    "match": match,
                    "title": str(match.receivable or match.installment),
                    "amount": format_brl(match.amount),
                    "fee": format_brl(match.fee),
                }
                for match in matches
            ],
            suggestions=[title_row(t) for t in services.suggestions(line)]
            if is_open
            else [],
            query=query,
            results=[title_row(t) for t in _search_titles(line, query)]
            if is_open
            else [],
            history=ModelLogEntry.objects.for_instance(line)
            .select_related("user")
            .order_by("-timestamp", "-pk"),
            match_url=url("match", line.pk),
            ignore_url=url("ignore", line.pk),
            unignore_url=url("unignore", line.pk),
            undo_url=url("undo", line.pk),
        )
        return context


class LineActionView(ReconciliationMixin, View):
    """A POST on one line: needs reconcile on its account; answers with a
    redirect to the line's page, a service's error as a message."""

    http_method_names = ["post"]

    def post(self, request, line):
        line = self.get_line()
        if not user_can_reconcile(request.user, line.account):
            raise PermissionDenied
        try:
            self.perform(line)
        except RetaguardaError as error:
            messages.error(request, error.message)
        return redirect(self.next_url(line))

    def next_url(self, line) -> str:
        return url("line", line.pk)

    def perform(self, line: StatementLine) -> None:
        raise NotImplementedError


def _chosen_titles(post) -> list[services.Target]:
    """The titles ticked on the line's page (``title`` = ``r:<pk>`` or
    ``i:<pk>``) with their amounts (``amount-<key>``, ``fee-<key>``)."""
    targets = []
    keys = list(dict.fromkeys(post.getlist("title")))
    receivables = {
        r.pk: r
        for r in Receivable.objects.filter(
            pk__in=[int(k[2:]) for k in keys if k[:2] == "r:" and k[2:].isdigit()]
        ).select_related("order")
    }
    installments = {
        i.pk: i
        for i in BillInstallment.objects.filter(
            pk__in=[int(k[2:]) for k in keys if k[:2] == "i:" and k[2:].isdigit()]
        ).select_related("bill")
    }
    for key in keys:
        kind, _sep, pk = key.partition(":")
        title = (receivables if kind == "r" else installments).get(
            int(pk) if pk.isdigit() else None
        )
        if title is None:
            raise services.ReconciliationError(_("Choose a title."), field="targets")
        amount = _amount(post.get(f"amount-{key}", ""))
        fee = _amount(post.get(f"fee-{key}", "")) or Decimal("0")
        if amount is None:
            raise services.ReconciliationError(
                _("Type the amount %(title)s takes of the line.") % {"title": title},
                field="targets",
            )
        targets.append(services.Target(title, amount, fee))
    return targets


class MatchView(LineActionView):
    def perform(self, line):
        targets = _chosen_titles(self.request.POST)
        rows = services.match_line(
            line,
            targets,
            user=self.request.user,
            note=self.request.POST.get("note", ""),
        )
        messages.success(
            self.request,
            _("Line matched to %(count)s title(s).") % {"count": len(rows)},
        )


class IgnoreView(LineActionView):
    def perform(self, line):
        services.ignore_line(
            line, user=self.request.user, reason=self.request.POST.get("reason", "")
        )
        messages.success(self.request, _("Line ignored."))

    def next_url(self, line):
        return url("queue", line.account_id)


class UnignoreView(LineActionView):
    def perform(self, line):
        services.unignore_line(line, user=self.request.user)
        messages.success(self.request, _("The line is back in the queue."))


class UndoView(LineActionView):
    def perform(self, line):
        pk = self.request.POST.get("match", "")
        match = (
            Match.objects.filter(line=line, pk=int(pk)).select_related("line").first()
            if pk.isdigit()
            else None
        )
        if match is None:
            raise services.ReconciliationError(_("Choose the match to undo."))
        services.undo_match(
            match, user=self.request.user, reason=self.request.POST.get("reason", "")
        )
        messages.success(self.request, _("Match undone."))
