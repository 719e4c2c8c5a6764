"""What a bill's attachment may be: a PDF (the supplier's boleto, the
DANFE) or a picture of one (PNG, JPEG), of at most
:data:`MAX_ATTACHMENT_BYTES`.

The type is read from the file's first bytes, not from its name or from the
type the browser declared (both are whatever the sender says); a declared
type that disagrees with the contents is refused too. The file is stored
under a name of ours with the extension of its real type, and served with
that type as a download (``Content-Disposition: attachment``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from plugins.finance.exceptions import InvalidBill

#: The largest attachment accepted: 10 MB.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

#: content type → (the bytes it starts with, the extension it is stored with)
ALLOWED_TYPES = {
    "application/pdf": (b"%PDF-", "pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
    "image/jpeg": (b"\xff\xd8\xff", "jpg"),
}
#: What browsers also declare for these files.
DECLARED_ALIASES = {
    "application/x-pdf": "application/pdf",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    # no type known to the browser: the contents decide
    "application/octet-stream": None,
    "": None,
}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int


def sniff(head: bytes) -> str | None:
    """The allowed content type the bytes start as, or ``None``."""
    for content_type, (magic, _extension) in ALLOWED_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def check_attachment(upload, *, field: str = "file") -> CheckedFile:
    """Check an uploaded file (Django's ``UploadedFile`` or any ``File``).

    Raises :class:`InvalidBill` naming ``field`` when it is empty, larger
    than :data:`MAX_ATTACHMENT_BYTES`, not a PDF, PNG or JPEG by its
    contents, or declared as another type than its contents.
    """
    size = upload.size or 0
    if size == 0:
        raise InvalidBill(_("The file is empty."), field=field)
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidBill(
            _("The file has %(size)s MB; the most accepted is %(max)s MB.")
            % {
                "size": f"{size / 1024 / 1024:.1f}".replace(".", ","),
                "max": MAX_ATTACHMENT_BYTES // (1024 * 1024),
            },
            field=field,
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise InvalidBill(
            _("Attach a PDF or a picture (PNG or JPEG) of the document."),
            field=field,
        )
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip()
    declared = DECLARED_ALIASES.get(declared.lower(), declared.lower())
    if declared is not None and declared != content_type:
        raise InvalidBill(
            _("The file says it is %(declared)s but its contents are not.")
            % {"declared": declared},
            field=field,
        )
    return CheckedFile(content_type, ALLOWED_TYPES[content_type][1], size)
