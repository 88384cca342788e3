"""“Who said this?” — attribute pasted, unattributed text to speeches.

Pure Python: data comes through :class:`SpeechIndex` (the store implements it
over a ``fingerprint(hash, speech_id)`` table filled at ingest with
:func:`fingerprints`); :class:`InMemorySpeechIndex` is the in-memory version.
"""
from .fingerprint import SCHEME, fingerprint_rows, fingerprints
from .furniture import is_furniture, strip_furniture
from .matcher import Neighbours, ParagraphMatch, SpeechIndex, attribute_text, debates_of
from .memory_index import InMemorySpeechIndex
from .normalise import token_spans, tokens   # normalise(): import from .normalise (same name as the module)

__all__ = [
    "SCHEME", "fingerprint_rows", "fingerprints", "is_furniture", "strip_furniture",
    "Neighbours", "ParagraphMatch", "SpeechIndex", "attribute_text", "debates_of",
    "InMemorySpeechIndex", "token_spans", "tokens",
]
