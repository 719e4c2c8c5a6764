"""Reconciliation (conciliação): the statement lines of a bank account
matched to what they settle — receivables for credits, approved bill
installments for debits.

:func:`reconcile` matches automatically (the rules are in
:mod:`plugins.finance.matching`): it reads the account's lines still to
reconcile and the open titles in bulk, decides in memory, and writes in
batches, one transaction per batch. Each batch locks its lines and the
receivables it settles (``select_for_update``, lines first, then
receivables, by primary key) and checks that none changed since they were
read; a line whose line or titles changed meanwhile (another reconcile of
the same account, a person's match) is left for the next run. So two runs
at once never settle a title twice, and a second run over the same lines
changes nothing.

A person's actions — :func:`match_line` (one or several titles, with
amounts: a split), :func:`ignore_line` / :func:`unignore_line` and
:func:`undo_match` — need ``finance.reconcile_bankaccount`` on the line's
account, write one audit log entry on the line, and can each be taken back.

A match's ``amount`` is the part of the line the title takes; its ``fee``
what the title lacks within the tolerance (booked as a fee, not as a
difference). A receivable is credited ``amount + fee``: settled when that
reaches its net, partially settled before.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins import sql
from plugins.audit import log_change
from plugins.finance import matching
from plugins.finance.exceptions import FinanceError
from plugins.finance.models import (
    BankAccount,
    BillInstallment,
    InstallmentStatus,
    LineStatus,
    Match,
    MatchRule,
    Receivable,
    StatementLine,
)
from plugins.finance.permissions import user_can_reconcile
from plugins.finance.services import payables
from plugins.money import format_brl
from plugins.orders.money import CENT, ZERO

#: Lines reconciled per transaction (each batch holds its lines' and titles'
#: row locks until it commits).
BATCH_LINES = 10000
#: Above this many credits, or references in them, the candidates are all
#: the open receivables rather than those the references and dates select.
MAX_FILTER_LINES = 500
MAX_FILTER_TOKENS = 2000
OPEN_LINE = (LineStatus.UNMATCHED, LineStatus.PARTIAL)
OPEN_RECEIVABLE = (Receivable.Status.OPEN, Receivable.Status.PARTIALLY_SETTLED)


class ReconciliationError(FinanceError):
    """A person's reconciliation action cannot be done as asked (``field``
    names the input at fault, when there is one)."""

    status = 409
    code = "reconciliation-refused"


def tolerance() -> matching.Tolerance:
    """The tolerances of the settings (see ``RETAGUARDA_FINANCE_RECONCILE_*``)."""
    return matching.Tolerance(
        cents=matching.cents(settings.RETAGUARDA_FINANCE_RECONCILE_TOLERANCE),
        batch_percent=settings.RETAGUARDA_FINANCE_RECONCILE_BATCH_PERCENT,
        window_days=settings.RETAGUARDA_FINANCE_RECONCILE_WINDOW_DAYS,
    )


@dataclass
class ReconcileResult:
    """What a run did: lines matched per rule, matches written, lines left."""

    rules: Counter = field(default_factory=Counter)
    matches: int = 0
    lines: int = 0
    left: int = 0
    conflicts: int = 0

    @property
    def matched(self) -> int:
        return sum(self.rules.values())

    def as_dict(self) -> dict:
        return {
            "rules": dict(self.rules),
            "matches": self.matches,
            "lines": self.lines,
            "matched": self.matched,
            "left": self.left,
            "conflicts": self.conflicts,
        }


def _money(centavos: int) -> Decimal:
    return (Decimal(centavos) / 100).quantize(CENT)


def _db_money():
    """Centavos as the database takes an amount parameter: text on SQLite
    (what its adapter would make of a Decimal, without a call per value),
    a Decimal elsewhere."""
    if connection.vendor == "sqlite":
        return _text_money
    return _money


def _text_money(centavos: int) -> str:
    sign = "-" if centavos < 0 else ""
    whole, cents = divmod(abs(centavos), 100)
    return f"{sign}{whole}.{cents:02d}"


def _chunks(items: Sequence, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _require(user, account) -> None:
    if not user_can_reconcile(user, account):
        raise PermissionDenied


# -- reading -----------------------------------------------------------------------
#
# The automatic run reads and compares in whole centavos, with the database's
# own values (a raw cursor): Django's converters make a Decimal of every
# amount read, which on 100,000 rows costs more than the matching.


def _raw(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the database driver gives
    them (no Django converters)."""
    statement, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _locked_rows(model, fields: Sequence[str], pks: Sequence[int]) -> list[tuple]:
    """``(pk, *fields)`` of the rows ``pks`` of ``model``, locked for the
    transaction (``FOR UPDATE`` where the database has it), by primary key.
    Plain SQL: Django prepares every value of a long ``pk__in`` one by one."""
    columns = sql.columns(model, *(name for name in fields if name != "pk"))
    pk = sql.column(model, "pk")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    table = sql.table(model)
    postgres = connection.vendor == "postgresql"
    rows = []
    with connection.cursor() as cursor:
        for part in _chunks(sorted(pks), 20000 if postgres else 5000):
            if postgres:  # one array parameter: psycopg parses no long query
                where, params = f"{pk} = ANY(%s::bigint[])", [list(part)]
            else:
                where, params = f"{pk} IN ({', '.join(['%s'] * len(part))})", part
            cursor.execute(
                f"SELECT {pk}, {columns} FROM {table} "  # noqa: S608
                f"WHERE {where} ORDER BY {pk}{lock}",
                list(params),
            )
            rows.extend(cursor.fetchall())
    return rows


