"""Quotations and reported speech: who said what, with speakers resolved and affiliated.

The method is rule-based and runs in linear time, in the tradition of quotation attribution for
news (Pareti et al., "Automatically Detecting and Attributing Indirect Quotations", EMNLP 2013;
textacy's ``extract.triples.direct_quotations``; the GenderGapTracker's quote extractor), but it
works on raw text without a parser. Each stage is a module; read them in this order:

1. :mod:`~analysis.quotes.marks`: quote marks (“ ” ‘ ’ " ' « » '' ``) are classified as
   opening or closing from their neighbours (left- and right-flanking, as in CommonMark) and
   paired with a stack per paragraph; apostrophes inside words (it’s, Russia’s) are never quote
   marks; a quotation whose paragraph ends open continues when the next paragraph opens with a
   quote mark; an opening mark never closed is recovered to the end of its sentence.
2. :mod:`~analysis.quotes.frames`: sentences that a quotation spans are merged into units; in
   each unit the speech cues of ``analysis/data/speech_verbs.yaml`` outside the quotations become
   frames: the cue, the speaker phrase before it ("X said", "X, a <role>, said") or after it
   ("said X", "according to X"), and its description. :mod:`~analysis.quotes.phrases` reads the
   speaker phrases.
3. :mod:`~analysis.quotes.attribution`: frames are attached to the quotation next to them
   (direct or partial), or to the reported clause they govern (indirect, with the quotations
   inside it as partial); a quotation without a frame takes the frame of a colon before it, a
   bare frame after it, or the speaker of the run of quotations it continues.
4. :mod:`~analysis.quotes.resolution`: pronouns resolve to the nearest compatible person named
   outside quotations (:mod:`~analysis.quotes.names`), short names to the full name used
   earlier; records become :class:`Quote`.
5. :mod:`~analysis.quotes.affiliation`: the actor a speaker belongs to, from the name and the
   description (:func:`speaker_actor`, :func:`quote_details`).

Word lists are data: the cue lexicon in ``analysis/data/speech_verbs.yaml`` (a user's file
extends or replaces it) and the closed-class grammar words in
``analysis/data/quote_grammar.yaml``. Thresholds are named in :mod:`~analysis.quotes.limits`.

Measured on PolNeAR dev (``python -m analysis evaluate quotes``): direct F1 92 at 30% overlap
with 94% of speakers right, all attributions F1 70; over 150,000 words/s on one core
(``scripts/bench_quotes.py``).
"""

from analysis.quotes.affiliation import speaker_actor
from analysis.quotes.details import QuoteDetail, quote_details
from analysis.quotes.extract import extract_quotes
from analysis.quotes.lexicon import default_speech_verbs, load_speech_verbs
from analysis.quotes.records import CueClass, Quote, SpeechVerbs

__all__ = [
    "CueClass",
    "Quote",
    "QuoteDetail",
    "SpeechVerbs",
    "default_speech_verbs",
    "extract_quotes",
    "load_speech_verbs",
    "quote_details",
    "speaker_actor",
]
