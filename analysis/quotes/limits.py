"""Thresholds of quotation attribution, each with its reason."""

#: Characters searched before a cue for its speaker: a long apposition ("X, a senior research
#: analyst at the Stockholm International Peace Research Institute (SIPRI), said") fits.
SPEAKER_WINDOW = 240
#: Characters tried first when looking for a speaker before a cue ("…, a senior official said");
#: the full window is used only when the phrase may reach further.
SHORT_SPEAKER_WINDOW = 90
#: Characters after a cue searched for "that" and the start of the reported clause.
AFTER_WINDOW = 90
#: Longest speaker noun phrase in words; longer stretches are clauses, not speakers.
MAX_SPEAKER_WORDS = 9
#: Longest apposition (description) in words.
MAX_DESCRIPTION_WORDS = 18
#: Tokens searched after a cue for "that" ("says at a campaign stop in Toledo, Ohio, that …").
THAT_LOOKAHEAD_WORDS = 12
#: Shortest reported clause, in words, that counts as reported speech ("…, he said" after a
#: two-word fragment is more often a stray frame than an attribution).
MIN_INDIRECT_WORDS = 3
#: Characters of a characterising clause searched for "as" or a quotation ("views Y as Z").
NEEDS_AS_WINDOW = 300
#: Most reported-speech attributions read from one sentence.
MAX_REPORTED_PER_UNIT = 3
#: Share of capitalised words that marks a headline ("Obama Says Museum Will Tell …").
HEADLINE_CAPS_SHARE = 0.6
#: Words of a unit read to decide whether it is a headline: a headline is short.
HEADLINE_WORDS = 40
#: Deepest nesting of quotation marks tracked (“… ‘…’ …”); deeper marks are ignored.
MAX_NESTING = 2
#: Farthest (in characters) a pronoun looks back for its antecedent: about two paragraphs.
ANTECEDENT_WINDOW = 1500
#: Most candidate names examined per pronoun (bounds the work on pathological texts).
MAX_ANTECEDENT_CANDIDATES = 12
#: Longest modifier (words) between a frame and the quotation it introduces ("told reporters
#: on Tuesday, “…”"); longer stretches are clauses of their own.
GAP_WORDS = 6
#: The same after a first quotation, where the frame continues the quotation ("…,” Trump said
#: during a rally in Kenansville, N.C., “but …”).
GAP_WORDS_CONTINUING = 12
#: Longest gap (characters) between a frame and its quotation worth reading word by word.
MAX_GAP_CHARS = 120
#: Farthest (in characters) the speaker chain looks back for the speaker that "it", "they" or
#: "the spokesman" refers to: about three paragraphs of news.
CHAIN_WINDOW = 2500
#: Longest definite description (words after "the") read as referring back ("the foreign
#: ministry spokesman"); longer ones describe a speaker of their own.
MAX_ANAPHOR_WORDS = 4
#: Characters before a pronoun "it"/"they" searched for the organisation it stands for when no
#: earlier speaker fits: the sentence before it.
PRONOUN_ACTOR_WINDOW = 400
#: Occurrences of a person's surname read for a title or apposition naming the affiliation.
MAX_NAME_OCCURRENCES = 12
#: Characters read before and after a name for its title or apposition.
TITLE_WINDOW = 120
#: Characters searched back for the start of a sentence (a long sentence of news).
SENTENCE_LOOKBACK = 600
#: Capitalised words after an office's name that make a person's name ("Foreign Affairs Sartaj
#: Aziz"); one word after it is more often part of the name ("Foreign Office Minister").
MIN_NAME_AFTER_ORGANISATION = 2
#: Characters before a participle cue searched for "quoted <speaker> as" ("CNN quoted a National
#: Security Council spokesperson as saying").
QUOTED_AS_WINDOW = 120
#: Characters before and after a speaker searched for the person's other mentions (titles,
#: appositions): a long article before, a few paragraphs after.
NAME_SEARCH_BEFORE = 8000
NAME_SEARCH_AFTER = 2000
#: Characters before a speech noun searched for its possessor ("Donald Trump's widely ridiculed
#: claim that …").
POSSESSOR_WINDOW = 80
#: Longest first word of a two-word name read as a family name even when it is also a given
#: name ("Xi Jinping", "Lu Kang"); longer ones ("Donald Trump") are given names.
SHORT_FAMILY_NAME = 2
#: Characters before a finding cue searched for a source of evidence as its subject ("leaked
#: documents from his 1995 tax return show …").
SOURCE_WINDOW = 80
#: Most words of a hearer between a cue and its infinitive ("asked the two candidates to …").
HEARER_WORDS = 6
#: Fewest labelled paragraphs ("WALLACE: …") that make a text a transcript.
MIN_TURNS = 2
