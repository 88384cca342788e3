"""Party codes as ParlParse prints them → party names and short forms.

Covers every ``party=`` of reduced-all-members.xml (Commons) and every
``affiliation=`` of peers-ucl.xml (Lords), plus the spellings newer data uses
("LD", "Crossbench", "Non-affiliated", "Speaker"). The chair codes SPK, CWM and
DCWM are offices, not parties: :func:`is_chair` tells them apart, and pages show
the chair's own party from their other memberships.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Party:
    code: str          # the canonical code
    name: str          # "Liberal Democrat"
    short: str         # "LD"
    chair: bool = False


_PARTIES = [
    Party("Lab", "Labour", "Lab"),
    Party("Lab/Co-op", "Labour/Co-operative", "Lab/Co-op"),
    Party("Con", "Conservative", "Con"),
    Party("LDem", "Liberal Democrat", "LD"),
    Party("SNP", "Scottish National Party", "SNP"),
    Party("PC", "Plaid Cymru", "PC"),
    Party("DUP", "Democratic Unionist Party", "DUP"),
    Party("SF", "Sinn F\u00e9in", "SF"),
    Party("SDLP", "Social Democratic and Labour Party", "SDLP"),
    Party("UUP", "Ulster Unionist Party", "UUP"),
    Party("UKUP", "UK Unionist Party", "UKUP"),
    Party("Alliance", "Alliance", "Alliance"),
    Party("Green", "Green", "Green"),
    Party("UKIP", "UK Independence Party", "UKIP"),
    Party("Res", "Respect", "Respect"),
    Party("Ind", "Independent", "Ind"),
    Party("Ind Lab", "Independent Labour", "Ind Lab"),
    Party("Ind Con", "Independent Conservative", "Ind Con"),
    Party("Ind UU", "Independent Ulster Unionist", "Ind UU"),
    Party("XB", "Crossbench", "XB"),
    Party("Bp", "Bishops", "Bp"),
    Party("Other", "Other", "Other"),
    Party("NA", "Non-affiliated", "Non-aff"),
    Party("SPK", "Speaker", "Speaker", chair=True),
    Party("CWM", "Chairman of Ways and Means", "CWM", chair=True),
    Party("DCWM", "Deputy Chairman of Ways and Means", "DCWM", chair=True),
]

#: other spellings of a code, as found in other ParlParse files and newer data
_SPELLINGS = {
    "LD": "LDem", "Lib Dem": "LDem", "Liberal Democrat": "LDem", "Liberal Democrats": "LDem",
    "Lab Co-op": "Lab/Co-op", "Labour/Co-operative": "Lab/Co-op", "Labour": "Lab", "Conservative": "Con",
    "Crossbench": "XB", "CB": "XB", "Cross-bench": "XB", "Bishops": "Bp", "Bishop": "Bp",
    "Non-affiliated": "NA", "Non-Affiliated": "NA", "Speaker": "SPK", "Independent": "Ind",
    "Sinn Fein": "SF", "Plaid Cymru": "PC", "Respect": "Res", "Deputy Speaker": "DCWM",
    "Chairman of Ways and Means": "CWM", "Deputy Chairman of Ways and Means": "DCWM",
}


def _key(code: str) -> str:
    return " ".join(code.replace("\u00e9", "e").split()).lower()


_BY_KEY: dict[str, Party] = {}
for _p in _PARTIES:
    _BY_KEY[_key(_p.code)] = _p
for _spelling, _code in _SPELLINGS.items():
    _BY_KEY.setdefault(_key(_spelling), _BY_KEY[_key(_code)])


def party(code: str | None) -> Party | None:
    """The party a code names, or None for no code, 'unknown' and codes never seen."""
    if not code:
        return None
    return _BY_KEY.get(_key(code))


def party_name(code: str | None) -> str | None:
    """'LDem' → 'Liberal Democrat'; an unknown code is returned as printed; None/'unknown' → None."""
    found = party(code)
    if found is not None:
        return found.name
    return None if not code or _key(code) == "unknown" else code.strip()


def party_short(code: str | None) -> str | None:
    """'LDem' → 'LD', 'Lab/Co-op' → 'Lab/Co-op'; an unknown code is returned as printed."""
    found = party(code)
    if found is not None:
        return found.short
    return None if not code or _key(code) == "unknown" else code.strip()


def is_chair(code: str | None) -> bool:
    """SPK, CWM, DCWM: the Speaker and the Deputy Speakers sit without a party."""
    found = party(code)
    return bool(found and found.chair)



def all_parties() -> list[Party]:
    """Every party and chair code (people.json names parties by full name: pipeline/members.py maps them)."""
    return list(_PARTIES)


def codes_named(wanted: str, codes: Iterable[str]) -> list[str]:
    """The ``codes`` that name the party ``wanted`` names (a code, a name or another spelling:
    'Labour', 'Lab', 'Liberal Democrat'); a party this table does not know matches its own code,
    case ignored."""
    target = party(wanted)
    if target is not None:
        return [c for c in codes if party(c) == target]
    return [c for c in codes if c.strip().lower() == wanted.strip().lower()]


def party_names(codes: Iterable[str | None]) -> list[str]:
    """The names of the parties ``codes`` stand for, sorted, without the chairs and 'unknown'."""
    return sorted({name for c in codes if c and not is_chair(c) if (name := party_name(c)) is not None})
