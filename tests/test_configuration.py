"""The README's configuration table and the settings agree: every variable in
the table is read by the settings and changes them, every variable the
settings read is in the table, and every ``RETAGUARDA_*`` setting the code
looks up is defined by the settings (so a documented variable can never be a
no-op)."""

from __future__ import annotations

import ast
import importlib
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SETTINGS_PACKAGE = "retaguarda.settings"
SETTINGS_DIR = ROOT / "site" / "retaguarda" / "settings"
CODE_DIRS = [ROOT / "content", ROOT / "api", ROOT / "plugins"]
NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")

# Values tried, in turn, until one changes the settings: booleans, numbers,
# URLs of each kind the settings parse, plain text and the empty string.
PROBES = [
    "true",
    "false",
    "7",
    "0",
    "probe.example.test",
    "https://probe.example.test",
    "postgres://probe:probe@db.example.test:5433/probe",
    "redis://127.0.0.1:6379/9",
    "",
]
# Some variables matter only together with another (the PostgreSQL options with
# a PostgreSQL URL, SQLite's with SQLite): each probe is also tried on top of
# these.
CONTEXTS = [
    {},
    {"DATABASE_URL": "postgres://probe:probe@db.example.test:5433/probe"},
    {"DATABASE_URL": "sqlite:///probe.sqlite3"},
    {"DEBUG": "true"},
    {"DEBUG": "false", "SECRET_KEY": "probe-secret-key"},
    {"EMAIL_HOST": "smtp.example.test"},
    {"REDIS_URL": "redis://127.0.0.1:6379/9"},
]


def documented() -> set[str]:
    """The backticked names in the first column of the README's configuration
    table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("| ---"):
            names |= set(NAME.findall(line.split("|")[1]))
    return names


def mentioned_in_readme() -> set[str]:
    return set(re.findall(r"\bRETAGUARDA_[A-Z0-9_]+\b", README.read_text("utf-8")))


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _reads_environment(node: ast.AST, helpers: set[str]) -> bool:
    for child in ast.walk(node):
        if _is_environ(child):
            return True
        if isinstance(child, ast.Attribute) and child.attr == "getenv":
            return True
        if (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Name)
            and child.func.id in helpers
        ):
            return True
    return False


def _environment_call(node: ast.Call, helpers: set[str]) -> bool:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in helpers
    if isinstance(func, ast.Attribute):
        return func.attr == "getenv" or (
            _is_environ(func.value) and func.attr in {"get", "pop", "setdefault"}
        )
    return False


def read_by_settings() -> tuple[set[str], list[str]]:
    """The environment variables the settings modules read (through
    ``os.environ``, ``os.getenv`` or a helper function that does), and the
    reads whose variable is not spelt out."""
    trees = [ast.parse(path.read_text("utf-8")) for path in SETTINGS_DIR.glob("*.py")]
    functions = [
        node
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    ]
    helpers: set[str] = set()
    while True:
        found = {f.name for f in functions if _reads_environment(f, helpers)}
        if found <= helpers:
            break
        helpers |= found
    inside_helpers = {
        id(node) for f in functions if f.name in helpers for node in ast.walk(f)
    }
    names: set[str] = set()
    unclear: list[str] = []
    for tree in trees:
        for node in ast.walk(tree):
            if id(node) in inside_helpers:
                continue
            key = None
            if isinstance(node, ast.Call) and _environment_call(node, helpers):
                key = node.args[0] if node.args else None
            elif isinstance(node, ast.Subscript) and _is_environ(node.value):
                key = node.slice
            else:
                continue
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
            else:
                unclear.append(ast.unparse(node))
    return names, unclear


def load_settings(monkeypatch, environ: dict[str, str]) -> dict:
    """The settings module's values, imported afresh with ``environ`` on top of
    the current environment (Django's own settings object is untouched)."""
    ours = {
        name: module
        for name, module in sys.modules.items()
        if name == SETTINGS_PACKAGE or name.startswith(SETTINGS_PACKAGE + ".")
    }
    package = sys.modules["retaguarda"]
    with monkeypatch.context() as patch:
        for key, value in environ.items():
            patch.setenv(key, value)
        for name in ours:
            patch.delitem(sys.modules, name)
        patch.setattr(package, "settings", ours.get(SETTINGS_PACKAGE), raising=False)
        try:
            module = importlib.import_module(SETTINGS_PACKAGE)
            return {
                name: getattr(module, name) for name in dir(module) if name.isupper()
            }
        finally:
            for name in list(sys.modules):
                if name == SETTINGS_PACKAGE or name.startswith(SETTINGS_PACKAGE + "."):
                    del sys.modules[name]


def looked_up_by_the_code() -> set[str]:
    pattern = re.compile(
        r"""getattr\(\s*settings\s*,\s*["'](RETAGUARDA_[A-Z0-9_]+)["']"""
        r"|settings\.(RETAGUARDA_[A-Z0-9_]+)"
    )
    names: set[str] = set()
    for directory in CODE_DIRS:
        for path in directory.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in pattern.finditer(path.read_text("utf-8")):
                names.add(match.group(1) or match.group(2))
    return names


def test_every_variable_in_the_readme_table_is_read_by_the_settings():
    # given the README's configuration table and the settings' source
    names, unclear = read_by_settings()
    # then the settings spell out every variable they read
    assert not unclear, f"environment reads without a literal name: {unclear}"
    # and each documented variable is read
    assert sorted(documented() - names) == []


def test_every_variable_the_settings_read_is_in_the_readme_table():
    names, _unclear = read_by_settings()
    assert sorted(names - documented()) == []


def test_every_retaguarda_variable_the_readme_mentions_is_in_its_table():
    assert sorted(mentioned_in_readme() - documented()) == []


def test_every_retaguarda_setting_the_code_looks_up_is_defined_by_the_settings(
    monkeypatch,
):
    # given the settings as the environment configures them
    defined = load_settings(monkeypatch, {})
    # then every RETAGUARDA_* setting the code reads exists (a getattr default
    # would otherwise hide a variable that is documented but never read)
    assert sorted(looked_up_by_the_code() - set(defined)) == []


@pytest.mark.parametrize("name", sorted(documented()))
def test_setting_a_documented_variable_changes_the_settings(monkeypatch, name):
    tried = []
    for context in CONTEXTS:
        # given the settings with the current environment (and a context)
        try:
            baseline = load_settings(monkeypatch, context)
        except Exception:  # noqa: BLE001, S112 - a context this set-up refuses
            continue
        # when the variable is set to one value after another
        for value in PROBES:
            if context.get(name, os.environ.get(name)) == value:
                continue
            try:
                probed = load_settings(monkeypatch, {**context, name: value})
            except Exception as exc:  # noqa: BLE001 - a value the variable refuses
                tried.append(f"{context} {value!r}: {exc}")
                continue
            # then at least one of them changes the resulting settings
            if probed != baseline:
                return
            tried.append(f"{context} {value!r}: no change")
    pytest.fail(f"setting {name} changed nothing: {tried}")


def test_sell_untracked_is_read_from_the_environment(monkeypatch):
    # when RETAGUARDA_STOCK_SELL_UNTRACKED is set
    on = load_settings(monkeypatch, {"RETAGUARDA_STOCK_SELL_UNTRACKED": "true"})
    off = load_settings(monkeypatch, {"RETAGUARDA_STOCK_SELL_UNTRACKED": "false"})
    # then the stock plugin's setting follows it
    assert on["RETAGUARDA_STOCK_SELL_UNTRACKED"] is True
    assert off["RETAGUARDA_STOCK_SELL_UNTRACKED"] is False
