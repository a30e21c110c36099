"""Loading and cleaning articles: decode, normalise, split title/byline, cut boilerplate.

A :class:`Document` keeps the raw text as read and the cleaned ``body`` the analysis works on,
with a map from body offsets back to raw offsets, so that every figure can be traced to the
characters of the file it came from.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import json
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from analysis.errors import InputError, LexiconError
from analysis.resources import load_yaml, read_text_resource

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Boilerplate",
    "CorpusResult",
    "Document",
    "InputWarning",
    "LoadFailure",
    "clean_text",
    "document_from_text",
    "load_boilerplate",
    "load_corpus",
    "read_corpus",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv")
#: Sidecar metadata files next to an article (``NAME.meta.yaml``) are read, never analysed.
SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml")
#: Share of control characters above which a file is taken for binary data, not text.
BINARY_CONTROL_SHARE = 0.02
#: Bytes inspected to tell text from binary data.
BINARY_SNIFF_BYTES = 8192
#: Largest file read (bytes); bigger files are refused with a clear error rather than exhausting
#: memory. 20 MB articles are accepted.
MAX_FILE_BYTES = 200_000_000
#: Column/key names tried, in order, for the article text in .jsonl and .csv files.
TEXT_FIELDS = ("text", "body", "content", "article")
_META_FIELDS = ("title", "author", "date", "source", "url")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
#: Footer and site-furniture lines are short; longer lines (article paragraphs) are not tested.
BOILERPLATE_LINE_MAX = 300
#: A footer or drop rule that would remove more than this share of an article's text is taken
#: for a rule that misfires on that article (it would cut article sentences): reported, not
#: applied.
MAX_RULE_SHARE = 0.25
#: An author note is at most a few sentences.
AUTHOR_NOTE_MAX = 600
#: A first line at most this long, without a final full stop, is read as a title.
TITLE_MAX_CHARS = 200
_CR = re.compile(r"\r\n?")
#: Control bytes that do not occur in text (tab, LF, FF and CR do).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


class InputWarning(UserWarning):
    """A file or row that could not be loaded (one line: file and reason)."""


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """A file or row that failed to load: where, and why (one line)."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True)
class Document:
    """One article.

    Attributes:
        id: Stable identifier (file stem, or the row's ``id``).
        path: The file it came from (``file:row`` for rows of .jsonl/.csv).
        title: Title, when the text or its metadata gives one.
        author: Author from the byline or metadata.
        author_note: The closing note about the author, taken out of the body.
        date: Publication date (ISO 8601, possibly partial) from metadata.
        source: Outlet from metadata.
        url: Address from metadata.
        raw: The text as decoded from the file (for HTML, the page's source).
        body: The cleaned text that every offset in the analysis refers to.
        offsets: Anchors ``(body_offset, raw_offset)``; between anchors the map is one-to-one.
            Empty when raw is markup (HTML) and no character map exists.
        sha256: SHA-256 of the file's bytes (of the row's text for rows).
        encoding: The encoding the file was decoded with.
        metadata: Any further metadata fields, as strings.
        title_start: Offset of the title in ``raw`` when the title was read from the text (so
            headline offsets map to the file), else None.
        dateline: The dateline that opened the article ("ISLAMABAD (AP)"), kept out of the
            body so that it is never read as a mention or a quotation.
        furniture: Ranges of ``raw`` removed as site furniture (page headers, footers, share
            and follow prompts, comment policies), for a reader to see what was left out.
    """

    id: str
    path: str
    title: str | None
    author: str | None
    author_note: str | None
    date: str | None
    source: str | None
    url: str | None
    raw: str
    body: str
    offsets: tuple[tuple[int, int], ...] = field(repr=False)
    sha256: str = ""
    encoding: str = "utf-8"
    metadata: tuple[tuple[str, str], ...] = ()
    title_start: int | None = None
    dateline: str | None = None
    furniture: tuple[tuple[int, int], ...] = ()

    def raw_offset(self, offset: int) -> int | None:
        """Map a body offset to the raw text (None where raw is markup)."""
        if not self.offsets:
            return None
        if not 0 <= offset <= len(self.body):
            raise ValueError(f"offset {offset} outside the body (0..{len(self.body)})")
        i = bisect.bisect_right(self.offsets, (offset, sys.maxsize)) - 1
        body_at, raw_at = self.offsets[max(i, 0)]
        return raw_at + (offset - body_at)

    @property
    def words(self) -> int:
        """Number of words in the body (whitespace-separated tokens)."""
        return len(self.body.split())