def _c(value) -> int:
    """Centavos of an amount as the driver returns it (Decimal, float, int)."""
    return int(round(value * 100))


def _date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


@dataclass(slots=True)
class _LineRow:
    pk: int
    amount: int
    matched: int
    date: datetime.date


def _open_lines(account: BankAccount, lines) -> list[tuple]:
    fields = (
        "pk",
        "amount",
        "matched_amount",
        "date",
        "reference",
        "description",
        "installment",
    )
    base = StatementLine.objects.filter(account=account, status__in=OPEN_LINE)
    if lines is None:
        return _raw(base.values_list(*fields))
    pks = sorted({getattr(line, "pk", line) for line in lines})
    rows = []
    for chunk in _chunks(pks, 10000):
        rows.extend(_raw(base.filter(pk__in=chunk).values_list(*fields)))
    return rows


def _receivable_titles(lines: list[matching.Line], tol: matching.Tolerance):
    """The open receivables a run may match, as titles, and what they were
    when read (centavos settled and status, by pk)."""
    qs = Receivable.objects.filter(status__in=OPEN_RECEIVABLE)
    credits = [line for line in lines if line.credit]
    if not credits:
        return [], {}
    words = set()
    if len(credits) <= MAX_FILTER_LINES:
        for line in credits:
            words |= matching.tokens(line.reference, line.description)
            words |= matching.words(line.reference, line.description)
    if len(credits) <= MAX_FILTER_LINES and len(words) <= MAX_FILTER_TOKENS:
        window = datetime.timedelta(days=tol.window_days)
        first = min(line.date for line in credits) - window
        last = max(line.date for line in credits) + window
        # references are stored as given; the look-up compares them normalised
        qs = qs.filter(
            Q(due_date__range=(first, last))
            | Q(reference__in=words)
            | Q(order__number__in=_order_numbers(words))
        )
    titles = []
    seen = {}
    for (
        pk,
        net,
        settled,
        status,
        due,
        reference,
        installment,
        account_id,
        channel_id,
        number,
    ) in _raw(
        qs.values_list(
            "pk",
            "net",
            "settled_amount",
            "status",
            "due_date",
            "reference",
            "installment",
            "account_id",
            "channel_id",
            "order__number",
        )
    ):
        settled = _c(settled)
        open_ = _c(net) - settled
        seen[pk] = (settled, status)
        if open_ <= 0:
            continue
        titles.append(
            matching.Title(
                "r",
                pk,
                open_,
                _date(due),
                reference=reference,
                installment=installment,
                refs=(number,) if number else (),
                group=("a", account_id)
                if account_id
                else (("c", channel_id) if channel_id else None),
                partly=settled > 0,
            )
        )
    return titles, seen


