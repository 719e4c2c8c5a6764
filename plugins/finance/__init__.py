"""Finance: the pure building blocks of receiving money in Brazil.

Pix BR Codes (:mod:`.pix`), boletos bancários (:mod:`.boleto`) and their
printed PDF (:mod:`.documents`), Banco do Brasil's CNAB 240 remessa and
retorno files (:mod:`.cnab`), the checks of payment providers' webhook
signatures (:mod:`.signatures`), the payment providers' protocol and
adapters (:mod:`.providers`: Mercado Pago, PagBank, manual payments) and a
local simulator of each vendor (:mod:`.simulators`). These modules touch no
database, so the finance app built on them can test its services against
rules that are already tested here.
"""
