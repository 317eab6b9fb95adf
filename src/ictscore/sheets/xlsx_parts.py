"""The parts of an .xlsx, read from their unpacked bytes: text, shared strings, tags.

sheets/xlsx.py unpacks the parts (each once) and hands them here. Each reader takes the form
that Excel, LibreOffice and openpyxl write, and declines (`Declined`) any other, so that a file
in an unusual form is read by python-calamine instead of being guessed at: see xlsx.py. A
worksheet's cells are read by sheets/xlsx_cells.py, with the text readers here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from xml.etree import ElementTree

from ictscore.sheets import filecheck


class Declined(Exception):
    """The file is in a form this reader does not read exactly: python-calamine reads it."""


_MAIN_NS: Final = (
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
    b'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"',
)


def plain_root(xml: bytes, root: bytes, body: bool = True) -> int:
    """Where the part's root element starts; declined if it is not the unprefixed element
    `root`, or (`body`) if anything but elements, attributes and text follows the prolog. (The
    large parts, a worksheet's cells and the shared strings, are checked item by item instead.)"""
    at = filecheck.root_at(xml)
    if at is None or not xml.startswith(b"<" + root, at):
        raise Declined(f"root is not <{root.decode()}>")
    if body and (xml.find(b"<!", at) >= 0 or xml.find(b"<?", at) >= 0 or b"\r" in xml):
        raise Declined("comment, CDATA, instruction or CR in the body")
    return at


# --- text -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Escaped:
    """A text with entities or character references, decoded with the others of its part
    (`unescape`): one parse for the part, not one per text."""

    raw: bytes
    preserve: bool


def xml_text(raw: bytes, preserve: bool = True) -> str | _Escaped:
    """XML text as a reader gives it, UTF-8 decoded; `_Escaped` when it holds an entity or a
    character reference (`unescape` decodes it). Declined for what readers differ on (an
    `_xHHHH_` escape, a carriage return, bad UTF-8) and, unless `preserve`, for edge spaces."""
    if b"_x" in raw and _ESCAPE.search(raw):
        raise Declined("an _xHHHH_ escape")
    if b"\r" in raw:
        raise Declined("a carriage return (readers differ on it)")
    if b"&" in raw:
        return _Escaped(raw, preserve)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Declined("not UTF-8") from exc
    return text if preserve else _untrimmed(text)


def _untrimmed(text: str) -> str:
    """Without xml:space="preserve", readers trim a run's edges (and not all alike): a run
    that has spaces to trim is declined."""
    if _trimmable(text):
        raise Declined("a text run whose edge spaces a reader trims")
    return text


def _trimmable(text: str) -> bool:
    return bool(text) and (text[0] in " \t\n\r" or text[-1] in " \t\n\r")  # edge spaces


def unescape(texts: list[_Escaped]) -> list[str]:
    """The texts decoded, entities and character references replaced. Declined for an unknown
    entity, a reference to a character XML forbids, or an `_xHHHH_` escape written with
    references.

    A sheet that openpyxl writes (ictscore's template, or a sheet filled by a script) has a
    reference for each Vietnamese letter, thousands a sheet, and the same titles sheet after
    sheet: a text decoded once is remembered (`_DECODED`), and the others are decoded in one
    XML parse (expat, through ElementTree: the texts hold no `<`, so no markup)."""
    known = [_DECODED.get(t.raw) for t in texts]
    new = [t.raw for t, d in zip(texts, known, strict=True) if d is None]
    fresh = dict(zip(new, _parse_texts(new), strict=True)) if new else {}
    if fresh:
        if len(_DECODED) + len(fresh) > _DECODED_SIZE:
            _DECODED.clear()
        _DECODED.update(fresh)
    out = []
    for t, d in zip(texts, known, strict=True):
        text = fresh[t.raw] if d is None else d
        out.append(text if t.preserve else _untrimmed(text))
    return out


_DECODED: dict[bytes, str] = {}
"""Texts with references → their decoding (only texts that decode: a Declined is not kept)."""
_DECODED_SIZE: Final = 8192


def _parse_texts(raws: list[bytes]) -> list[str]:
    wrapped = b"<x><t>" + b"</t><t>".join(raws) + b"</t></x>"
    try:
        root = ElementTree.fromstring(wrapped)
    except ElementTree.ParseError as exc:
        raise Declined("an unknown entity or character") from exc
    decoded = [t.text or "" for t in root]
    if len(decoded) != len(raws):
        raise Declined("text in another form")
    if any("_x" in d and _ESCAPE_TEXT.search(d) for d in decoded):
        raise Declined("an _xHHHH_ escape, written with character references")
    return decoded


def plain_text(raw: bytes) -> str:
    """`xml_text`, decoded at once (for the few texts outside the cells)."""
    text = xml_text(raw)
    return unescape([text])[0] if isinstance(text, _Escaped) else text


_ESCAPE: Final = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_ESCAPE_TEXT: Final = re.compile(r"_x[0-9A-Fa-f]{4}_")


# --- shared strings -------------------------------------------------------------------------------


def sst(xml: bytes) -> list[str | None]:
    """The shared strings; None for one in a form not read here (rich text, phonetic runs,
    an escape): a cell that uses it is declined.

    Every `<si` of the part is an item's start (no comment, CDATA or instruction can hold one
    here), so the items found in order are the table's, indexes included."""
    tag = _SST_TAG.match(xml, plain_root(xml, b"sst", body=False))
    if tag is None:  # an attribute's value holds < or >: where the items begin is not plain
        raise Declined("shared strings in another form")
    start = tag.end()
    if tag[1]:  # <sst …/>: no items
        if xml[start:].strip():
            raise Declined("shared strings in another form")
        return []
    plain = _plain_items(xml, start)
    if plain is not None:
        return plain
    if (
        xml.find(b"<!", start) >= 0
        or xml.find(b"<?", start) >= 0
        or xml.find(b"xmlns", start) >= 0
        or _PREFIXED.search(xml, start) is not None
    ):  # then a `<si` might not be an item, or an item not a `<si`
        raise Declined("shared strings in another form")
    _items_in_order(xml, start)
    out: list[str | None] = []
    escaped: list[tuple[int, _Escaped]] = []
    for preserve, raw, other in _SI.findall(xml, start):
        text: str | _Escaped | None = None
        if not other:
            try:
                text = xml_text(raw, bool(preserve))
            except Declined:
                text = None
        if isinstance(text, _Escaped):
            escaped.append((len(out), text))
            text = None
        out.append(text)
    if escaped:
        try:
            for (i, _), text in zip(escaped, unescape([e for _, e in escaped]), strict=True):
                out[i] = text
        except Declined:  # one of them: each alone, to know which
            for i, e in escaped:
                out[i] = _alone(e)
    return out


def _plain_items(xml: bytes, start: int) -> list[str | None] | None:
    """The shared strings when every item is one plain run (as Excel and LibreOffice write text
    without formatting), read at once: the items found must cover all that lies between the
    root's tags (so nothing else is there: no comment, CDATA, instruction, prefix or namespace),
    and their texts are decoded together. None when any item is in another form, or any text is
    one that `xml_text` declines: then each item is read alone, to say which."""
    end = xml.rfind(b"</sst>")
    if end < start or xml[end + 6 :].strip():
        return None
    body = xml[start:end]
    items = _PLAIN_ITEM.findall(body)
    if (  # the items found cover the whole body: nothing else is in it
        sum(len(raw) for _, raw in items)
        + _PLAIN_ITEM_SIZE * len(items)
        + _PRESERVE_SIZE * sum(1 for keep, _ in items if keep)
        != len(body)
        or b"\r" in body
        or (b"_x" in body and _ESCAPE.search(body))
    ):
        return None
    try:
        out: list[str | None] = [raw.decode() for _, raw in items]
        if b"&" in body:  # the texts with entities or references, decoded together
            escaped = [i for i, (_, raw) in enumerate(items) if b"&" in raw]
            texts = unescape([_Escaped(items[i][1], bool(items[i][0])) for i in escaped])
            for i, decoded in zip(escaped, texts, strict=True):
                out[i] = decoded
    except (Declined, UnicodeDecodeError):
        return None
    for (keep, _), text in zip(items, out, strict=True):
        if not keep and _trimmable(text or ""):
            return None  # a run whose edge spaces a reader trims: each item alone says which
    return out


_SST_TAG: Final = re.compile(rb'<sst(?:\s+[\w:.-]+="[^"<>]*")*\s*(/)?>')
"""The table's start tag, its attributes written name="value" (no < or > in a value): the
items begin where it ends."""
_PLAIN_ITEM: Final = re.compile(rb'<si><t( xml:space="preserve")?>([^<]*)</t></si>')
"""One plain item: groups 1 preserve, 2 its text. Its length is its text's and these:"""
_PLAIN_ITEM_SIZE: Final = len(b"<si><t></t></si>")
_PRESERVE_SIZE: Final = len(b' xml:space="preserve"')


def _items_in_order(xml: bytes, start: int) -> None:
    """Declined unless the items follow one another (none inside another, none after the table,
    no other element named si…): then the n-th `<si` is the n-th item, as readers count."""
    first, last = xml.find(b"<si", start), xml.rfind(b"</si>")
    if first < 0:
        return
    pieces = xml[first:last].split(b"</si>")
    if (
        xml.count(b"<si") != len(pieces)
        or xml.count(b"<si>") + xml.count(b"<si ") != len(pieces)
        or any(p.count(b"<si") != 1 or not p.startswith(b"<si") for p in pieces)
        or xml[last + 5 :].strip() != b"</sst>"
    ):
        raise Declined("shared strings in another form")


def _alone(text: _Escaped) -> str | None:
    try:
        return unescape([text])[0]
    except Declined:
        return None


_PREFIXED: Final = re.compile(rb"</?[A-Za-z_][\w.-]*:")
_SI: Final = re.compile(
    rb'<si><t( xml:space="preserve")?>([^<\r]*)</t></si>|<si><t\s*/></si>|(<si)[\s>]'
)
"""A shared string written plainly: groups 1 preserve, 2 its text; any other item: group 3."""


_ATTR: Final = re.compile(rb'\s([\w.:-]+)="([^"<>]*)"')
_STRICT_TAG: Final = re.compile(rb'<[\w:]+(?: [\w:.-]+="[^"<>]*")*+ ?/?>?')


def strict_attrs(tag: bytes) -> dict[bytes, bytes]:
    """A start tag's attributes (the tag with or without its `>`), declined unless each is
    written name="value": no `=` or `>` in a value, no bare name, no single quotes, no spaces
    around `=`."""
    attrs = dict(_ATTR.findall(tag))
    if tag.count(b"=") != len(attrs) or _STRICT_TAG.fullmatch(tag) is None:
        raise Declined("attributes in another form")
    return attrs