def _order_numbers(words: set[str]) -> set[str]:
    """Order numbers as stored ("ABCD-EFGH") for the normalised words that
    could be one."""
    return {f"{w[:4]}-{w[4:]}" for w in words if len(w) == 8} | words


def _installment_titles(lines: list[matching.Line]):
    if not any(not line.credit for line in lines):
        return []
    titles = []
    for pk, amount, due, boleto, document in _raw(
        BillInstallment.objects.filter(status=InstallmentStatus.APPROVED).values_list(
            "pk", "amount", "due_date", "boleto_line", "bill__document_number"
        )
    ):
        titles.append(
            matching.Title(
                "i",
                pk,
                _c(amount),
                _date(due),
                refs=tuple(r for r in (boleto, document) if r),
            )
        )
    return titles


# -- the automatic run -------------------------------------------------------------


def reconcile(account: BankAccount, *, lines=None, user=None) -> ReconcileResult:
    """Match the lines of ``account`` still to reconcile (all, or those of
    ``lines``: lines or their pks) to open receivables and approved bill
    installments. With a ``user``, needs reconcile on the account and logs
    ``finance.reconcile.run`` on it (when anything was matched). Returns
    the lines matched per rule."""
    if user is not None:
        _require(user, account)
    result = ReconcileResult()
    rows = _open_lines(account, lines)
    result.lines = len(rows)
    if not rows:
        return result
    tol = tolerance()
    line_rows: dict[int, _LineRow] = {}
    work = []
    for pk, amount, matched, date, reference, description, installment in rows:
        amount, matched, date = _c(amount), _c(matched), _date(date)
        line_rows[pk] = _LineRow(pk, amount, matched, date)
        work.append(
            matching.Line(
                pk,
                abs(amount) - matched,
                amount > 0,
                date,
                reference,
                description,
                installment,
            )
        )
    del rows
    titles, receivables = _receivable_titles(work, tol)
    titles.extend(_installment_titles(work))
    matcher = matching.Matcher(titles, tol)
    left = matcher.run(work)
    del titles, work
    result.left = len(left)
    by_line: dict[int, list[matching.Proposal]] = defaultdict(list)
    for proposal in matcher.proposals:
        by_line[proposal.line].append(proposal)
    ordered = sorted(by_line, key=lambda pk: (line_rows[pk].date, pk))
    for chunk in _chunks(ordered, BATCH_LINES):
        _apply(account, chunk, by_line, line_rows, receivables, matcher.rules, result)
    result.left += result.conflicts
    if user is not None and result.matched:
        log_change(account, "finance.reconcile.run", user=user, **result.as_dict())
    return result


