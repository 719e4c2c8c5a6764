"""What the codes of a retorno mean: the movement code of each título
(FEBRABAN's table C044 as Banco do Brasil uses it), the small set of
outcomes the back office acts on, and the reasons given for a rejection
(FEBRABAN's table C047, domain A)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# movement codes of the remessa (segment P, positions 16–17)
ENTRY = "01"
WRITE_OFF_REQUEST = "02"

# movement codes of the retorno (segment T, positions 16–17)
ENTRY_CONFIRMED = "02"
ENTRY_REJECTED = "03"
SETTLED = "06"
WRITTEN_OFF = "09"
SETTLED_AFTER_WRITE_OFF = "17"
INSTRUCTION_REJECTED = "26"
FEES_DEBITED = "28"
CHANGE_REJECTED = "30"


class Occurrence(models.TextChoices):
    """What a retorno line means to the back office."""

    REGISTERED = "registered", _("Registered by the bank")
    PAID = "paid", _("Paid")
    WRITTEN_OFF = "written_off", _("Written off")
    REJECTED = "rejected", _("Rejected by the bank")
    OTHER = "other", _("Other occurrence")


OCCURRENCES = {
    ENTRY_CONFIRMED: Occurrence.REGISTERED,
    ENTRY_REJECTED: Occurrence.REJECTED,
    SETTLED: Occurrence.PAID,
    SETTLED_AFTER_WRITE_OFF: Occurrence.PAID,
    WRITTEN_OFF: Occurrence.WRITTEN_OFF,
}

#: the movements whose reasons (positions 214–223 of segment T) are
#: rejection reasons
REJECTIONS = frozenset({ENTRY_REJECTED, INSTRUCTION_REJECTED, CHANGE_REJECTED})

MOVEMENTS = {
    ENTRY_CONFIRMED: _("Entry confirmed"),
    ENTRY_REJECTED: _("Entry rejected"),
    "04": _("Wallet transfer (entry)"),
    "05": _("Wallet transfer (write-off)"),
    SETTLED: _("Settled"),
    "07": _("Discount confirmed"),
    "08": _("Discount cancellation confirmed"),
    WRITTEN_OFF: _("Written off"),
    "11": _("Outstanding título"),
    "12": _("Rebate confirmed"),
    "13": _("Rebate cancellation confirmed"),
    "14": _("Due date change confirmed"),
    SETTLED_AFTER_WRITE_OFF: _("Settled after write-off, or not registered"),
    "19": _("Protest instruction confirmed"),
    "20": _("Protest suspension confirmed"),
    "23": _("Sent to the protest notary"),
    "24": _("Withdrawn from the protest notary"),
    "25": _("Protested and written off"),
    INSTRUCTION_REJECTED: _("Instruction rejected"),
    "27": _("Change of other data confirmed"),
    FEES_DEBITED: _("Fees or costs debited"),
    CHANGE_REJECTED: _("Change of data rejected"),
}

REJECTION_REASONS = {
    "01": _("Invalid bank code"),
    "02": _("Invalid detail record code"),
    "03": _("Invalid segment code"),
    "04": _("Movement code not allowed for the carteira"),
    "05": _("Invalid movement code"),
    "06": _("Invalid type or number of the payee's CPF/CNPJ"),
    "07": _("Invalid agency, account or check digit"),
    "08": _("Invalid nosso número"),
    "09": _("Duplicate nosso número"),
    "10": _("Invalid carteira"),
    "11": _("Invalid registration type"),
    "12": _("Invalid document type"),
    "13": _("Invalid boleto issuer"),
    "14": _("Invalid boleto distribution"),
    "15": _("Incompatible charging options"),
    "16": _("Invalid due date"),
    "17": _("Due date before the issue date"),
    "18": _("Due date outside the operation's term"),
    "19": _("Título with a correspondent bank due in too few days"),
    "20": _("Invalid amount"),
    "21": _("Invalid document species"),
    "22": _("Document species not allowed for the carteira"),
    "23": _("Invalid acceptance"),
    "24": _("Invalid issue date"),
    "25": _("Issue date after the entry date"),
    "26": _("Invalid interest code"),
    "27": _("Invalid interest amount or rate"),
    "28": _("Invalid discount code"),
    "29": _("Discount equal to or greater than the amount"),
    "30": _("Discount to grant does not match"),
    "31": _("A discount was already granted"),
    "32": _("Invalid IOF amount"),
    "33": _("Invalid rebate amount"),
    "34": _("Rebate equal to or greater than the amount"),
    "35": _("Rebate to grant does not match"),
    "36": _("A rebate was already granted"),
    "37": _("Invalid protest code"),
    "38": _("Invalid protest term"),
    "39": _("Protest not allowed for this título"),
    "40": _("Título with a protest order issued"),
    "41": _("Protest cancellation for a título without a protest instruction"),
    "42": _("Invalid write-off code"),
    "43": _("Invalid write-off term"),
    "44": _("Invalid currency code"),
    "45": _("Payer's name missing"),
    "46": _("Invalid type or number of the payer's CPF/CNPJ"),
    "47": _("Payer's address missing"),
    "48": _("Invalid CEP"),
    "49": _("CEP without a collection place"),
    "50": _("CEP of a correspondent bank"),
    "51": _("CEP does not match the state"),
    "52": _("Invalid state"),
    "53": _("Invalid type or number of the guarantor's CPF/CNPJ"),
    "54": _("Guarantor missing"),
    "55": _("Nosso número at the correspondent bank missing"),
    "56": _("Correspondent bank code missing"),
    "57": _("Invalid fine code"),
    "58": _("Invalid fine date"),
    "59": _("Invalid fine amount or percentage"),
    "60": _("Movement for a título not registered"),
    "61": _("Invalid change of collecting agency"),
    "62": _("Invalid printing type"),
    "63": _("Entry for a título already registered"),
}


def occurrence_of(movement: str) -> Occurrence:
    return OCCURRENCES.get(movement, Occurrence.OTHER)


def movement_label(movement: str) -> str:
    """The movement as people read it; an unknown code is named as such."""
    label = MOVEMENTS.get(movement)
    if label is not None:
        return str(label)
    return gettext("Movement %(code)s") % {"code": movement}


def reason_codes(field: str) -> tuple[str, ...]:
    """The up to five two-digit reasons of segment T's positions 214–223,
    without the empty ones (``00`` or spaces)."""
    pairs = (field[index : index + 2].strip() for index in range(0, len(field), 2))
    return tuple(pair for pair in pairs if pair and pair != "00")


def rejection_reason(code: str) -> str:
    label = REJECTION_REASONS.get(code)
    if label is not None:
        return str(label)
    return gettext("Reason %(code)s") % {"code": code}
