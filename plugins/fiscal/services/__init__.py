"""Business operations of the fiscal plugin, one module per concern."""
