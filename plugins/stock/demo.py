"""Demo stock for ``manage.py seed_demo`` (written in the next step)."""
