"""Admin views of the order desk (the viewsets in ``viewsets.py`` wire them)."""
