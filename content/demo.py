"""Demo catalog for `manage.py seed_demo` (filled in below)."""
