"""Which statement lines pay which titles: the matching rules of the
reconciliation, in memory, with no database.

:class:`Matcher` takes the open titles (receivables for credits, approved
bill installments for debits) once, indexes them (by reference, by order
number and other references, by open amount, and by provider account or
channel and due date for batch payouts) and then proposes matches for the
lines, one rule at a time over all the lines still unmatched, so that
stronger evidence claims a title before weaker evidence could:

1. the provider's transaction id: the line's reference is the title's
   (and its installment, when the line names one);
2. a reference found in the line's reference or description: an order
   number, a Pix txid, a boleto's nosso número, a bill's boleto line or
   document number;
3. amount and date: a single title whose open amount is the line's within
   the tolerance, due within the window of days around the line's date;
4. a batch payout: the open titles of one provider account (or channel)
   due on one day within the window, whose sum is the line's within the
   batch tolerance (a percentage of the sum, at least the tolerance);
5. partial payments: a line found by rules 1 or 2 that is smaller than the
   title pays part of it; the title is settled when the parts reach it
   (the matches of a title already partly paid carry this rule too).

Amounts are whole centavos (``int``). A difference within the tolerance
(the line short of the title) is booked as the match's fee; a line a few
centavos over the title settles it with the centavos over. A line is
matched in full or not at all, so a proposal never leaves a line in part.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

ID = "id"
REFERENCE = "reference"
AMOUNT_DATE = "amount_date"
BATCH = "batch"
PARTIAL = "partial"

#: References shorter than this (after normalising) are not looked up in a
#: description: "PIX", "TED" or a short number would hit by chance.
MIN_TOKEN = 5
_SPLIT = re.compile(r"[\s/,;:|*#()\[\]{}<>=+]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def norm(value: str) -> str:
    """A reference as compared: upper case, letters and digits only, and a
    number without its leading zeros ("0001234-5" is "12345")."""
    key = _NOT_ALNUM.sub("", (value or "").upper())
    if key.isdigit():
        key = key.lstrip("0") or "0"
    return key


def tokens(*texts: str) -> set[str]:
    """The normalised words of ``texts`` long enough to be a reference, and
    each text whole."""
    found = set()
    for text in texts:
        if not text:
            continue
        whole = norm(text)
        if len(whole) >= MIN_TOKEN:
            found.add(whole)
        for word in _SPLIT.split(text):
            key = norm(word)
            if len(key) >= MIN_TOKEN:
                found.add(key)
    return found


def words(*texts: str) -> set[str]:
    """The words of ``texts`` as written (and each text whole), long enough
    to be a reference: what a database look-up of stored references takes."""
    found = set()
    for text in texts:
        text = (text or "").strip()
        if len(text) >= MIN_TOKEN:
            found.add(text)
        found.update(w for w in _SPLIT.split(text) if len(w) >= MIN_TOKEN)
    return found


def cents(value: Decimal) -> int:
    return int(value * 100)


@dataclass(frozen=True)
class Tolerance:
    """``cents``: a difference booked as a fee; ``batch_percent``: the most a
    batch payout may fall short of its titles' sum, as a percentage of the
    sum (at least ``cents``); ``window_days``: how far from a title's due
    date a line may fall for rules 3 and 4."""

    cents: int = 5
    batch_percent: Decimal = Decimal("1.00")
    window_days: int = 3

    def batch_cents(self, total: int) -> int:
        return max(self.cents, int(total * self.batch_percent / 100))


@dataclass(slots=True, eq=False)
class Batch:
    """The open titles of one provider account (or channel) due on one day."""

    titles: list = field(default_factory=list)
    open: int = 0
    live: int = 0


@dataclass(slots=True, eq=False)
class Title:
    """An open receivable (``credit``) or an approved bill installment."""

    kind: str  # "r" (receivable) or "i" (bill installment)
    pk: int
    open: int
    due: datetime.date
    reference: str = ""
    installment: int = 1
    refs: tuple = ()
    group: object = None
    partly: bool = False
    batch: Batch | None = None

    @property
    def credit(self) -> bool:
        return self.kind == "r"

    @property
    def key(self) -> tuple:
        return (self.kind, self.pk)


@dataclass(slots=True, eq=False)
class Line:
    pk: int
    open: int
    credit: bool
    date: datetime.date
    reference: str = ""
    description: str = ""
    installment: int | None = None


@dataclass(slots=True, frozen=True)
class Proposal:
    line: int
    kind: str
    title: int
    amount: int
    fee: int
    rule: str


class Matcher:
    def __init__(self, titles: Iterable[Title], tolerance: Tolerance):
        self.tolerance = tolerance
        self.by_ref: dict = defaultdict(list)
        self.by_other: dict = defaultdict(list)
        self.by_amount: dict = defaultdict(list)
        self.batches: dict = defaultdict(list)  # due date -> [Batch]
        groups: dict = {}
        for title in titles:
            if title.open <= 0:
                continue
            if title.reference:
                self.by_ref[(title.credit, norm(title.reference))].append(title)
            for ref in title.refs:
                key = norm(ref)
                if len(key) >= MIN_TOKEN:
                    self.by_other[(title.credit, key)].append(title)
            self.by_amount[(title.credit, title.open)].append(title)
            if title.group is not None and title.credit:
                batch = groups.get((title.group, title.due))
                if batch is None:
                    batch = groups[(title.group, title.due)] = Batch()
                    self.batches[title.due].append(batch)
                batch.titles.append(title)
                batch.open += title.open
                batch.live += 1
                title.batch = batch
        self.proposals: list[Proposal] = []
        self.rules: dict[int, str] = {}

    # -- the run -----------------------------------------------------------------

    def run(self, lines: Iterable[Line]) -> list[Line]:
        """Propose matches for ``lines`` (``self.proposals``, and the rule
        of each matched line in ``self.rules``); returns the lines left."""
        left = sorted((line for line in lines if line.open > 0), key=_line_order)
        for rule in (self._by_id, self._by_reference, self._by_amount, self._by_batch):
            left = [line for line in left if not rule(line)]
        return left

    def _by_id(self, line: Line) -> bool:
        if not line.reference:
            return False
        found = self.by_ref.get((line.credit, norm(line.reference)), ())
        if line.installment and line.credit:
            found = [t for t in found if t.installment == line.installment]
        return self._fit(line, found, ID)

    def _by_reference(self, line: Line) -> bool:
        found: dict[tuple, Title] = {}
        for token in tokens(line.reference, line.description):
            for index in (self.by_ref, self.by_other):
                for title in index.get((line.credit, token), ()):
                    found[title.key] = title
        return self._fit(line, list(found.values()), REFERENCE)

    def _by_amount(self, line: Line) -> bool:
        tol = self.tolerance.cents
        window = self.tolerance.window_days
        hits = []
        for amount in range(line.open - tol, line.open + tol + 1):
            for title in self.by_amount.get((line.credit, amount), ()):
                if title.open == amount and abs((title.due - line.date).days) <= window:
                    hits.append(title)
        if len(hits) != 1:
            return False
        self._settle(line, [hits[0]], AMOUNT_DATE)
        return True

    def _by_batch(self, line: Line) -> bool:
        if not line.credit:
            return False
        window = self.tolerance.window_days
        fitting = []
        for offset in range(-window, window + 1):
            day = line.date + datetime.timedelta(days=offset)
            for batch in self.batches.get(day, ()):
                if batch.live < 2:
                    continue
                short = batch.open - line.open
                if (
                    -self.tolerance.cents
                    <= short
                    <= self.tolerance.batch_cents(batch.open)
                ):
                    fitting.append(batch)
        if len(fitting) != 1:
            return False
        titles = [t for t in fitting[0].titles if t.open > 0]
        return self._settle(line, titles, BATCH)

    # -- deciding and booking ----------------------------------------------------

    def _fit(self, line: Line, found, rule: str) -> bool:
        """Settle ``line`` against titles found by a reference: the one title
        (in full within the tolerance, or in part when the line is smaller),
        or all of them when their sum is the line's, or the one among them
        whose open amount is the line's."""
        live = sorted((t for t in found if t.open > 0), key=_title_order)
        if not live:
            return False
        tol = self.tolerance.cents
        if len(live) == 1:
            title = live[0]
            short = title.open - line.open
            if abs(short) <= tol:
                return self._settle(line, live, PARTIAL if title.partly else rule)
            if short > 0 and title.credit:
                return self._settle(line, live, PARTIAL, partial=True)
            return False
        if abs(sum(t.open for t in live) - line.open) <= tol:
            return self._settle(line, live, rule)
        same = [t for t in live if abs(t.open - line.open) <= tol]
        if same:
            return self._settle(line, same[:1], PARTIAL if same[0].partly else rule)
        return False

    def _settle(
        self, line: Line, titles: list[Title], rule: str, *, partial: bool = False
    ) -> bool:
        parts = split(line.open, [t.open for t in titles], partial=partial)
        if parts is None:
            return False
        for title, (amount, fee) in zip(titles, parts, strict=True):
            self.proposals.append(
                Proposal(line.pk, title.kind, title.pk, amount, fee, rule)
            )
            before = title.open
            title.open = max(before - amount - fee, 0)
            title.partly = title.open > 0
            if title.batch is not None:
                title.batch.open -= before - title.open
                if title.open == 0:
                    title.batch.live -= 1
            if title.open > 0:
                self.by_amount[(title.credit, title.open)].append(title)
        line.open = 0
        self.rules[line.pk] = rule
        return True


