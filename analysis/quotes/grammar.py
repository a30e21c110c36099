"""Grammar of quotation attribution: closed-class word lists (from
``analysis/data/quote_grammar.yaml``) and the patterns built on them."""

from __future__ import annotations

import re
from typing import Any

from analysis.errors import LexiconError
from analysis.quotes.records import CueClass
from analysis.resources import load_yaml

GRAMMAR_FILE = "quote_grammar.yaml"


def _load_grammar() -> dict[str, frozenset[str]]:
    """The word lists of the packaged grammar file, each as a frozenset."""
    data: Any = load_yaml(None, GRAMMAR_FILE)[0]
    if not isinstance(data, dict):
        raise LexiconError(f"analysis/data/{GRAMMAR_FILE}", "expected a mapping of lists")
    return {k: frozenset(v) for k, v in data.items() if isinstance(v, list)}


_G = _load_grammar()
_BE = _G["be"]
_AUX = _G["auxiliaries"]
_ADVERBS = _G["adverbs"]
_TIME_WORDS = _G["time_words"]
_TIME_LEAD = _G["time_lead"]
_DETERMINERS = _G["determiners"]
_POSSESSIVES = _G["possessives"]
_SUBJECT_PRONOUNS = _G["subject_pronouns"]
_OBJECT_PRONOUNS = _G["object_pronouns"]
_NP_STOP = _G["np_stop"]
_NP_PREPS = _G["np_preps"]
_OBJECT_PREPS = _G["object_preps"]
_LEADING_TRIM = _G["leading_trim"]
_FUNCTION_CAPS = _G["function_caps"]
_NAME_PARTICLES = _G["name_particles"]
_OBJECT_TAKERS = _G["object_takers"]
_NO_INVERSION = _G["no_inversion"]
_MODIFIER_WORDS = _G["modifier_words"]
_NP_BRIDGE_PHRASES = _G["np_bridges"]
_TITLE_BRIDGE_PHRASES = _G["title_bridges"]
_NOUN_CUES = _G["noun_cues"]
_PRONOUN_CONTRACTIONS = _G["pronoun_contractions"]
_PARTICIPLE_PREPS = _G["participle_preps"]
_PARTICIPLE_TIME = _G["participle_time"]
_MESSAGE_NOUNS = _G["message_nouns"]
_INTRO_WORDS = _G["intro_words"]
_NON_SPEAKER_LABELS = _G["non_speaker_labels"]
#: "<speech noun> that" ("claim that", "insistence that"): the noun is the cue.
_SPEECH_NOUN = re.compile(
    r"\b(?P<noun>" + "|".join(sorted(_G["speech_nouns"], key=len, reverse=True)) + r")\s+that\b"
)
#: The possessor right before a speech noun ("Donald Trump’s", "his", "Politifact's own").
_POSSESSOR_BEFORE = re.compile(
    r"(?P<poss>\b(?:his|her|their)|[A-Z][\w.\-’']{0,40}(?:\s+[A-Z][\w.\-’']{0,40}){0,3}"
    r"[’']s?)\s+(?:[a-z]+\s+){0,2}$"
)
#: The class of a speech noun's frame: it takes only a "that" clause.
_NOUN_CLASS = CueClass("noun", True, False, False, False, False)

