from plugins.exceptions import RetaguardaError


class FinanceError(RetaguardaError):
    status = 400
    code = "finance-error"


class PaymentNotAllowed(FinanceError):
    status = 409
    code = "payment-not-allowed"


class InvalidBill(FinanceError):
    """A bill, an installment or an attachment cannot be recorded as given
    (``field`` names the input at fault)."""

    status = 400
    code = "bill-invalid"


class BillClosed(FinanceError):
    """The bill is paid or cancelled: nothing more is done with it."""

    status = 409
    code = "bill-closed"


class ApprovalRefused(FinanceError):
    """The bill cannot be approved (it is not awaiting approval, or the user
    recorded it: approval is a second person's)."""

    status = 409
    code = "approval-refused"


class BillNotPayable(FinanceError):
    """The installment cannot be recorded as paid (awaiting approval, paid
    or cancelled)."""

    status = 409
    code = "bill-not-payable"


class RefundNotAllowed(FinanceError):
    """The payment cannot be refunded as asked (not paid, or more than what
    is left of it); ``field`` names the input at fault."""

    status = 409
    code = "refund-not-allowed"


class EventNotReprocessable(FinanceError):
    """The provider's notification was applied (or found nothing to do): it
    is not processed again."""

    status = 409
    code = "event-not-reprocessable"
