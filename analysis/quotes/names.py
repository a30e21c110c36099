"""Person names outside quotations, for resolving pronouns ("he") and short names ("Markey")."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping

from analysis.actors import find_mentions
from analysis.quotes.grammar import _FUNCTION_CAPS, _NAME_PARTICLES, _NAME_RUN
from analysis.quotes.limits import (
    ANTECEDENT_WINDOW,
    MAX_ANTECEDENT_CANDIDATES,
    MIN_NAME_AFTER_ORGANISATION,
    SENTENCE_LOOKBACK,
    SHORT_FAMILY_NAME,
)
from analysis.quotes.records import SpeechVerbs
from analysis.quotes.tokens import _bare, _Intervals, _strip_trailing_dot

#: What a capitalised run reads as, whatever the names before it: (start and end of the name in
#: the run, the name as written there, the name, gender, first core word, a single core word,
#: titled).
_NameForm = tuple[int, int, str, str, str | None, str, bool, bool]


class NameIndex:
    """Person names outside quotations, read lazily in text order, for resolving pronouns and
    short names; and a cache of the phrases the actor lexicon reads as states or institutions."""

    def __init__(self, text: str, lex: SpeechVerbs) -> None:
        self.text = text
        self.lex = lex
        # person names outside quotations, read in text order as far as needed (_read_names)
        self._names: list[tuple[int, int, str, str | None]] = []
        self._name_starts: list[int] = []
        self._name_last: list[str] = []  # last word of each name
        self._name_words: list[int] = []  # words in each name
        self._name_runs: Iterator[re.Match[str]] | None = None
        self._name_next: re.Match[str] | None = None  # the next run, not read yet
        self._names_done = False
        self._surnames: dict[str, tuple[str, str | None]] = {}  # last word -> (name, gender)
        self._name_forms: dict[str, _NameForm | None] = {}  # run -> _name_form(run)
        self._actor_cache: dict[str, bool] = {}
        self.quoted: _Intervals | None = None
        self.speakers: list[tuple[int, str]] = []  # (offset, name) of resolved person speakers

    def overlaps_actor(self, start: int, end: int) -> bool:
        """True when the actor lexicon reads text[start:end] as (part of) a state, place or
        institution ("Pakistan Russia", "White House"); leaders do not count."""
        return self._is_actor_phrase(self.text[start:end])

    def _is_actor_phrase(self, phrase: str) -> bool:
        """:meth:`overlaps_actor` of the text ``phrase``."""
        cached = self._actor_cache.get(phrase)
        if cached is None:
            cached = any(m.alias_type != "leaders" for m in find_mentions(phrase))
            self._actor_cache[phrase] = cached
        return cached

    def _read_names(self, pos: int) -> None:
        """Read the person names of the runs that start at or before ``pos``.

        Names are read in text order, each once, and only as far as a pronoun or a short name
        needs them: a name's own start is never before its run's, so every name that starts
        at or before ``pos`` is known afterwards.
        """
        if self._names_done:
            return
        runs = self._name_runs
        if runs is None:
            runs = self._name_runs = _NAME_RUN.finditer(self.text)
            self._name_next = next(runs, None)
        m = self._name_next
        surnames = self._surnames
        quoted = self.quoted
        while m is not None and m.start() <= pos:
            raw = m.group()
            start = m.start()
            m = next(runs, None)
            if " " not in raw and "\t" not in raw and raw.rstrip(".") not in surnames:
                continue  # a lone capitalised word that names no known person (the most common)
            if quoted is not None and quoted.contains(start):
                continue  # names inside quotations are not antecedents of the narrative
            res = self._person(raw, start, surnames)
            if res is None:
                continue
            self._names.append(res)
            self._name_starts.append(res[0])
            name = res[2]
            words = name.split()
            self._name_last.append(words[-1])
            self._name_words.append(len(words))
            cut = name.rfind(" ")
            if cut > 0:
                surnames[name[cut + 1 :]] = (name, res[3])
            if len(words) == 2 and (
                words[0] not in self.lex.given_names or len(words[0]) <= SHORT_FAMILY_NAME
            ):
                # a family name first ("Xi Jinping" → "Xi", "Lu Kang" → "Lu"); a common given
                # name ("Donald") is no short form of a name
                surnames.setdefault(words[0], (name, res[3]))
        self._name_next = m
        self._names_done = m is None

    def person_name(
        self, start: int, end: int, surnames: Mapping[str, tuple[str, str | None]]
    ) -> tuple[int, int, str, str | None] | None:
        """Read a capitalised run as a person's name; None for organisations and places."""
        return self._person(self.text[start:end], start, surnames)

    def _person(
        self, raw: str, start: int, surnames: Mapping[str, tuple[str, str | None]]
    ) -> tuple[int, int, str, str | None] | None:
        """:meth:`person_name` of the run ``raw`` found at ``start``."""
        forms = self._name_forms
        if raw in forms:
            form = forms[raw]
        else:
            form = forms[raw] = self._name_form(raw)
        if form is None:
            return None
        ds, de, phrase, name, gender, first, single, titled = form
        if single and not titled and first not in surnames:
            return None
        if self._is_actor_phrase(phrase):
            return None
        if single:
            known = surnames.get(first)
            if known is not None:
                name = known[0]
                gender = gender or known[1]
        return (start + ds, start + de, name, gender)

    def _name_form(self, raw: str) -> _NameForm | None:
        """What :meth:`person_name` reads from a run whatever the names before it (it is read
        once per distinct run): None when it is no person's name."""
        words = raw.split()
        lex = self.lex
        titles = lex.titles
        gender: str | None = None
        titled = False
        k = 0
        for idx, w in enumerate(words):
            b = w.rstrip(".")
            if b in titles:
                k = idx + 1
                titled = True
                gender = titles[b] or gender
            elif b in _FUNCTION_CAPS and idx == k:
                k = idx + 1
        org = lex.organisation_words
        last_org = max(
            (i for i, w in enumerate(words) if _bare(w) in org or _is_acronym(w)), default=-1
        )
        if last_org >= k and len(words) - last_org - 1 >= MIN_NAME_AFTER_ORGANISATION:
            k = last_org + 1  # "Foreign Affairs Sartaj Aziz": an office's name, then the person
            titled = True
        if k >= len(words):
            return None
        name_words = words[k:]
        core: list[str] = []
        for w in name_words:
            b = _bare(w)
            if b in org or _is_acronym(w):
                return None  # an organisation, place or acronym
            if w.lower() not in _NAME_PARTICLES:
                if not w[0].isupper():
                    return None
                core.append(b)
        if not core or len(core) > 4:
            return None
        first = core[0]
        ds = raw.find(name_words[0]) if k else 0
        de = _strip_trailing_dot(raw, ds, len(raw))
        name = " ".join([*name_words[:-1], _bare(name_words[-1])])
        if first in lex.given_names:
            gender = lex.given_names[first]
        return (ds, de, raw[ds:de], name, gender, first, len(core) == 1, titled)

    def sentence_before(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence before the one that holds ``pos``; empty at the start
        of the text."""
        current = _sentence_start(self.text, pos, self.quoted)
        if current == 0:
            return 0, 0
        return _sentence_start(self.text, current - 1, self.quoted), current

    def antecedent(self, pos: int, gender: str | None) -> str | None:
        """The person a pronoun at ``pos`` refers to.

        Candidates are the person names within ``ANTECEDENT_WINDOW`` before the pronoun (outside
        quotations), nearest first. A name whose gender is known to differ is skipped. The
        subject of the pronoun's sentence, else of the sentence before (its first compatible
        name: "Pompeo urged caution. “…,” he said."), wins; failing both, one that was already
        a speaker, then one whose gender is known to agree, wins over a merely nearer one.
        """
        self._read_names(pos)
        names = self._names
        i = bisect.bisect_left(self._name_starts, pos) - 1
        seen = 0
        best: tuple[int, str] | None = None
        spoke = {n for p, n in self.speakers[-MAX_ANTECEDENT_CANDIDATES:] if p < pos}
        current = _sentence_start(self.text, pos, self.quoted)
        previous = _sentence_start(self.text, current - 1, self.quoted) if current > 0 else current
        subjects: dict[bool, str] = {}  # in the current sentence? -> its first compatible name
        while i >= 0 and seen < MAX_ANTECEDENT_CANDIDATES:
            s, e, name, g = names[i]
            if pos - e > ANTECEDENT_WINDOW:
                break
            i -= 1
            seen += 1
            if e > pos or (gender is not None and g is not None and g != gender):
                continue
            if s >= previous:
                subjects[s >= current] = name  # the last one read is the first in the sentence
            score = 2 * (name in spoke) + (gender is not None and g == gender)
            if best is None or score > best[0]:
                best = (score, name)
        subject = subjects.get(True) or subjects.get(False)
        if subject is not None:
            return subject
        return best[1] if best is not None else None

    def full_name(self, pos: int, name: str) -> str:
        """The fullest earlier (or same-place) form of ``name`` ("Markey" → "Daniel Markey")."""
        parts = name.split()
        if not parts:
            return name
        self._read_names(pos)
        names = self._names
        last_words, n_words = self._name_last, self._name_words
        last, n = parts[-1], len(parts)
        i = bisect.bisect_right(self._name_starts, pos) - 1
        for k in range(i, max(i - 4 * MAX_ANTECEDENT_CANDIDATES, -1), -1):
            if last_words[k] == last and n_words[k] > n:
                return names[k][2]
        known = self._surnames.get(last)
        if n == 1 and known is not None and known[0].startswith(f"{last} "):
            return known[0]  # "Xi" → "Xi Jinping", read family name first
        return name


def _sentence_start(text: str, pos: int, quoted: _Intervals | None) -> int:
    """Start of the sentence that contains ``pos``: after the last full stop, question or
    exclamation mark followed by white space (not one inside a quotation, nor one that ends a
    short capitalised abbreviation such as "Mr." or "U.S."), or after a line break; searched
    back ``SENTENCE_LOOKBACK`` characters at most."""
    lo = max(0, pos - SENTENCE_LOOKBACK)
    j = pos - 1
    while j > lo and text[j].isspace():
        j -= 1  # from the end of the sentence before, when ``pos`` follows it
    while j > lo:
        ch = text[j]
        if ch not in "\n.!?" or (quoted is not None and quoted.contains(j)):
            j -= 1
            continue
        if ch == "\n":
            return j + 1
        if text[j + 1 : j + 2].isspace():
            k = j
            while k > lo and not text[k - 1].isspace():
                k -= 1
            word = text[k:j]
            if ch != "." or not (word[:1].isupper() and (len(word) <= 3 or "." in word)):
                return j + 1
        j -= 1
    return lo


def _is_acronym(word: str) -> bool:
    """An all-capitals word ("ISPR", "NATO"), not an initial ("J.")."""
    return len(word) > 1 and word.isupper() and not word.endswith(".")