_SUBJECT_STARTS = _DETERMINERS | _SUBJECT_PRONOUNS
#: Words that end such a subject: the modifier phrase starts there.
_SUBJECT_ENDS = _NP_STOP | _NP_PREPS | {"during", "after", "before", "over", "speaking"}
_OPEN_MARKS = "“„‟«‹‘‚‛"
_CLOSE_MARKS = "”»›’"
_ALL_MARK_CHARS = _OPEN_MARKS + _CLOSE_MARKS + "\"'`"
_OPEN_CONTEXT = "([{<—–-/" + _ALL_MARK_CHARS
_CLOSE_CONTEXT = ".,;:!?)]}>—–-/…" + _ALL_MARK_CHARS
_DOUBLE = frozenset(['"', "“", "”", "„", "‟", "«", "»", "''", "``"])
_DASH_CUE = re.compile(r"[ \t\u00a0]*(?P<dash>―|—|–|--)[ \t\u00a0]*")
_DASH_CLASS = CueClass("dash", True, False, False, False, False)
_OPINION_CLASS = CueClass("opinion", False, True, False, False, False)
#: The class of a speaker read from context, without a cue ("X pressed the case. “…”").
_CONTEXT_CLASS = CueClass("context", True, False, False, False, False)
_BY_AGENT = re.compile(r"\s+(?:by\s+)")  # "was quoted by …": the agent of a passive cue
_NOT_GAP = re.compile(r"[^ \t\n\r,.;:—–\-\u00a0]")
_NON_SPACE = re.compile(r"\S")
_TRAILING_TEXT = re.compile(r"[^ \t\n.,\u00a0]")
_CONJ_BEFORE = re.compile(
    r"(?:[,;]\s*(?:but|and|while|although|though|whereas|as)?|\s(?:but|and|while|whereas))\s*$"
)
_MODIFIER_START = re.compile(
    r"\s*(?:[,.;:!?—–]|(?:him|her|them|us|me)\s*[,.;:!?—–]|"
    r"(?:in|on|at|during|after|before|last|this|early|late|via|through|"
    r"while|when|as|to|adding|citing|noting|referring|according|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday)\b)"
)
_PROGRESSIVE = re.compile(r"\b(?:is|are|was|were|been|be|am)\s+(?:\w+ly\s+|also\s+|still\s+)?$")
_COMPLEMENTIZER_END = re.compile(r"\b(?:that|which|who|whether|if|because)\W*$", re.IGNORECASE)
_COORDINATED = re.compile(r"\b(?:and|but)\s+(?P<between>(?:[A-Za-z']+\s+){0,2})$")
_INTRO_PHRASE = re.compile(
    r"(?:In|On|At|During|After|Before|Since|Following|Speaking|Asked|Earlier|Later|Last|This|"
    r"Meanwhile|However|But|And|Also|Then|Now|Today|Yesterday)\b[^,;:]{0,60}$"
)
#: A prepositional phrase alone, before the subject: "At Monday's debate, Clinton cited …" has
#: no content before its cue.
_PREP_PHRASE = re.compile(r"(?:" + "|".join(sorted(_G["intro_prepositions"])) + r")\b[^,;:]{0,60}$")
_GAP_GLUE = re.compile(r"[\s,:]*(?:that|this|as follows|the following)?[\s,:]*")
_GAP_CONJ = re.compile(r"[\s,]*(?:but|and|then|before|adding)[\s,:]*")
_DIRECT_START = re.compile(r"[\W_]*(?:[^\W\d_]|\d)", re.UNICODE)
# ''|``|["“”„‟«»‹›‘’‚‛'] with the first character as a class (a pattern that starts with a
# character class lets the regex engine skip to candidate characters): '' and `` are marks,
# a lone ` is not
_MARK = re.compile(r"[\"“”„‟«»‹›‘’‚‛'`](?:(?<=')'|(?<=`)`|(?<!`))")
_MARK_CHARS = "\"“”„‟«»‹›‘’‚‛'`"  # the characters of _MARK's class
_TOKEN = re.compile(r"[^\W_](?:[\w’'.&\-]{0,60}[\w])?\.?|[^\w\s]")
_WORDS = re.compile(r"[^\W_]+")
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽА-Я"
# A name token is a capital followed by initials ("J.R."), an abbreviation ("Sen.", "Mr.") or
# the rest of a word
_NAME_TAIL = rf"(?:\.(?:[{_UPPER}]\.){{0,2}}|[a-z]{{0,2}}\.|(?:[\w’'\-]{{0,40}}[\w])?)"
_NAME_TOKEN = rf"[{_UPPER}]{_NAME_TAIL}"
# The run's first capital comes before the look-behind (the same matches as
# "(?<![\w’'\-])" + _NAME_TOKEN): a pattern that starts with a character class lets the regex
# engine skip to candidate capitals, twice as fast over a whole text
_NAME_RUN = re.compile(
    rf"[{_UPPER}](?<![\w’'\-].){_NAME_TAIL}"
    rf"(?:[ \t]+(?:(?:{'|'.join(sorted(_NAME_PARTICLES))})[ \t]+)?{_NAME_TOKEN}){{0,7}}"
)


# --- step 1: quote marks ---------------------------------------------------------------------
