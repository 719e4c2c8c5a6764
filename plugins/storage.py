"""Private files: documents people upload that are never served from a
public address (a supplier's boleto, an invoice).

They live in the ``"private"`` storage of ``STORAGES`` (by default
:class:`PrivateFileStorage` under ``PRIVATE_MEDIA_ROOT``, outside
``MEDIA_ROOT``, so that no web server serving the media serves them) and
reach a browser only through a view that checks the user's permission.
A deployment can point the ``"private"`` storage at a private bucket.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, storages


class PrivateFileStorage(FileSystemStorage):
    """Files on disk that have no address: :meth:`url` refuses."""

    def url(self, name):
        raise ValueError("Private files are served by a view, not from a URL.")


def private_storage():
    """The storage of private files (a callable, so that a model's
    ``FileField`` resolves it from the settings when it is used)."""
    return storages["private"]
