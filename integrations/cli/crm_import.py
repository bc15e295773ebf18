def register(app):
    """Placeholder replaced by the importer module."""