@dataclass(frozen=True)
class CorpusResult:
    """Documents that loaded and failures that did not, in input order."""

    documents: list[Document]
    failures: list[LoadFailure]


@dataclass(frozen=True)
class Boilerplate:
    """Compiled cleaning rules (see ``analysis/data/boilerplate.yaml``)."""

    version: str
    byline_split: tuple[re.Pattern[str], ...]
    byline_line: tuple[re.Pattern[str], ...]
    author_note: tuple[re.Pattern[str], ...]
    footer_start: tuple[re.Pattern[str], ...]
    drop_line: tuple[re.Pattern[str], ...]
    dateline: tuple[re.Pattern[str], ...] = ()


_RULE_KEYS = (
    "byline_split",
    "byline_line",
    "author_note",
    "footer_start",
    "drop_line",
    "dateline",
)


def _compile_rules(data: Any, source: str) -> dict[str, list[re.Pattern[str]]]:
    if not isinstance(data, dict):
        raise LexiconError(source, "expected a mapping of rule lists")
    rules: dict[str, list[re.Pattern[str]]] = {}
    for key in _RULE_KEYS:
        values = data.get(key) or []
        if not isinstance(values, list):
            raise LexiconError(source, f"'{key}' must be a list of regular expressions")
        compiled = []
        for value in values:
            try:
                compiled.append(re.compile(str(value)))
            except re.error as exc:
                raise LexiconError(
                    source, f"bad regular expression in '{key}': {exc}", _line_of(source, value)
                ) from None
        rules[key] = compiled
    return rules


def _line_of(source: str, value: object) -> int | None:
    """The line of a rule file that holds ``value`` (as written, or YAML-quoted), if found."""
    try:
        text = (
            read_text_resource(source.removeprefix("analysis/data/"))
            if source.startswith("analysis/data/")
            else Path(source).read_text(encoding="utf-8")
        )
    except OSError:
        return None
    forms = {str(value), str(value).replace("'", "''"), json.dumps(str(value))[1:-1]}
    for number, line in enumerate(text.splitlines(), start=1):
        if any(form and form in line for form in forms):
            return number
    return None


@lru_cache(maxsize=8)
def load_boilerplate(path: str | None = None) -> Boilerplate:
    """Load cleaning rules: the packaged defaults, extended by a user's YAML file if given.

    Args:
        path: A YAML file with any of the keys of ``analysis/data/boilerplate.yaml``.

    Raises:
        LexiconError: A malformed file or regular expression (file and line named).
    """
    data, source, digest = load_yaml(None, "boilerplate.yaml")
    rules = _compile_rules(data, source)
    version = f"{data.get('version', 'unversioned')}+{digest}"
    if path is not None:
        extra, extra_source, extra_digest = load_yaml(path, "boilerplate.yaml")
        for key, values in _compile_rules(extra, extra_source).items():
            rules[key] = values + rules[key]
        version += f"; {extra_source}+{extra_digest}"
    return Boilerplate(version, *(tuple(rules[k]) for k in _RULE_KEYS))


# ---------------------------------------------------------------------------------------------
# Decoding and normalisation


