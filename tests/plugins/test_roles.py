import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, ModelLogEntry

from plugins.roles import declared_roles, role_group, sync_roles
from tests.helpers import manage


def perms_of(group):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_roles_are_synced_after_migrate_with_portuguese_names(db):
    names = {key: role_group(key).name for key in declared_roles()}
    assert names == {
        "content_editor": "Editor de conteúdo",
        "content_moderator": "Moderador de conteúdo",
        "manager": "Gerente",
        "auditor": "Auditor (somente leitura)",
        "shelf_keeper": "Repositor",
        "order_desk": "Atendimento / Pedidos",
        "privacy_officer": "Encarregado de dados",
        "stock_clerk": "Estoquista",
        "stock_manager": "Gerente de estoque",
        "finance": "Financeiro",
        "finance_manager": "Gerente financeiro",
        "fiscal": "Fiscal / Faturamento",
        "accountant": "Contador",
        "shipping_desk": "Expedição",
        "logistics_manager": "Gerente de logística",
    }


def test_sync_is_idempotent(db):
    before = {g.name: perms_of(g) for g in Group.objects.all()}
    results = sync_roles()
    assert all(not r.created and not r.added for r in results)
    assert {g.name: perms_of(g) for g in Group.objects.all()} == before


def test_sync_restores_a_removed_permission_and_logs_it(db):
    group = role_group("content_editor")
    group.permissions.remove(Permission.objects.get(codename="add_image"))
    results = {r.key: r for r in sync_roles()}
    assert results["content_editor"].added == ["wagtailimages.add_image"]
    assert "wagtailimages.add_image" in perms_of(group)
    entry = ModelLogEntry.objects.filter(action="retaguarda.roles.sync").latest(
        "timestamp"
    )
    assert entry.data["added"] == ["wagtailimages.add_image"]


def test_permission_added_by_hand_is_reported_and_kept(db):
    group = role_group("content_editor")
    group.permissions.add(Permission.objects.get(codename="delete_image"))
    results = {r.key: r for r in sync_roles()}
    assert results["content_editor"].extra == ["wagtailimages.delete_image"]
    assert "wagtailimages.delete_image" in perms_of(group)


def test_renamed_group_keeps_its_role(db):
    group = role_group("auditor")
    group.name = "Auditoria externa"
    group.save()
    sync_roles()
    assert role_group("auditor").pk == group.pk
    assert not Group.objects.filter(name="Auditor (somente leitura)").exists()


def test_sync_roles_command_reports_hand_added_permissions(db):
    # The command runs against its own database in a subprocess, so use the
    # in-process command here.
    from io import StringIO

    from django.core.management import call_command

    role_group("manager").permissions.add(
        Permission.objects.get(codename="delete_image")
    )
    out = StringIO()
    call_command("sync_roles", stdout=out)
    assert "added by hand (kept): wagtailimages.delete_image" in out.getvalue()


def test_auditor_sees_everything_and_changes_nothing(db):
    perms = perms_of(role_group("auditor"))
    codenames = {p.split(".", 1)[1] for p in perms}
    assert "shelves.view_shelf" in perms
    assert "auth.view_user" in perms
    assert "plugins.view_audit_log" in perms
    assert not any(c.startswith(("add_", "change_", "delete_")) for c in codenames)
    assert "wagtailadmin.access_admin" in perms


def test_plugins_extend_core_roles(db):
    manager = perms_of(role_group("manager"))
    assert "shelves.add_shelf" in manager  # from the shelves plugin
    assert "plugins.manage_object_permissions" in manager  # from the core


def test_content_roles_get_page_permissions_on_the_tree_root(db):
    editor = role_group("content_editor")
    moderator = role_group("content_moderator")
    editor_perms = set(
        GroupPagePermission.objects.filter(group=editor).values_list(
            "permission__codename", flat=True
        )
    )
    assert editor_perms == {"add_page", "change_page"}
    assert "publish_page" in set(
        GroupPagePermission.objects.filter(group=moderator).values_list(
            "permission__codename", flat=True
        )
    )


def test_scoped_role_gets_no_model_level_permission_on_its_scope(db):
    # A shelf keeper acts only on shelves granted one by one.
    assert perms_of(role_group("shelf_keeper")) == {"wagtailadmin.access_admin"}


@pytest.mark.slow
def test_sync_roles_command_runs_from_the_command_line(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "RETAGUARDA_PLUGINS": "tests.shelves_plugin",
    }
    manage("migrate", "--no-input", "-v0", env=env)
    output = manage("sync_roles", env=env).stdout
    assert "auditor" in output and "Auditor (somente leitura)" in output
    assert "created" not in output  # migrate already synced them
