"""CNAB 240 cobrança files of Banco do Brasil (bank 001): the remessa that
registers boletos and the retorno that says what became of them.

The layout is FEBRABAN's CNAB 240 for "cobrança" (direct collection) with
Banco do Brasil's particularities: file layout version 083, lote layout
042, for a 7-digit convênio (carteira 17 by default, variation 019). Every
line has 240 characters of plain ASCII; numeric fields are zero-padded and
right-aligned, alphanumeric ones left-aligned, upper case, without accents.

A file::

    header de arquivo   (record type 0; 143: 1 remessa, 2 retorno)
      header de lote    (type 1; 9: R remessa, T retorno; 10–11: 01 cobrança)
        details         (type 3; 9–13 numbered 1, 2, 3… in the lote;
                         14: the segment)
      trailer de lote   (type 5; 18–23 records of the lote with its header
                         and trailer; in a retorno 24–29 the títulos in
                         cobrança simples and 30–46 their total)
    trailer de arquivo  (type 9, lote 9999; 18–23 lotes; 24–29 lines)

Positions common to every record: 1–3 bank (001), 4–7 lote (0000 in the
file header, 9999 in the file trailer), 8 record type; for details, 16–17
the movement code.

Banco do Brasil's "código do convênio" (file header 33–52, lote header
34–53) is the convênio in 9 digits, ``0014`` (cobrança), the carteira (2),
the variation (3) and two spaces (``TS`` in a test file).

**Remessa** (:mod:`.remessa`), for each título:

- **segment P** — the título: agency/account; 38–57 nosso número (convênio
  + 10-digit sequence, 17 digits left-aligned); 58 carteira code (7 for
  carteira 17 simples); 61–62 issued and delivered by the company (2, 2);
  63–77 document number; 78–85 due date; 86–100 amount; 107–108 species
  (02 duplicata mercantil); 109 acceptance (N); 110–117 issue date;
  118–141 interest per day (1) or none (3); 142–165 a fixed discount until a
  date; 196–220 the company's reference, returned in the retorno; 221 do not
  protest (3); 228–229 currency (09, real);
- **segment Q** — the payer: 18 CPF (1) or CNPJ (2), 19–33 number, 34–73
  name, 74–113 address, 114–128 district, 129–136 CEP, 137–151 city,
  152–153 state;
- **segment R** (optional) — 66–89 a fine as a percentage from the day after
  the due date; 100–179 two messages to the payer.

Movement codes sent: 01 entry (register), 02 write-off request.

**Retorno** (:mod:`.retorno`), for each título:

- **segment T** — 16–17 movement code; 38–57 nosso número; 59–73 document
  number; 74–81 due date; 82–96 face value; 97–104 collecting bank and
  agency; 106–130 the company's reference; 133–188 the payer; 199–213 the
  fee (tarifa); 214–223 up to five two-digit reasons;
- **segment U** — 18–32 interest, fine and charges; 33–47 discount; 48–62
  rebate; 63–77 IOF; 78–92 amount paid; 93–107 net amount credited;
  108–137 other expenses and credits; 138–145 the occurrence's date (the
  payment date); 146–153 the credit date.

Movement codes read (:mod:`.codes`): 02 entry confirmed (registered), 03
entry rejected (with the reasons of FEBRABAN's table, e.g. 09 duplicate
nosso número, 48 invalid CEP), 06 and 17 settled (paid), 09 written off;
the others (14 due date changed, 28 fees debited…) are other occurrences,
each with its label.

:mod:`.simulator` writes the retorno the bank would send for a remessa
(tests and the demo).
"""

from plugins.finance.cnab.codes import Occurrence
from plugins.finance.cnab.records import CnabError
from plugins.finance.cnab.remessa import (
    Agreement,
    Charge,
    Payer,
    read_remessa,
    write_remessa,
)
from plugins.finance.cnab.retorno import (
    RETORNO_COLUMNS,
    Retorno,
    RetornoRecord,
    iter_retorno,
    read_retorno,
    retorno_sheet,
)

__all__ = [
    "RETORNO_COLUMNS",
    "Agreement",
    "Charge",
    "CnabError",
    "Occurrence",
    "Payer",
    "Retorno",
    "RetornoRecord",
    "iter_retorno",
    "read_remessa",
    "read_retorno",
    "retorno_sheet",
    "write_remessa",
]
