"""Every translation catalogue of the project is complete and compiled.

Catalogues are found by walking the repository (plugins added later are
covered without touching this test): each ``locale/<lang>/LC_MESSAGES/*.po``
has no untranslated and no fuzzy entry, and the ``.mo`` beside it holds
exactly the translations of the ``.po``.
"""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", ".git", "node_modules", "var", "build", "dist"}


def catalogues() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*.po")):
        relative = path.relative_to(ROOT)
        if SKIP_DIRS & set(relative.parts) or any(
            part.startswith(".") for part in relative.parts
        ):
            continue
        if relative.parent.name == "LC_MESSAGES":
            found.append(path)
    return found


CATALOGUES = catalogues()
IDS = [str(path.relative_to(ROOT)) for path in CATALOGUES]


def test_the_project_has_catalogues():
    apps = {path.relative_to(ROOT).parts[0] for path in CATALOGUES}
    assert {"api", "content", "plugins"} <= apps


def _describe(entry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"line {entry.linenum}: {context}{entry.msgid!r}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=IDS)
def test_catalogue_is_fully_translated(po_path):
    catalogue = polib.pofile(str(po_path))
    untranslated = [_describe(e) for e in catalogue.untranslated_entries()]
    fuzzy = [_describe(e) for e in catalogue.fuzzy_entries()]
    assert untranslated == [], "untranslated:\n" + "\n".join(untranslated)
    assert fuzzy == [], "fuzzy (review and remove the flag):\n" + "\n".join(fuzzy)


def _translations(entries) -> dict:
    result = {}
    for entry in entries:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        plural = tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
        result[(entry.msgctxt, entry.msgid, entry.msgid_plural)] = (
            plural or entry.msgstr
        )
    return result


@pytest.mark.parametrize("po_path", CATALOGUES, ids=IDS)
def test_compiled_catalogue_matches_its_source(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.name} is missing: run compilemessages"
    source = _translations(polib.pofile(str(po_path)))
    compiled = _translations(polib.mofile(str(mo_path)))
    stale = sorted(
        repr(key[1])
        for key in source.keys() | compiled.keys()
        if source.get(key) != compiled.get(key)
    )
    assert stale == [], (
        f"{mo_path.name} differs from its .po (run compilemessages): "
        + ", ".join(stale[:20])
    )
