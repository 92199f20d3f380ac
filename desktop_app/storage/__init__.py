"""SQLAlchemy models, repositories, migrations and the search index of the encrypted store."""
