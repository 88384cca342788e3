"""despatchbox: follow the UK Parliament's record."""

__version__ = "0.1.0"
