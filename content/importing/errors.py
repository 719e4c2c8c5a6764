"""The import errors live in the import framework (``plugins.importing``)."""

from plugins.importing.errors import FileProblem, RowError

__all__ = ["FileProblem", "RowError"]
