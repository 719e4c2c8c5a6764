"""Date input formats of the admin, whatever its language: dates are typed and
shown dd/mm/aaaa (``WAGTAIL_DATE_FORMAT``), so every language reads them so
(English's default would read 10/12/2026 as October 12th)."""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%d/%m/%Y",
]
