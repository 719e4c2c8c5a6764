from plugins.exceptions import RetaguardaError


class FinanceError(RetaguardaError):
    status = 400
    code = "finance-error"


class PaymentNotAllowed(FinanceError):
    status = 409
    code = "payment-not-allowed"
