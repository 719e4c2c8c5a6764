"""The storefront catalog and pages, edited in the Wagtail admin."""
