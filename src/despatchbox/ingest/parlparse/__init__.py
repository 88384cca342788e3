"""Parsers for the ParlParse XML formats (transcripts and members data)."""
