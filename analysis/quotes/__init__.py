"""Quotations and reported speech: who said what, with speakers resolved and affiliated.

The method is rule-based and runs in linear time, in the tradition of quotation attribution for
news (Pareti et al., "Automatically Detecting and Attributing Indirect Quotations", EMNLP 2013;
textacy's ``extract.triples.direct_quotations``; the GenderGapTracker's quote extractor), but it
works on raw text without a parser. Each stage is a module; read them in this order:

1. :mod:`~analysis.quotes.marks`: quote marks (“ ” ‘ ’ " ' « » '' ``) are classified as
   opening or closing from their neighbours (left- and right-flanking, as in CommonMark) and
   paired with a stack per paragraph; apostrophes inside words (it’s, Russia’s) are never quote
   marks; a quotation whose paragraph ends open continues when the next paragraph opens with a
   quote mark; an opening mark never closed is recovered to the end of its sentence. In a
   transcript, a paragraph that opens with a speaker's label in capitals ("WALLACE: …") is a
   turn, a direct quotation of that speaker (:mod:`~analysis.quotes.turns`).
2. :mod:`~analysis.quotes.frames`: sentences that a quotation spans are merged into units; in
   each unit the speech cues of ``analysis/data/speech_verbs.yaml`` outside the quotations become
   frames: the cue, the speaker phrase before it ("X said", "X, a <role>, said") or after it
   ("said X", "according to X", "X quoted Y as saying"), and its description. Cue words used
   as nouns ("State Department", "member states for") and passive participles with their agent
   ("claimed by IS-K") are no frames. :mod:`~analysis.quotes.phrases` reads the speaker phrases.
3. :mod:`~analysis.quotes.attribution`: frames are attached to the quotation next to them
   (direct or partial), or to the reported clause they govern (indirect, with the quotations
   inside it as partial); a quotation without a frame takes the frame of a colon before it
   (a paragraph set as a block after "… wrote on Twitter:" is a quotation too), a bare frame
   after it, the person who is the subject of the sentence before it, or the speaker of the
   run of quotations it continues. A headline reports no speech; its quotations are partial.
4. :mod:`~analysis.quotes.resolution`: pronouns resolve to the subject of their sentence or the
   one before, else the nearest compatible person named outside quotations
   (:mod:`~analysis.quotes.names`); short names to the full name used earlier ("Xi" → "Xi
   Jinping"); records become :class:`Quote`.
5. :mod:`~analysis.quotes.chain`: speakers that point back are carried to the speaker they
   mean: "it added" / "they said" to the organisation before, "the spokesman", "the
   ministry", "the officials" to the earlier speaker (or named institution) with that head;
   described speakers lose their determiner ("senior military official").
6. :mod:`~analysis.quotes.affiliation`: every quotation gets the actor its speaker belongs to
   (``Quote.actor``), from the name, the description, the person's title or apposition
   elsewhere in the text, or, for an official body the text names without its state, the
   actor the text is reported from; analysts and bystanders get none.
   :mod:`~analysis.quotes.details` adds what a quotes table needs.

Word lists are data: the cue lexicon in ``analysis/data/speech_verbs.yaml`` (a user's file
extends or replaces it), the closed-class grammar words in ``analysis/data/quote_grammar.yaml``
and the speaker words (anaphor heads, unaffiliated and official roles, title words) in
``analysis/data/quote_speakers.yaml``. Thresholds are named in :mod:`~analysis.quotes.limits`.
Every stage runs in linear time; no function is longer than 80 lines or more complex than 25
(a test holds it).

Measured on PolNeAR dev (``python -m analysis evaluate quotes``): direct F1 93.4 at 30% overlap
with 95.2% of speakers right, all attributions F1 72.4; on the domain dev set (``python -m
analysis evaluate domain``): all attributions F1 91.4, direct/partial 95.9, speaker accuracy
96.2, speaker-actor accuracy 92.5; about 180,000-350,000 words/s on one core
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
