"""The site: HTML pages, the JSON API and feeds, read-only views over the store."""