def _apply(account, chunk, by_line, line_rows, receivables, rules, result) -> None:
    """Write the proposals of the lines ``chunk`` in one transaction, those
    whose line and titles are still as read."""
    ops = connection.ops
    money = _db_money()
    now = ops.adapt_datetimefield_value(timezone.now())
    dates: dict = {}

    def db_date(value):
        if value not in dates:
            dates[value] = ops.adapt_datefield_value(value)
        return dates[value]

    with transaction.atomic():
        current = {
            pk: _c(matched)
            for pk, matched, status in _locked_rows(
                StatementLine, ("matched_amount", "status"), chunk
            )
            if status in OPEN_LINE
        }
        wanted = sorted({p.title for pk in chunk for p in by_line[pk] if p.kind == "r"})
        titles = {
            pk: [_c(net), _c(settled), status, settled_on]
            for pk, net, settled, status, settled_on in _locked_rows(
                Receivable, ("net", "settled_amount", "status", "settled_on"), wanted
            )
        }
        matches, line_updates, changed = [], [], set()
        for pk in chunk:
            row = line_rows[pk]
            proposals = by_line[pk]
            if current.get(pk) != row.matched or any(
                p.kind == "r"
                and (
                    p.title not in titles
                    or (titles[p.title][1], titles[p.title][2])
                    != receivables.get(p.title)
                )
                for p in proposals
            ):
                result.conflicts += 1
                continue
            if proposals[0].kind == "i":
                if not _pay_installment(account, row, proposals[0], matches, now):
                    result.conflicts += 1
                    continue
            else:
                for p in proposals:
                    title = titles[p.title]
                    title[1] += p.amount + p.fee
                    if title[1] >= title[0]:
                        title[2] = Receivable.Status.SETTLED
                        title[3] = title[3] or db_date(row.date)
                    else:
                        title[2] = Receivable.Status.PARTIALLY_SETTLED
                    receivables[p.title] = (title[1], title[2])
                    changed.add(p.title)
                    matches.append(
                        (
                            pk,
                            p.title,
                            None,
                            money(p.amount),
                            money(p.fee),
                            p.rule,
                            "",
                            "",
                            now,
                        )
                    )
            row.matched += sum(p.amount for p in proposals)
            line_updates.append(
                (money(row.matched), _line_status(row.amount, row.matched), pk)
            )
            result.rules[rules[pk]] += 1
        _insert_matches(matches)
        result.matches += len(matches)
        _update(
            Receivable,
            ("settled_amount", "status", "settled_on"),
            [
                (money(titles[pk][1]), titles[pk][2], titles[pk][3], pk)
                for pk in sorted(changed)
            ],
        )
        _update(StatementLine, ("matched_amount", "status"), line_updates)


def _pay_installment(account, row: _LineRow, proposal, matches, now) -> bool:
    """Record the payment of a bill installment by a debit line (through the
    payables service, in a savepoint): False when it cannot be paid now."""
    installment = BillInstallment.objects.select_related("bill").get(pk=proposal.title)
    paid = _money(proposal.amount)
    try:
        with transaction.atomic():
            payables.apply_bill_payment(
                installment,
                user=None,
                paid_on=row.date,
                interest=max(paid - installment.amount, ZERO),
                discount=max(installment.amount - paid, ZERO),
                amount_paid=paid,
                paid_from=account.name,
                note=_("Reconciled with the statement of %(date)s.")
                % {"date": row.date.strftime("%d/%m/%Y")},
            )
    except FinanceError:
        return False
    matches.append(
        (
            row.pk,
            None,
            installment.pk,
            paid,
            abs(paid - installment.amount),
            proposal.rule,
            "",
            "",
            now,
        )
    )
    return True


def _receivable_state(net, settled, settled_on, date):
    if settled >= net:
        return Receivable.Status.SETTLED, settled_on or date
    if settled > 0:
        return Receivable.Status.PARTIALLY_SETTLED, None
    return Receivable.Status.OPEN, None


def _line_status(amount, matched) -> str:
    if matched <= 0:
        return LineStatus.UNMATCHED
    if matched >= abs(amount):
        return LineStatus.MATCHED
    return LineStatus.PARTIAL


def _update(model, fields: Sequence[str], rows: list[tuple]) -> None:
    """``UPDATE … SET fields WHERE pk`` for each row (the values as the
    database takes them, then the pk): on PostgreSQL one statement per
    thousand rows (``UPDATE … FROM (VALUES …)``), elsewhere one batched
    statement."""
    if not rows:
        return
    meta = model._meta
    table, pk = sql.table(model), sql.column(model, "pk")
    columns = [sql.column(model, name) for name in fields]
    if connection.vendor != "postgresql":
        sets = ", ".join(f"{column} = %s" for column in columns)
        _execute_many(f"UPDATE {table} SET {sets} WHERE {pk} = %s", rows)  # noqa: S608
        return
    types = [meta.get_field(name).db_type(connection) for name in fields]
    types.append(meta.pk.rel_db_type(connection))
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    names = [f"v{i}" for i in range(len(fields))]
    sets = ", ".join(f"{c} = v.{n}" for c, n in zip(columns, names, strict=True))
    statement = (
        f"UPDATE {table} SET {sets} FROM unnest({arrays}) "  # noqa: S608
        f"AS v({', '.join(names)}, vpk) WHERE {table}.{pk} = v.vpk"
    )
    with connection.cursor() as cursor:
        for part in _chunks(rows, 20000):
            cursor.execute(
                statement, [list(column) for column in zip(*part, strict=True)]
            )