def _looks_binary(data: bytes) -> bool:
    head = data[:BINARY_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > BINARY_CONTROL_SHARE * max(len(head), 1)


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode a file's bytes: UTF-8 (with or without BOM), else Windows-1252.

    Raises:
        InputError: Binary data, or bytes that are neither UTF-8 nor cp1252.
    """
    if _looks_binary(data):
        raise InputError(source, "binary data, not text (is it an image or a PDF renamed?)")
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise InputError(
                source,
                f"undecodable bytes at offset {exc.start} (not UTF-8: {utf8_error.reason} at "
                f"{utf8_error.start}; not cp1252 either)",
            ) from None


def _normalise(raw: str) -> tuple[str, list[int] | None]:
    """CRLF/CR → LF and Unicode NFC; returns the text and a map to raw offsets (None: identity)."""
    if "\r" not in raw and unicodedata.is_normalized("NFC", raw):
        return raw, None
    out: list[str] = []
    to_raw: list[int] = []
    pos = 0
    for m in _CR.finditer(raw):
        _nfc_chunk(raw, pos, m.start(), out, to_raw)
        out.append("\n")
        to_raw.append(m.start())
        pos = m.end()
    _nfc_chunk(raw, pos, len(raw), out, to_raw)
    to_raw.append(len(raw))
    return "".join(out), to_raw


def _nfc_chunk(raw: str, start: int, end: int, out: list[str], to_raw: list[int]) -> None:
    piece = raw[start:end]
    if unicodedata.is_normalized("NFC", piece):
        out.append(piece)
        to_raw.extend(range(start, end))
        return
    # Normalise each base character with its combining marks; map output to the base's offset.
    i = start
    while i < end:
        j = i + 1
        while j < end and unicodedata.combining(raw[j]):
            j += 1
        norm = unicodedata.normalize("NFC", raw[i:j])
        out.append(norm)
        to_raw.extend([i] * len(norm))
        i = j


# ---------------------------------------------------------------------------------------------
# Cleaning


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Result of :func:`clean_text`: fields and the kept ranges of the normalised text.

    Attributes:
        title: The headline taken from the text, or None.
        title_start: Offset of the headline in the text, or None.
        author: The byline's author, or None.
        author_note: The closing note about the author, or None.
        dateline: The dateline that opened the body ("ISLAMABAD (AP)"), or None.
        ranges: The ranges of the text that form the body.
        furniture: Ranges removed as site furniture (drop lines, footers, page headers).
        warnings: Rules not applied because they would remove too much (one line each).
    """

    title: str | None
    author: str | None
    author_note: str | None
    ranges: tuple[tuple[int, int], ...]
    title_start: int | None = None
    dateline: str | None = None
    furniture: tuple[tuple[int, int], ...] = ()
    warnings: tuple[str, ...] = ()


def _lines(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for m in re.finditer(r"\n", text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return spans


def _matches(patterns: Sequence[re.Pattern[str]], line: str) -> bool:
    return len(line) <= BOILERPLATE_LINE_MAX and any(p.match(line) for p in patterns)


@dataclass(frozen=True, slots=True)
class _Head:
    """What the first lines hold: title, byline, and the first line of the body."""

    title: str | None
    title_start: int | None
    author: str | None
    first_body: int
    header: tuple[int, ...]


def _byline(rules: Boilerplate, line: str) -> str | None:
    """The author named by a byline line (empty string: a byline without a name)."""
    by = next((m for p in rules.byline_line if (m := p.match(line))), None)
    if by is None:
        return None
    return (by.groupdict().get("author") or "").strip()


def _head(
    text: str, lines: Sequence[tuple[int, int]], rules: Boilerplate, has_title: bool
) -> _Head:
    """Title, byline and leading furniture (page headers) of an article."""
    nonempty = [i for i, (s, e) in enumerate(lines) if text[s:e].strip()]
    header = []
    while nonempty and _matches(rules.drop_line, text[slice(*lines[nonempty[0]])]):
        header.append(nonempty.pop(0))
    if not nonempty:
        return _Head(None, None, None, 0, tuple(header))
    i0 = nonempty[0]
    s0, e0 = lines[i0]
    first = text[s0:e0].strip()
    title_start = s0 + (len(text[s0:e0]) - len(text[s0:e0].lstrip()))
    split = next((m for p in rules.byline_split if (m := p.match(first))), None)
    if split:
        return _Head(
            split.group("title").strip(),
            title_start,
            split.group("author").strip(),
            i0 + 1,
            tuple(header),
        )
    if has_title or len(first) > TITLE_MAX_CHARS or first.endswith((".", "”", '"')):
        author = _byline(rules, first) if has_title else None
        return _Head(
            None, None, author or None, i0 + 1 if author is not None else i0, tuple(header)
        )
    if len(nonempty) < 2:
        return _Head(None, None, None, i0, tuple(header))
    nxt = nonempty[1]
    author = _byline(rules, text[slice(*lines[nxt])].strip())
    first_body = nxt + 1 if author is not None else i0 + 1
    return _Head(first, title_start, author or None, first_body, tuple(header))


def _footer(
    text: str, lines: Sequence[tuple[int, int]], first: int, rules: Boilerplate, size: int
) -> tuple[int, str | None]:
    """First line of the site's footer (``len(lines)`` when none), and a warning for a footer
    rule that would cut more than :data:`MAX_RULE_SHARE` of the article."""
    for i in range(first, len(lines)):
        s, e = lines[i]
        if not _matches(rules.footer_start, text[s:e]):
            continue
        cut = sum(e2 - s2 for s2, e2 in lines[i:] if text[s2:e2].strip())
        if cut > MAX_RULE_SHARE * size:
            rule = next(p.pattern for p in rules.footer_start if p.match(text[s:e]))
            return len(lines), _too_much(rule, cut, size)
        return i, None
    return len(lines), None


def _too_much(rule: str, cut: int, size: int) -> str:
    return (
        f"boilerplate rule {rule!r} would remove {cut / size:.0%} of the article "
        f"(limit {MAX_RULE_SHARE:.0%}); not applied"
    )


def _drop_lines(
    text: str, lines: Sequence[tuple[int, int]], kept: list[int], rules: Boilerplate, size: int
) -> tuple[list[int], list[int], list[str]]:
    """Lines dropped as furniture, rule by rule; a rule that would remove more than
    :data:`MAX_RULE_SHARE` of the article is reported and skipped."""
    by_rule: dict[int, list[int]] = {}
    for i in kept:
        line = text[slice(*lines[i])]
        if len(line) > BOILERPLATE_LINE_MAX:
            continue
        k = next((k for k, p in enumerate(rules.drop_line) if p.match(line)), None)
        if k is not None:
            by_rule.setdefault(k, []).append(i)
    dropped: list[int] = []
    warnings_: list[str] = []
    for k, indices in sorted(by_rule.items()):
        cut = sum(lines[i][1] - lines[i][0] for i in indices)
        if cut > MAX_RULE_SHARE * size:
            warnings_.append(_too_much(rules.drop_line[k].pattern, cut, size))
        else:
            dropped.extend(indices)
    return [i for i in kept if i not in set(dropped)], dropped, warnings_


def _dateline(text: str, start: int, end: int, rules: Boilerplate) -> tuple[str, int] | None:
    """The dateline opening the line ``text[start:end]``: its text and where the body resumes."""
    line = text[start:end]
    for pattern in rules.dateline:
        m = pattern.match(line)
        if m:
            value = (m.groupdict().get("dateline") or m.group(0)).strip()
            return value, start + m.end()
    return None


def _author_note(text: str, line: tuple[int, int], rules: Boilerplate) -> str | None:
    s, e = line
    if e - s > AUTHOR_NOTE_MAX or not any(p.match(text[s:e]) for p in rules.author_note):
        return None
    note = re.sub(r"^[\s—–*(-]+|[\s)]+$", "", text[s:e]).strip() or None
    if note and text[s:e].rstrip().endswith(")") and "(" not in note:
        note = note.rstrip(")")
    return note


def _article_size(text: str, lines: Sequence[tuple[int, int]], first: int) -> int:
    return max(sum(e - s for s, e in lines[first:] if text[s:e].strip()), 1)


def clean_text(text: str, rules: Boilerplate | None = None, *, has_title: bool = False) -> Cleaned:
    """Find title, byline, dateline, author note and site furniture in a normalised article.

    Stages, each a rule list of ``analysis/data/boilerplate.yaml``: page headers before the
    title (``drop_line``), title and byline (``byline_split``, ``byline_line``), the site's
    footer (``footer_start``), furniture lines (``drop_line``), the closing author note
    (``author_note``) and the dateline opening the body (``dateline``). A footer or drop rule
    that would remove more than :data:`MAX_RULE_SHARE` of the article is not applied, and a
    warning says so.

    Args:
        text: Normalised text (LF newlines, NFC).
        rules: Cleaning rules; the packaged defaults when None.
        has_title: The title is known from metadata, so the first line is not taken as one
            unless it matches a byline rule.

    Returns:
        The fields found and the ranges of ``text`` that form the body.
    """
    rules = rules or load_boilerplate()
    lines = _lines(text)
    head = _head(text, lines, rules, has_title)
    size = _article_size(text, lines, head.first_body)
    last_body, footer_warning = _footer(text, lines, head.first_body, rules, size)
    kept = [i for i in range(head.first_body, last_body) if text[slice(*lines[i])].strip()]
    kept, dropped, warnings_ = _drop_lines(text, lines, kept, rules, size)
    note = _author_note(text, lines[kept[-1]], rules) if kept else None
    if note:
        kept.pop()
    dateline = None
    while kept:
        found = _dateline(text, *lines[kept[0]], rules)
        if found is None:
            break
        dateline, resume = found
        if text[resume : lines[kept[0]][1]].strip():
            lines[kept[0]] = (resume, lines[kept[0]][1])
            break
        kept.pop(0)
    furniture = [lines[i] for i in (*head.header, *dropped)]
    furniture += [(lines[last_body][0], len(text))] if last_body < len(lines) else []
    ranges = _join_ranges(text, [lines[i] for i in kept])
    return Cleaned(
        head.title,
        head.author,
        note,
        tuple(ranges),
        title_start=head.title_start if head.title else None,
        dateline=dateline,
        furniture=tuple(sorted(_strip(text, s, e) for s, e in furniture if text[s:e].strip())),
        warnings=tuple(w for w in (footer_warning, *warnings_) if w),
    )


def _join_ranges(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Consecutive kept lines (only blank lines between) are joined with their separators."""
    ranges: list[tuple[int, int]] = []
    for s, e in spans:
        if ranges and not text[ranges[-1][1] : s].strip():
            ranges[-1] = (ranges[-1][0], e)
        else:
            ranges.append((s, e))
    return [(s, e) for s, e in (_strip(text, s, e) for s, e in ranges) if s < e]


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _assemble(
    text: str, ranges: Sequence[tuple[int, int]], to_raw: list[int] | None
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Body text from kept ranges, separated by a blank line; anchors back to raw offsets."""
    parts: list[str] = []
    anchors: list[tuple[int, int]] = []
    pos = 0
    for k, (s, e) in enumerate(ranges):
        if k:
            parts.append("\n\n")
            pos += 2
        parts.append(text[s:e])
        if to_raw is None:
            anchors.append((pos, s))
        else:
            prev_delta = None
            for j in range(s, e + 1):
                delta = to_raw[j] - j
                if delta != prev_delta:
                    anchors.append((pos + j - s, to_raw[j]))
                    prev_delta = delta
        pos += e - s
    return "".join(parts), tuple(anchors)


def document_from_text(
    raw: str,
    *,
    doc_id: str,
    path: str,
    meta: dict[str, Any] | None = None,
    rules: Boilerplate | None = None,
    sha256: str | None = None,
    encoding: str = "utf-8",
    markup: bool = False,
) -> Document:
    """Build a cleaned :class:`Document` from decoded text.

    Args:
        raw: The decoded text (or, with ``markup=True``, the extracted text of a page).
        doc_id: Identifier.
        path: Where it came from.
        meta: Metadata (title, author, date, source, url and any other keys).
        rules: Cleaning rules.
        sha256: Hash of the original bytes; computed from ``raw`` when None.
        encoding: Encoding the bytes were decoded with.
        markup: ``raw`` is not the file's text, so no raw-offset map is kept.

    Raises:
        InputError: The text is empty or only whitespace, or nothing is left after cleaning.
    """
    meta = dict(meta or {})
    if not raw.strip():
        raise InputError(path, "empty file" if not raw else "no text (whitespace only)")
    text, to_raw = _normalise(raw)
    cleaned = clean_text(text, rules, has_title=bool(meta.get("title")))
    if not cleaned.ranges:
        raise InputError(path, "no article text left after removing title and boilerplate")
    body, anchors = _assemble(text, cleaned.ranges, to_raw)
    extra = tuple(
        sorted(
            (str(k), str(v))
            for k, v in meta.items()
            if k not in _META_FIELDS and k != "id" and v is not None
        )
    )

    def field_(key: str, found: str | None = None) -> str | None:
        value = meta.get(key)
        return str(value) if value not in (None, "") else found

    for warning in cleaned.warnings:
        warnings.warn(f"{path}: {warning}", InputWarning, stacklevel=2)

    def in_file(offset: int) -> int:
        return offset if to_raw is None else to_raw[offset]

    return Document(
        id=doc_id,
        path=path,
        title=field_("title", cleaned.title),
        author=field_("author", cleaned.author),
        author_note=cleaned.author_note,
        date=field_("date"),
        source=field_("source"),
        url=field_("url"),
        raw=raw,
        body=body,
        offsets=() if markup else anchors,
        sha256=sha256 or hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        encoding=encoding,
        metadata=extra,
        title_start=(
            in_file(cleaned.title_start)
            if cleaned.title_start is not None and not markup and not meta.get("title")
            else None
        ),
        dateline=cleaned.dateline,
        furniture=() if markup else tuple((in_file(s), in_file(e)) for s, e in cleaned.furniture),
    )


# ---------------------------------------------------------------------------------------------
# Readers per format


def _sidecar(path: Path) -> dict[str, Any]:
    for suffix in SIDECAR_SUFFIXES:
        side = path.with_name(path.stem + suffix)
        if side.exists():
            data, source, _ = load_yaml(side, "boilerplate.yaml")
            if not isinstance(data, dict):
                raise InputError(source, "sidecar metadata must be a YAML mapping")
            return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    return {}


def _front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    import yaml

    try:
        data = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark is not None else ""
        raise InputError(source, f"malformed YAML front matter{line}") from None
    if not isinstance(data, dict):
        raise InputError(source, "YAML front matter must be a mapping")
    meta = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    return meta, text[m.end() :]


def _read_bytes(path: Path) -> bytes:
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(source, "no such file or folder") from None
    if size > MAX_FILE_BYTES:
        raise InputError(source, f"file too large ({size:,} bytes; limit {MAX_FILE_BYTES:,})")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(source, f"cannot read ({exc.strerror})") from None


def _load_text_file(path: Path, rules: Boilerplate) -> Iterator[Document]:
    data = _read_bytes(path)
    raw, encoding = decode_bytes(data, str(path))
    meta = _sidecar(path)
    sha = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() == ".md":
        fm, rest = _front_matter(raw, str(path))
        meta = {**meta, **fm}
        if "title" not in meta:
            for line in rest.splitlines():
                if line.strip():
                    h = _MD_HEADING.match(line)
                    if h:
                        meta["title"] = h.group(1)
                    break
        # Offsets still refer to the file: blank the front matter rather than cut it.
        front = raw[: len(raw) - len(rest)]
        raw_for_body = re.sub(r"[^\n]", " ", front) + rest
        raw_for_body = re.sub(r"(?m)^(#{1,6}\s+)", lambda m: " " * len(m.group(1)), raw_for_body)
        doc = document_from_text(
            raw_for_body,
            doc_id=path.stem,
            path=str(path),
            meta=meta,
            rules=rules,
            sha256=sha,
            encoding=encoding,
        )
        yield Document(**{**doc.__dict__, "raw": raw})
        return
    yield document_from_text(
        raw, doc_id=path.stem, path=str(path), meta=meta, rules=rules, sha256=sha, encoding=encoding
    )


def _load_html(path: Path, rules: Boilerplate) -> Iterator[Document]:
    import trafilatura

    data = _read_bytes(path)
    html, encoding = decode_bytes(data, str(path))
    extracted = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, with_metadata=True, favor_precision=True
    )
    if extracted is None:
        raise InputError(str(path), "no article text found in the HTML page")
    info = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    text = info.get("text") or ""
    if not text.strip():
        raise InputError(str(path), "no article text found in the HTML page")
    meta = {k: info.get(k) for k in ("title", "author", "date", "url") if info.get(k)}
    if info.get("sitename"):
        meta["source"] = info["sitename"]
    meta.update(_sidecar(path))
    doc = document_from_text(
        text,
        doc_id=path.stem,
        path=str(path),
        meta=meta,
        rules=rules,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        markup=True,
    )
    yield Document(**{**doc.__dict__, "raw": html})


def _row_document(
    row: dict[str, Any], source: str, default_id: str, rules: Boilerplate
) -> Document:
    field_name = next((f for f in TEXT_FIELDS if isinstance(row.get(f), str)), None)
    if field_name is None:
        raise InputError(source, f"no text field (expected one of {', '.join(TEXT_FIELDS)})")
    text = row[field_name]
    meta = {k: v for k, v in row.items() if k != field_name and v not in (None, "")}
    doc_id = str(row.get("id") or default_id)
    return document_from_text(text, doc_id=doc_id, path=source, meta=meta, rules=rules)


def _load_jsonl(path: Path, rules: Boilerplate) -> Iterator[Document | LoadFailure]:
    raw, _ = decode_bytes(_read_bytes(path), str(path))
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{path}:{lineno}"
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise InputError(source, "each line must be a JSON object")
            yield _row_document(row, source, f"{path.stem}-{lineno:05d}", rules)
        except json.JSONDecodeError as exc:
            yield LoadFailure(source, f"invalid JSON ({exc.msg} at column {exc.colno})")
        except InputError as exc:
            yield LoadFailure(exc.source, exc.reason)


def _load_csv(path: Path, rules: Boilerplate) -> Iterator[Document | LoadFailure]:
    raw, _ = decode_bytes(_read_bytes(path), str(path))
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    if not reader.fieldnames or not any(f in reader.fieldnames for f in TEXT_FIELDS):
        raise InputError(str(path), f"no text column (expected one of {', '.join(TEXT_FIELDS)})")
    for rowno, row in enumerate(reader, start=1):
        source = f"{path}:{rowno + 1}"
        try:
            yield _row_document(dict(row), source, f"{path.stem}-{rowno:05d}", rules)
        except InputError as exc:
            yield LoadFailure(exc.source, exc.reason)


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | LoadFailure]:
    """Files to load, in sorted order per folder; a failure for each unusable path."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                name = child.name
                if name.startswith(".") or child.is_dir() or name.lower().startswith("readme"):
                    continue
                if name.lower().endswith(SIDECAR_SUFFIXES):
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield child
                else:
                    yield LoadFailure(
                        str(child),
                        f"unsupported file type '{child.suffix}' "
                        f"(expected {', '.join(SUPPORTED_SUFFIXES)})",
                    )
        elif not path.exists():
            yield LoadFailure(str(path), "no such file or folder")
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            yield LoadFailure(
                str(path),
                f"unsupported file type '{path.suffix}' (expected {', '.join(SUPPORTED_SUFFIXES)})",
            )
        else:
            yield path


def iter_corpus(
    paths: str | Path | Iterable[str | Path], *, boilerplate: str | Path | None = None
) -> Iterator[Document | LoadFailure]:
    """Yield each document of a corpus, or a :class:`LoadFailure` for what could not be read.

    Args:
        paths: A file, a folder, or several of either.
        boilerplate: A YAML file extending the cleaning rules.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    rules = load_boilerplate(str(boilerplate) if boilerplate is not None else None)
    for item in expand_paths(paths):
        if isinstance(item, LoadFailure):
            yield item
            continue
        suffix = item.suffix.lower()
        loader = {
            ".txt": _load_text_file,
            ".md": _load_text_file,
            ".html": _load_html,
            ".htm": _load_html,
            ".jsonl": _load_jsonl,
            ".csv": _load_csv,
        }[suffix]
        try:
            yield from loader(item, rules)
        except (InputError, LexiconError) as exc:
            yield LoadFailure(exc.source, exc.reason)


def read_corpus(
    paths: str | Path | Iterable[str | Path], *, boilerplate: str | Path | None = None
) -> CorpusResult:
    """Load a corpus, collecting failures instead of raising.

    Document ids are made unique by suffixing ``-2``, ``-3`` … in input order.
    """
    docs: list[Document] = []
    failures: list[LoadFailure] = []
    seen: dict[str, int] = {}
    for item in iter_corpus(paths, boilerplate=boilerplate):
        if isinstance(item, LoadFailure):
            failures.append(item)
            continue
        n = seen.get(item.id, 0) + 1
        seen[item.id] = n
        if n > 1:
            item = Document(**{**item.__dict__, "id": f"{item.id}-{n}"})
        docs.append(item)
    return CorpusResult(docs, failures)


def load_corpus(
    paths: str | Path | Iterable[str | Path],
    *,
    boilerplate: str | Path | None = None,
    errors: Literal["warn", "raise"] = "warn",
) -> list[Document]:
    """Load and clean the articles in a file, a folder, or several of either.

    Supported: ``.txt``, ``.md`` (optional YAML front matter), ``.html`` (main text extracted
    with trafilatura), ``.jsonl`` and ``.csv`` (one article per row with a ``text`` column).
    Metadata the text lacks (date, source, url) can sit in a sidecar ``NAME.meta.yaml``.

    Args:
        paths: A file, a folder, or several of either.
        boilerplate: A YAML file extending the cleaning rules.
        errors: ``"warn"`` emits one :class:`InputWarning` per failed file and goes on;
            ``"raise"`` raises the first failure as :class:`InputError`.

    Returns:
        The documents that loaded, in sorted file order.
    """
    result = read_corpus(paths, boilerplate=boilerplate)
    for failure in result.failures:
        if errors == "raise":
            raise InputError(failure.source, failure.reason)
        warnings.warn(str(failure), InputWarning, stacklevel=2)
    return result.documents
