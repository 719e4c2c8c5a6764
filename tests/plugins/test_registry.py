import json
import textwrap

import pytest

from plugins.exceptions import PluginConfigurationError
from plugins.registry import parse_plugin_list, plugin_apps, resolve
from tests.helpers import manage


def test_plugin_list_is_comma_or_space_separated_and_unset_means_builtins():
    assert parse_plugin_list("a, b c") == ["a", "b", "c"]
    assert parse_plugin_list("") == []
    # the built-in plugins
    assert parse_plugin_list(None) == [
        "orders",
        "stock",
        "finance",
        "fiscal",
        "logistics",
        "analytics",
    ]


def test_dotted_path_plugin_resolves_to_its_config_class():
    assert plugin_apps("tests.shelves_plugin") == [
        "tests.shelves_plugin.apps.ShelvesConfig"
    ]


def test_requirements_come_first_whatever_the_listed_order():
    infos = resolve(["tests.plugin_samples.needs_shelves", "tests.shelves_plugin"])
    assert [info.label for info in infos] == ["shelves", "needs_shelves"]


def test_unknown_plugin_names_the_available_ones():
    with pytest.raises(
        PluginConfigurationError, match="Unknown plugin 'nope'.*Available plugins"
    ):
        resolve(["nope"])


def test_unknown_plugin_fails_at_start_up_with_a_clear_message():
    result = manage("check", env={"RETAGUARDA_PLUGINS": "nope"}, check=False)
    assert result.returncode != 0
    assert (
        "Unknown plugin 'nope' in RETAGUARDA_PLUGINS. Available plugins:"
        in result.stderr
    )


def test_missing_requirement_fails_the_system_check_naming_both_plugins():
    result = manage(
        "check",
        env={"RETAGUARDA_PLUGINS": "tests.plugin_samples.needs_shelves"},
        check=False,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "plugins.E001" in output
    assert (
        "Plugin 'needs_shelves' requires plugin 'shelves', which is not enabled."
        in output
    )


@pytest.fixture
def entry_point_plugin(tmp_path):
    """An installed distribution publishing a plugin in the entry-point group."""
    package = tmp_path / "retaguarda_loja"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "apps.py").write_text(
        textwrap.dedent(
            """
            from plugins.base import PluginConfig

            class LojaConfig(PluginConfig):
                name = "retaguarda_loja"
                label = "loja"
                version = "2.1.0"
                description = "Physical store"
            """
        )
    )
    dist = tmp_path / "retaguarda_loja-2.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: retaguarda-loja\nVersion: 2.1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[retaguarda.plugins]\nloja = retaguarda_loja\n"
    )
    return tmp_path


def test_installed_entry_point_plugin_is_available_but_not_enabled(entry_point_plugin):
    env = {"PYTHONPATH": str(entry_point_plugin), "RETAGUARDA_PLUGINS": ""}
    rows = json.loads(manage("plugins", "--json", env=env).stdout)
    loja = next(row for row in rows if row["label"] == "loja")
    assert loja["source"] == "entry point"
    assert loja["enabled"] is False
    assert loja["version"] == "2.1.0"


def test_entry_point_plugin_is_enabled_by_name(entry_point_plugin):
    env = {"PYTHONPATH": str(entry_point_plugin), "RETAGUARDA_PLUGINS": "loja"}
    rows = json.loads(manage("plugins", "--json", env=env).stdout)
    assert next(row for row in rows if row["label"] == "loja")["enabled"] is True


def test_plugins_command_lists_version_requirements_roles_and_api_prefix():
    output = manage(
        "plugins",
        env={
            "RETAGUARDA_PLUGINS": "tests.shelves_plugin "
            "tests.plugin_samples.needs_shelves"
        },
    ).stdout
    assert "shelves 1.0.0  [enabled]" in output
    assert "roles:      manager (Gerente), shelf_keeper (Repositor)" in output
    assert "API prefix: /api/v1/shelves/" in output
    assert "needs_shelves 0.1.0  [enabled]" in output
    assert "requires:   shelves" in output
