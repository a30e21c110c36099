"""Stage 5: affiliation. The actor (state or organisation) each speaker belongs to or speaks for.

The evidence is read in this order, and the first that names an actor wins:

1. Speakers who speak for no one: a description with an ``unaffiliated`` word ("a security
   analyst in Islamabad", "a shopkeeper") has no actor, whatever place it names.
2. The speaker's own words, as resolved, as written and as described ("US military officials",
   "Pakistani Foreign Minister Hina Rabbani Khar"): an actor named before the first preposition
   wins ("India's ambassador to Russia" → India); after a preposition of place ("a teacher in
   Kabul", "the embassy in New Delhi") an actor is a place, not an affiliation. Of "Lavrov and
   Pakistani Foreign Minister Khar", only the last conjunct describes the speaker. A leader's
   alias counts only as the end of a name ("Abdul Ghani Baradar" is not Ghani).
3. The person's other mentions in the text: a title before the name ("Pakistan's national
   security adviser Moeed Yusuf") or an apposition after it ("Zamir Kabulov, the Kremlin's
   special envoy"; "Dianne Feinstein, who chairs the Senate intelligence committee": a relative
   clause of holding an office).
4. A title or state body that names its state on its own, though no actor mention ("a US
   congressman" aside, "congressman"; "Rostec chief executive Sergei Chemezov" → Russia):
   ``title_actors`` in ``quote_speakers.yaml``.
5. An official body or role named without its state ("the Foreign Ministry", "military
   officials"): the actor the text is reported from (its dateline's or outlet's, when the
   caller knows it), else the actor the text mentions most; a named official ("Army chief
   General Kayani"): the actor the text mentions most.

Speakers that point back ("he", "the spokesman") were carried to the speaker they mean by
:mod:`~analysis.quotes.chain`, so they get that speaker's actor here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace

from analysis.actors import ActorLexicon, Mention, find_mentions
from analysis.quotes.limits import (
    MAX_NAME_OCCURRENCES,
    NAME_SEARCH_AFTER,
    NAME_SEARCH_BEFORE,
    TITLE_WINDOW,
)
from analysis.quotes.records import Quote
from analysis.quotes.speakers import SpeakerWords, speaker_words

__all__ = ["ActorEvidence", "affiliate", "speaker_actor"]

_FIRST_PREP = re.compile(r"\b(?:of|on|for|at|to|in|with|from|about|against|toward|towards)\b")
_WORD = re.compile(r"[\w’'\-]+")
#: An apposition after a name: ", the Kremlin's special envoy for Afghanistan,".
_APPOSITION = re.compile(r"\s*(?:\([^()]{0,40}\))?\s*,\s*([^,.;:“”\"()]{3,100})[,.;:]")
_APPOSITION_STARTS = frozenset(["the", "a", "an", "his", "her", "its", "their"])
#: Punctuation that ends a title read backwards from a name.
_TITLE_STOP = frozenset(',.;:!?()[]“”"\n')


class ActorEvidence:
    """What the text says about actors, read lazily and once: its mentions, the actors of
    short phrases, and the titles around each name.

    Args:
        text: The text the quotations come from.
        lexicon: The actor lexicon (the packaged default when None).
        mentions: ``find_mentions(text, lexicon)``, when the caller has them already.
        home: The actor the text is reported from (its dateline's, or its outlet's country),
            which unnamed official bodies belong to; the actor the text mentions most when None.
    """

    def __init__(
        self,
        text: str,
        lexicon: ActorLexicon | None = None,
        mentions: Sequence[Mention] | None = None,
        home: str | None = None,
    ) -> None:
        self.text = text
        self.lexicon = lexicon
        self.home = home
        self._mentions = mentions
        self._phrases: dict[str, tuple[Mention, ...]] = {}
        self._names: dict[str, tuple[str | None, list[str]]] = {}
        self._dominant: tuple[str | None] | None = None

    def mentions(self) -> Sequence[Mention]:
        """The actor mentions of the whole text."""
        if self._mentions is None:
            self._mentions = find_mentions(self.text, self.lexicon)
        return self._mentions

    def in_phrase(self, phrase: str) -> tuple[Mention, ...]:
        """The actor mentions of a short phrase (offsets into the phrase)."""
        found = self._phrases.get(phrase)
        if found is None:
            found = self._phrases[phrase] = tuple(find_mentions(phrase, self.lexicon))
        return found

    def has_actor(self, phrase: str) -> bool:
        """Whether a phrase names an actor."""
        return bool(self.in_phrase(phrase))

    def dominant(self, *, named: bool = False) -> str | None:
        """The actor an official speaker the text gives no state belongs to: for an unnamed
        body or officeholder ("the Foreign Ministry"), ``home`` when given; for a named
        person ("Foreign Minister Bilawal"), and failing ``home``, the actor the text
        mentions most (the first mentioned among equals): a named minister in a story filed
        from Washington is not American."""
        if self.home is not None and not named:
            return self.home
        if self._dominant is None:
            prefixes = speaker_words().not_actor_prefixes
            counts = Counter(
                m.actor
                for m in self.mentions()
                if not m.compound
                and self.text[max(0, m.start - 20) : m.start].rstrip().rsplit(" ", 1)[-1].lower()
                not in prefixes
            )
            self._dominant = (counts.most_common(1)[0][0] if counts else None,)
        return self._dominant[0]

    def name_actor(self, name: str, pos: int, words: SpeakerWords) -> tuple[str | None, list[str]]:
        """The actor a title or apposition gives the person ``name`` in the text around
        ``pos`` (``NAME_SEARCH_BEFORE`` characters before it, ``NAME_SEARCH_AFTER`` after),
        and the words of the titles read (lower case); read once per name."""
        if name not in self._names:
            lo = max(0, pos - NAME_SEARCH_BEFORE)
            hi = min(len(self.text), pos + NAME_SEARCH_AFTER)
            self._names[name] = _name_actor(self, name, lo, hi, words)
        return self._names[name]


def affiliate(quotes: Sequence[Quote], evidence: ActorEvidence) -> list[Quote]:
    """The quotations with ``actor`` set from the evidence the text gives.

    Args:
        quotes: Records after the speaker chain, in text order.
        evidence: What the text says about actors.

    Returns:
        New records; ``actor`` is None where the text supports no actor.
    """
    words = speaker_words()
    cache: dict[tuple[str | None, ...], str | None] = {}
    out: list[Quote] = []
    for q in quotes:
        written = (
            evidence.text[q.speaker_start : q.speaker_end]
            if q.speaker_start is not None and q.speaker_end is not None
            else None
        )
        key = (q.speaker, written, q.description, q.speaker_kind)
        if key not in cache:
            cache[key] = _actor(q, written, evidence, words)
        actor = cache[key]
        out.append(q if actor == q.actor else replace(q, actor=actor))
    return out


def speaker_actor(quote: Quote, text: str, lexicon: ActorLexicon | None = None) -> str | None:
    """The actor a quotation's speaker belongs to (see the module's docstring).

    Args:
        quote: A quotation from :func:`~analysis.quotes.extract_quotes` on ``text``.
        text: The text the quotation was extracted from.
        lexicon: An ``analysis.actors.ActorLexicon``; the packaged default when None.

    Returns:
        The actor's canonical name, or None when the text supports none.
    """
    return affiliate([quote], ActorEvidence(text, lexicon))[0].actor


def _actor(q: Quote, written: str | None, ev: ActorEvidence, words: SpeakerWords) -> str | None:
    description = q.description
    if description and description.split()[0].lower() == "who":
        description = _description(description, words)  # "who met X" says nothing of the side
    phrases = tuple(p for p in (q.speaker, written, description) if p)
    if not phrases or q.speaker is None:
        return None
    low = [w.lower() for p in phrases for w in _WORD.findall(p)]
    if _any_term(low, words.unaffiliated):
        return None
    name = q.speaker if q.speaker_kind == "person" else None
    for phrase in phrases:
        actor = _phrase_actor(phrase, ev, words, name)
        if actor is not None:
            return actor
    if name is not None and name[:1].isupper():
        pos = q.speaker_start if q.speaker_start is not None else q.start
        actor, titles = ev.name_actor(name, pos, words)
        if actor is not None:
            return actor
        low += titles
    actor = _term_actor(low, words.title_actors)
    if actor is not None:
        return actor
    if _any_term(low, words.official_heads):
        return ev.dominant(named=name is not None and name[:1].isupper())
    return None


def _terms(words: list[str]) -> Iterator[str]:
    """Each word and each pair of consecutive words, in text order (at each word the pair
    starting there first)."""
    for i, word in enumerate(words):
        if i + 1 < len(words):
            yield f"{word} {words[i + 1]}"
        yield word


def _term_actor(words: list[str], actors: dict[str, str]) -> str | None:
    """The actor of the first word, or pair of consecutive words, that is a key of ``actors``."""
    return next((actors[term] for term in _terms(words) if term in actors), None)


def _any_term(words: list[str], terms: frozenset[str]) -> bool:
    """Whether any word, or pair of consecutive words, is one of ``terms``."""
    return any(term in terms for term in _terms(words))


def _phrase_actor(
    phrase: str, ev: ActorEvidence, words: SpeakerWords, name: str | None
) -> str | None:
    """The actor a speaker phrase names as its affiliation (rule 2 of the module docstring)."""
    cut_and = phrase.rfind(" and ")
    chunk = phrase[cut_and + 5 :] if cut_and >= 0 else phrase
    mentions = [
        m
        for m in ev.in_phrase(chunk)
        if not m.compound
        and _not_inside_name(m, chunk)
        and chunk[: m.start].rstrip().rsplit(" ", 1)[-1].lower() not in words.not_actor_prefixes
    ]
    if not mentions:
        return None
    prep = _FIRST_PREP.search(chunk)
    cut = prep.start() if prep is not None else len(chunk)
    head = [m for m in mentions if m.start < cut]
    if head:
        return head[0].actor
    if prep is not None and prep.group() in words.location_preps:
        return None
    return mentions[0].actor


def _not_inside_name(m: Mention, phrase: str) -> bool:
    """False for a leader's alias inside another person's name ("Abdul Ghani Baradar")."""
    if m.alias_type != "leaders":
        return True
    rest = phrase[m.end :].lstrip(" ’'s")
    return not rest[:1].isupper()


def _name_actor(
    ev: ActorEvidence, name: str, lo: int, hi: int, words: SpeakerWords
) -> tuple[str | None, list[str]]:
    """Rule 3: a title before, or an apposition after, an occurrence of the surname in
    text[lo:hi]; and the lower-case words of the titles read."""
    text = ev.text
    surname = name.split()[-1]
    pattern = re.compile(rf"\b{re.escape(surname)}\b")
    seen: list[str] = []
    for n, m in enumerate(pattern.finditer(text, lo, hi)):
        if n >= MAX_NAME_OCCURRENCES:
            break
        title = _title_before(text, m.start(), words)
        if title:
            seen += [w.lower() for w in _WORD.findall(title)]
            found = [x for x in ev.in_phrase(title) if not x.compound]
            if found:
                return found[-1].actor, seen
        app = _APPOSITION.match(text, m.end(), min(len(text), m.end() + TITLE_WINDOW))
        desc = _description(app.group(1), words) if app is not None else None
        if desc is not None:
            seen += [w.lower() for w in _WORD.findall(desc)]
            actor = _phrase_actor(desc, ev, words, None)
            if actor is not None:
                return actor, seen
    return None, seen


def _description(apposition: str, words: SpeakerWords) -> str | None:
    """The description an apposition after a name gives ("the Kremlin's special envoy", "who
    chairs the Senate intelligence committee" → "the Senate intelligence committee"), or None
    when it describes no office ("who met Putin", "who was detained by police")."""
    tokens = apposition.split()
    if not tokens:
        return None
    if _describes(tokens[0]):
        return " ".join(tokens)
    if tokens[0].lower() != "who" or len(tokens) < 3:
        return None
    verb, rest = tokens[1].lower(), tokens[2:]
    if verb in words.office_verbs:
        rest = rest[1:] if rest[0].lower() == "as" and len(rest) > 1 else rest
        return " ".join(rest)
    if verb in words.office_copulas:
        while len(rest) > 1 and rest[0].lower() in words.office_read_over:
            rest = rest[1:]
        return " ".join(rest) if _describes(rest[0]) else None
    return None


def _describes(word: str) -> bool:
    """Whether a word starts a description: an article or possessive pronoun, or a possessive."""
    low = word.lower()
    return low in _APPOSITION_STARTS or low.endswith(("’s", "'s"))


def _title_before(text: str, pos: int, words: SpeakerWords) -> str:
    """The title right before a name: capitalised words, possessives and ``title_words``
    back to punctuation or any other word ("Pakistan's national security adviser"); one comma
    between the title and the name is read over ("his national security adviser, Moeed")."""
    lo = max(0, pos - TITLE_WINDOW)
    keep: list[str] = []
    comma_read = False
    for tok in reversed(text[lo:pos].split()):
        if tok.endswith(",") and not comma_read and all(k[:1].isupper() for k in keep):
            comma_read = True
            tok = tok[:-1]
        if not tok or tok[-1] in _TITLE_STOP:
            break
        if not (tok[0].isupper() or tok.lower() in words.title_words):
            break
        if tok.lower() == "and" and not any(k.lower() in words.title_words for k in keep):
            break  # "Shulginov and Malik": another person, not a title
        keep.append(tok)
        if tok[0] in _TITLE_STOP:
            break
    return " ".join(reversed(keep))