def split(
    line: int, opens: list[int], *, partial: bool = False
) -> list[tuple[int, int]] | None:
    """Share a line of ``line`` centavos among titles whose open amounts are
    ``opens``: ``(amount, fee)`` per title, the amounts adding up to the
    line. A line short of the sum books the difference as fees, shared in
    proportion to the titles (the centavos left over on the largest); a line
    over the sum gives the centavos over to the last title. A ``partial``
    payment (one title larger than the line) takes the whole line, no fee."""
    total = sum(opens)
    if line <= 0:
        return None
    if partial:
        return [(line, 0)] if len(opens) == 1 and line < total else None
    short = total - line
    if short <= 0:
        parts = [(amount, 0) for amount in opens]
        amount, fee = parts[-1]
        parts[-1] = (amount - short, fee)
        return parts
    fees = [short * amount // total for amount in opens]
    largest = max(range(len(opens)), key=lambda i: opens[i])
    fees[largest] += short - sum(fees)
    parts = [(amount - fee, fee) for amount, fee in zip(opens, fees, strict=True)]
    if any(amount <= 0 for amount, _fee in parts):
        return None
    return parts


def _line_order(line: Line):
    return (line.date, line.pk)


def _title_order(title: Title):
    return (title.due, title.installment, title.pk)