def _execute_many(statement: str, rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        for part in _chunks(rows, 5000):
            cursor.executemany(statement, part)


#: The columns a match is written with by the automatic run.
_MATCH_FIELDS = (
    "line",
    "receivable",
    "installment",
    "amount",
    "fee",
    "rule",
    "note",
    "undo_reason",
    "created_at",
)


def _insert_matches(rows: list[tuple]) -> None:
    """INSERT the matches of the automatic run (``_MATCH_FIELDS`` each) as
    one batched statement: Django's ``bulk_create`` prepares every value
    field by field, which costs more than the database's write."""
    if not rows:
        return
    fields = [Match._meta.get_field(name) for name in _MATCH_FIELDS]
    names = sql.columns(Match, *_MATCH_FIELDS)
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = sql.table(Match)
    if connection.vendor != "postgresql":
        _execute_many(f"INSERT INTO {table} ({names}) VALUES {marks}", rows)  # noqa: S608
        return
    types = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    statement = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({types})"  # noqa: S608
    with connection.cursor() as cursor:
        for part in _chunks(rows, 20000):
            cursor.execute(
                statement, [list(column) for column in zip(*part, strict=True)]
            )


# -- a person's actions ------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A title a line pays by hand: a receivable or a bill installment, the
    part of the line it takes (``amount``) and, for a receivable, a fee that
    settles the rest of it."""

    title: Receivable | BillInstallment
    amount: Decimal
    fee: Decimal = ZERO


def _locked_line(line: StatementLine) -> StatementLine:
    return (
        StatementLine.objects.select_for_update()
        .select_related("account")
        .get(pk=line.pk)
    )


def _check_amount(value, field: str, *, zero: bool = False) -> Decimal:
    try:
        amount = Decimal(value if value not in (None, "") else "0")
    except (ArithmeticError, TypeError, ValueError):
        amount = Decimal("NaN")
    if (
        not amount.is_finite()
        or amount != amount.quantize(CENT)
        or amount < 0
        or (amount == 0 and not zero)
    ):
        raise ReconciliationError(
            _("Type an amount of more than zero, such as 89,90."), field=field
        )
    return amount.quantize(CENT)


def match_line(
    line: StatementLine,
    targets: Iterable[Target],
    *,
    user,
    note: str = "",
) -> list[Match]:
    """Match ``line`` by hand to one or several titles, each taking an
    amount of the line (a split); the amounts add up to at most what is
    left of the line. A credit pays receivables (an amount and fee of at
    most what is open of each); a debit pays approved bill installments
    (paid on the line's date; an amount over the installment's is
    interest, under it a discount).

    Needs reconcile on the line's account. Raises
    :class:`ReconciliationError` before anything is written. Under the
    line's and the titles' row locks; logs ``finance.reconcile.match``.
    """
    _require(user, line.account)
    targets = list(targets)
    if not targets:
        raise ReconciliationError(_("Choose at least one title."), field="targets")
    note = (note or "").strip()[:255]
    with transaction.atomic():
        line = _locked_line(line)
        _require(user, line.account)
        if line.status == LineStatus.IGNORED:
            raise ReconciliationError(
                _("This line is ignored: take it back to the queue first.")
            )
        credit = line.amount > 0
        checked = []
        for index, target in enumerate(targets):
            amount = _check_amount(target.amount, f"amount-{index}")
            fee = _check_amount(target.fee, f"fee-{index}", zero=True)
            checked.append((target.title, amount, fee))
        total = sum(amount for _t, amount, _f in checked)
        if total > line.open_amount:
            raise ReconciliationError(
                _("The amounts add up to %(total)s; %(open)s of the line is left.")
                % {"total": format_brl(total), "open": format_brl(line.open_amount)},
                field="targets",
            )
        receivable_pks = sorted(
            t.pk for t, _a, _f in checked if isinstance(t, Receivable)
        )
        if len(set(receivable_pks)) != len(receivable_pks):
            raise ReconciliationError(_("A title is chosen twice."), field="targets")
        locked = {
            r.pk: r
            for r in Receivable.objects.select_for_update()
            .filter(pk__in=receivable_pks)
            .order_by("pk")
        }
        rows = []
        for title, amount, fee in checked:
            if isinstance(title, Receivable):
                if not credit:
                    raise ReconciliationError(
                        _("A debit pays bills, not receivables."), field="targets"
                    )
                receivable = locked[title.pk]
                open_ = receivable.net - receivable.settled_amount
                if receivable.status not in OPEN_RECEIVABLE or open_ <= 0:
                    raise ReconciliationError(
                        _("%(title)s is not open.") % {"title": receivable},
                        field="targets",
                    )
                if amount + fee > open_:
                    raise ReconciliationError(
                        _("%(title)s has %(open)s open; %(amount)s is more.")
                        % {
                            "title": receivable,
                            "open": format_brl(open_),
                            "amount": format_brl(amount + fee),
                        },
                        field="targets",
                    )
                receivable.settled_amount += amount + fee
                receivable.status, receivable.settled_on = _receivable_state(
                    receivable.net,
                    receivable.settled_amount,
                    receivable.settled_on,
                    line.date,
                )
                receivable.save(
                    update_fields=["settled_amount", "status", "settled_on"]
                )
                rows.append(Match(receivable=receivable, amount=amount, fee=fee))
            elif isinstance(title, BillInstallment):
                if credit:
                    raise ReconciliationError(
                        _("A credit settles receivables, not bills."),
                        field="targets",
                    )
                installment = BillInstallment.objects.select_related("bill").get(
                    pk=title.pk
                )
                payables.apply_bill_payment(
                    installment,
                    user=user,
                    paid_on=line.date,
                    interest=max(amount - installment.amount, ZERO),
                    discount=max(installment.amount - amount, ZERO),
                    amount_paid=amount,
                    paid_from=line.account.name,
                    note=note,
                )
                rows.append(
                    Match(
                        installment=installment,
                        amount=amount,
                        fee=abs(amount - installment.amount),
                    )
                )
            else:
                raise ReconciliationError(_("Choose a title."), field="targets")
        for row in rows:
            row.line = line
            row.rule = MatchRule.MANUAL
            row.note = note
            row.created_by = user
        Match.objects.bulk_create(rows)
        line.matched_amount += total
        line.status = _line_status(line.amount, line.matched_amount)
        line.save(update_fields=["matched_amount", "status"])
        log_change(
            line,
            "finance.reconcile.match",
            user=user,
            titles=[_describe(row) for row in rows],
            note=note,
        )
    return rows


def _describe(match: Match) -> dict:
    title = match.receivable or match.installment
    return {
        "title": str(title),
        "kind": "receivable" if match.receivable_id else "installment",
        "pk": title.pk,
        "amount": str(match.amount),
        "fee": str(match.fee),
    }


def undo_match(match: Match, *, user, reason: str) -> Match:
    """Undo a match, saying why: the title gets back what the match gave it
    (a receivable's settled amount and status; an installment's payment is
    taken back) and the line what it took. The match stays, stamped.

    Needs reconcile on the line's account. Raises
    :class:`ReconciliationError` without a reason or for a match already
    undone. Logs ``finance.reconcile.undo`` on the line.
    """
    _require(user, match.line.account)
    reason = (reason or "").strip()[:255]
    if not reason:
        raise ReconciliationError(_("Say why the match is undone."), field="reason")
    with transaction.atomic():
        line = _locked_line(match.line)
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.undone_at is not None:
            raise ReconciliationError(_("This match was undone already."))
        if match.receivable_id:
            receivable = Receivable.objects.select_for_update().get(
                pk=match.receivable_id
            )
            receivable.settled_amount = max(
                receivable.settled_amount - match.amount - match.fee, ZERO
            )
            receivable.status, receivable.settled_on = _receivable_state(
                receivable.net,
                receivable.settled_amount,
                receivable.settled_on,
                None,
            )
            receivable.save(update_fields=["settled_amount", "status", "settled_on"])
        else:
            payables.reverse_bill_payment(match.installment, user=user, reason=reason)
        match.undone_at = timezone.now()
        match.undone_by = user
        match.undo_reason = reason
        match.save(update_fields=["undone_at", "undone_by", "undo_reason"])
        line.matched_amount = max(line.matched_amount - match.amount, ZERO)
        line.status = _line_status(line.amount, line.matched_amount)
        line.save(update_fields=["matched_amount", "status"])
        log_change(
            line,
            "finance.reconcile.undo",
            user=user,
            reason=reason,
            match=match.pk,
            **_describe(match),
        )
    return match


def ignore_line(line: StatementLine, *, user, reason: str) -> StatementLine:
    """Leave a line out of the reconciliation, saying why (bank fees, a
    transfer between the store's own accounts). Only a line with nothing
    matched. Needs reconcile on its account; logs ``finance.reconcile.ignore``."""
    _require(user, line.account)
    reason = (reason or "").strip()[:255]
    if not reason:
        raise ReconciliationError(_("Say why the line is ignored."), field="reason")
    with transaction.atomic():
        line = _locked_line(line)
        if line.status != LineStatus.UNMATCHED:
            raise ReconciliationError(
                _("Only a line with nothing reconciled can be ignored.")
            )
        line.status = LineStatus.IGNORED
        line.ignored_reason = reason
        line.save(update_fields=["status", "ignored_reason"])
        log_change(line, "finance.reconcile.ignore", user=user, reason=reason)
    return line


def unignore_line(line: StatementLine, *, user) -> StatementLine:
    """Bring an ignored line back to the queue. Needs reconcile on its
    account; logs ``finance.reconcile.unignore``."""
    _require(user, line.account)
    with transaction.atomic():
        line = _locked_line(line)
        if line.status != LineStatus.IGNORED:
            raise ReconciliationError(_("This line is not ignored."))
        reason = line.ignored_reason
        line.status = LineStatus.UNMATCHED
        line.ignored_reason = ""
        line.save(update_fields=["status", "ignored_reason"])
        log_change(line, "finance.reconcile.unignore", user=user, reason=reason)
    return line


# -- suggestions for the review queue ----------------------------------------------

#: How far around a line's date the review queue looks for the same amount.
SUGGEST_DAYS = 15


def suggestions(line: StatementLine, *, limit: int = 10) -> list:
    """Titles a person might match ``line`` to: those its reference or
    description names, then those of the same open amount (within the
    tolerance) due near its date, nearest first."""
    tol = _money(tolerance().cents)
    open_ = line.open_amount
    window = datetime.timedelta(days=SUGGEST_DAYS)
    words = matching.tokens(line.reference, line.description) | matching.words(
        line.reference, line.description
    )
    if line.amount > 0:
        base = Receivable.objects.filter(status__in=OPEN_RECEIVABLE).select_related(
            "order"
        )
        by_ref = base.filter(
            Q(reference__in=words) | Q(order__number__in=_order_numbers(words))
        )
        by_amount = base.filter(
            net__gte=open_ - tol,
            net__lte=open_ + tol,
            due_date__range=(line.date - window, line.date + window),
        )
    else:
        base = BillInstallment.objects.filter(
            status=InstallmentStatus.APPROVED
        ).select_related("bill", "bill__supplier")
        by_ref = base.filter(
            Q(boleto_line__in=words) | Q(bill__document_number__in=words)
        )
        by_amount = base.filter(
            amount__gte=open_ - tol,
            amount__lte=open_ + tol,
            due_date__range=(line.date - window, line.date + window),
        )
    found = {title.pk: title for title in by_ref[:limit]}
    for title in sorted(
        by_amount[: limit * 3], key=lambda t: abs((t.due_date - line.date).days)
    ):
        found.setdefault(title.pk, title)
    return list(found.values())[:limit]
