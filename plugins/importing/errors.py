from __future__ import annotations

from dataclasses import asdict, dataclass


class FileProblem(Exception):
    """The file as a whole cannot be imported (empty, too large, unreadable,
    unknown or missing columns)."""


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)
