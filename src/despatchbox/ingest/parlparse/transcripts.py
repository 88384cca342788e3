"""Parser for ParlParse transcript files (debates, westminhall, wms, lordspages,
lordswms, wrans, lordswrans, standing): one file in, a TranscriptFile out."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from lxml import etree

from ...record import kinds
from ..errors import SourceFileError
from ..records import (Committee, CommitteeMember, Division, GidRedirect, Heading, Item, Speech,
                       TranscriptFile, Vote)
from .xmlfile import parse_xml, tail_id

#: file name prefix → scrapedxml folder name (the record kind)
KIND_BY_PREFIX = {k.file_prefix: k.key for k in kinds.KINDS} | {p: k for k, p in kinds.REPEATED_KINDS.items()}
#: kinds whose content only repeats the day files (never loaded twice)
REPEATED_KINDS = set(kinds.REPEATED_KINDS)

_FILE_NAME = re.compile(r"^(?P<prefix>[a-z]+)(?P<date>\d{4}-\d{2}-\d{2})(?P<version>[a-z]+)\.xml$")
_STANDING_NAME = re.compile(r"^(?P<series>standing\d{4}-\d{2}-\d{2}_[A-Za-z0-9]+_[0-9]+-[0-9]+_(?P<date>\d{4}-\d{2}-\d{2}))(?P<version>[a-z]+)\.xml$")
_HEADING_LEVELS = {"major-heading": "major", "minor-heading": "minor", "oral-heading": "oral"}
_BLOCK_TAGS = {"p", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "pre", "blockquote"}


def version_rank(version: str) -> tuple[int, str]:
    """Order of version letters: a < b < … < z < aa < ab …"""
    return (len(version), version)


def identify(path: Path) -> tuple[str, str, date, str] | None:
    """(kind, series, date, version) from a transcript file name, or None if not one."""
    name = path.name
    m = _STANDING_NAME.match(name)
    if m:
        return "standing", m["series"], date.fromisoformat(m["date"]), m["version"]
    m = _FILE_NAME.match(name)
    if not m or m["prefix"] not in KIND_BY_PREFIX:
        return None
    try:
        day = date.fromisoformat(m["date"])
    except ValueError:
        return None
    return KIND_BY_PREFIX[m["prefix"]], m["prefix"] + m["date"], day, m["version"]


def normalise_time(value: str | None) -> str | None:
    """'022:00:00' → '22:00:00'; '11:15' → '11:15:00'; 'unknown' or '' → None."""
    if not value:
        return None
    parts = value.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = int(parts[2]) if len(parts) == 3 else 0
    if minutes > 59 or seconds > 59:
        return None
    return f"{hours % 100:02d}:{minutes:02d}:{seconds:02d}"


def _windows_1252(code: int) -> str:
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


#: C1 control characters (U+0080–U+009F) that stand for Windows-1252 bytes in some files
#: (Public Bill Committee transcripts write ``&#146;`` where an apostrophe belongs): U+0092 → ’
_C1_AS_WINDOWS_1252 = {code: _windows_1252(code) for code in range(0x80, 0xA0)}


_HAS_C1 = re.compile("[\u0080-\u009f]")


def fix_windows_1252(text: str) -> str:
    """'Government\u0092s' → 'Government’s'. An ASCII text (``isascii`` reads a flag: O(1)) has
    nothing to translate, nor has a text without a C1 character (a regex scan in C: ``translate``
    looks every character up in a dict, about 4 % of an ingest's CPU when it ran on every text)."""
    return text if text.isascii() or not _HAS_C1.search(text) else text.translate(_C1_AS_WINDOWS_1252)


def _collapse(text: str) -> str:
    return " ".join(fix_windows_1252(text).split())


def _inner_html(el: etree._Element) -> str:
    parts = [el.text or ""]
    for child in el:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return fix_windows_1252("".join(parts).strip())


def _text_of(el: etree._Element) -> str:
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def _plain_lines(el: etree._Element) -> list[str]:
    """One line per paragraph, table row or list item, in document order."""
    lines: list[str] = []
    lead = _collapse(el.text or "")
    if lead:
        lines.append(lead)
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _BLOCK_TAGS:
            line = _collapse(_text_of(child))
            if line:
                lines.append(line)
        else:
            rows = child.iter(*_BLOCK_TAGS) if len(child) else ()
            found = False
            for block in rows:
                found = True
                line = _collapse(_text_of(block))
                if line:
                    lines.append(line)
            if not found:
                line = _collapse(_text_of(child))
                if line:
                    lines.append(line)
        tail = _collapse(child.tail or "")
        if tail:
            lines.append(tail)
    return lines


def word_count(el: etree._Element) -> int:
    """Whitespace-separated words of an element's text."""
    return len(_text_of(el).split())


def _speech(el: etree._Element, position: int) -> Speech:
    speaker_id = el.get("speakerid") or el.get("person_id")
    person_id = tail_id(el.get("person_id"))
    nospeaker = el.get("nospeaker") == "true"
    return Speech(
        gid=el.get("id"),
        element=el.tag,
        position=position,
        speaker_id=speaker_id or None,
        person_id=person_id,
        speaker_name=_collapse(el.get("speakername") or "") or None,
        speaker_office=_collapse(el.get("speakeroffice") or "") or None,
        nospeaker=nospeaker,
        html=_inner_html(el),
        text="\n".join(_plain_lines(el)),
        words=word_count(el),
        colnum=el.get("colnum") or None,
        time=normalise_time(el.get("time")),
        url=el.get("url") or None,
        speech_type=el.get("type") or None,
        oral_qnum=el.get("oral-qnum") or None,
    )


def _votes_from_lists(el: etree._Element) -> list[Vote]:
    votes: list[Vote] = []
    for lst in el:
        if lst.tag not in ("mplist", "lordlist"):
            continue
        list_vote = lst.get("vote")
        for member in lst:
            if member.tag not in ("mpname", "lord"):
                continue
            mid = member.get("id") or member.get("memberid")
            vote = member.get("vote") or list_vote
            teller = member.get("teller") == "yes"
            votes.append(Vote(membership_id=mid, person_id=tail_id(member.get("person_id")),
                              name=_collapse("".join(member.itertext())) or (member.get("membername") or ""),
                              vote=vote, teller=teller))
    return votes


_COUNT_ATTRIBUTES = {"ayes": "aye", "noes": "no", "content": "content", "not-content": "not-content"}


def _division(el: etree._Element, position: int, day: date) -> Division:
    """A <division> (debates, lordspages) or a top-level <divisioncount> (standing)."""
    count_el = el if el.tag == "divisioncount" else el.find("divisioncount")
    counts = {}
    if count_el is not None:
        for attr, key in _COUNT_ATTRIBUTES.items():
            if count_el.get(attr) is not None and count_el.get(attr).strip().isdigit():
                counts[key] = int(count_el.get(attr))
    number = el.get("divnumber")
    divdate = el.get("divdate")
    return Division(
        gid=el.get("id"), position=position,
        number=int(number) if number and number.isdigit() else None,
        date=date.fromisoformat(divdate) if divdate else day,
        time=normalise_time(el.get("time")), colnum=el.get("colnum") or None, url=el.get("url") or None,
        counts=counts, votes=_votes_from_lists(el),
    )


def _committee(root: etree._Element) -> Committee | None:
    bill = root.find("bill")
    committee = root.find("committee")
    if bill is None and committee is None:
        return None
    members: list[CommitteeMember] = []
    if committee is not None:
        for el in committee.iter("mpname", "clerk"):
            parent = el.getparent()
            role = "clerk" if el.tag == "clerk" else ("chairman" if parent is not None and parent.tag == "chairmen" else "member")
            attending = el.get("attending")
            members.append(CommitteeMember(
                membership_id=el.get("memberid"),
                name=_collapse(el.get("membername") or "".join(el.itertext())),
                role=role, attending=None if attending is None else attending == "true"))
    return Committee(
        bill_title=_collapse(bill.get("title") or "".join(bill.itertext())) if bill is not None else None,
        bill_url=bill.get("url") if bill is not None else None, members=members)


def parse_redirects(path: Path) -> list[GidRedirect]:
    """Only the gidredirects of a file (for superseded versions, whose records are not loaded)."""
    root = parse_xml(path, "publicwhip")
    return [GidRedirect(old_gid=el.get("oldgid"), new_gid=el.get("newgid"), match_type=el.get("matchtype"))
            for el in root.iterchildren("gidredirect")]


def parse_transcript(path: Path) -> TranscriptFile:
    """Read one transcript file. Raises SourceFileError (with the line) if it is broken."""
    ident = identify(path)
    if ident is None:
        raise SourceFileError(path, "not a ParlParse transcript file name (e.g. debates2009-10-26a.xml)")
    kind, series, day, version = ident
    root = parse_xml(path, "publicwhip")
    items: list[Item] = []
    redirects = []
    position = 0
    for el in root:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if tag in ("speech", "ques", "reply"):
            if not el.get("id"):
                raise SourceFileError(path, f"<{tag}> without an id", el.sourceline)
            items.append(_speech(el, position))
        elif tag in _HEADING_LEVELS:
            items.append(Heading(gid=el.get("id"), level=_HEADING_LEVELS[tag], title=_collapse("".join(el.itertext())),
                                 position=position, colnum=el.get("colnum") or None,
                                 time=normalise_time(el.get("time")), url=el.get("url") or None))
        elif tag == "division" or (tag == "divisioncount" and el.get("id")):
            items.append(_division(el, position, day))
        elif tag == "gidredirect":
            redirects.append(GidRedirect(old_gid=el.get("oldgid"), new_gid=el.get("newgid"),
                                         match_type=el.get("matchtype")))
            continue
        else:
            continue
        position += 1
    latest = root.get("latest")
    return TranscriptFile(kind=kind, date=day, version=version, series=series, items=items, redirects=redirects,
                          committee=_committee(root), latest=None if latest is None else latest == "yes")
