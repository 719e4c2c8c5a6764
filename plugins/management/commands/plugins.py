import json

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from api.routes import plugin_route_prefixes
from plugins.registry import available_plugin_names, config_label, load_config_class
from plugins.roles import declared_roles


class Command(BaseCommand):
    help = (
        "List available and enabled plugins: version, requirements, roles, API prefix."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="Machine-readable output."
        )

    def rows(self):
        enabled = {
            cfg.label: cfg
            for cfg in apps.get_app_configs()
            if getattr(cfg, "is_retaguarda_plugin", False)
        }
        api_labels = {label for label, _ in plugin_route_prefixes()}
        roles = declared_roles()
        rows = {}
        for name, (module, source) in available_plugin_names().items():
            cls = load_config_class(module)
            rows[config_label(cls, module)] = {
                "name": name,
                "module": module,
                "source": source,
                "cls": cls,
            }
        for label, cfg in enabled.items():
            rows.setdefault(
                label,
                {
                    "name": cfg.name,
                    "module": cfg.name,
                    "source": "path",
                    "cls": type(cfg),
                },
            )
        result = []
        for label, row in sorted(rows.items()):
            cls = row["cls"]
            result.append(
                {
                    "label": label,
                    "name": row["name"],
                    "source": row["source"],
                    "enabled": label in enabled,
                    "version": cls.version,
                    "requires": list(cls.requires),
                    "description": cls.description,
                    "roles": sorted(
                        f"{t.key} ({roles[t.key].name})" if t.key in roles else t.key
                        for t in cls.roles
                    ),
                    "api_prefix": f"/api/v1/{label}/" if label in api_labels else None,
                }
            )
        return result

    def handle(self, *args, **options):
        rows = self.rows()
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        setting = settings.RETAGUARDA_PLUGINS_SETTING
        self.stdout.write(
            "RETAGUARDA_PLUGINS="
            + (repr(setting) if setting is not None else "(unset: built-in set)")
        )
        if not rows:
            self.stdout.write("No plugins available.")
        for row in rows:
            state = self.style.SUCCESS("enabled") if row["enabled"] else "available"
            self.stdout.write(
                f"\n{row['label']} {row['version']}  [{state}]  "
                f"{row['name']} ({row['source']})"
            )
            if row["description"]:
                self.stdout.write(f"  {row['description']}")
            self.stdout.write(f"  requires:   {', '.join(row['requires']) or '-'}")
            self.stdout.write(f"  roles:      {', '.join(row['roles']) or '-'}")
            self.stdout.write(f"  API prefix: {row['api_prefix'] or '-'}")
