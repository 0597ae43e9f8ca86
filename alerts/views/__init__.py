"""Pages of the alerts app, one module per part."""
