"""Admin screens of the finance plugin that are not plain viewsets."""
