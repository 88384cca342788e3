"""The store: schema, migrations and every SQL query. Nothing outside this package writes SQL."""
