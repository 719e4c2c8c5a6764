"""A small plugin that lives with the tests and proves the plugin framework:
its own model (a scope of object permissions), role, menu item, admin screen,
service with audit log, API route and payload-free hook implementation."""
