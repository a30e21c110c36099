"""Reported clauses as US political news writes them: coordinated cues, participles and
speaker phrases, as golden tables of hand-written sentences (one row per general pattern)."""

from __future__ import annotations

import pytest

from analysis.quotes import Quote, extract_quotes

#: (case, text, expected records as (kind, content, speaker)); only the records listed are
#: checked, each must be found; ``absent`` contents must not be reported at all.
CASES: list[tuple[str, str, list[tuple[str, str, str | None]]]] = [
    (
        "a second cue coordinated with the first splits the clause",
        "Marquez promised to keep campaigning for the senator and said she would answer every "
        "attack.",
        [
            ("indirect", "to keep campaigning for the senator", "Marquez"),
            ("indirect", "she would answer every attack.", "Marquez"),
        ],
    ),
    (
        "a comma and a participle cue after the first clause",
        "Governor Ellison described the budget fight as pointless, saying the legislature "
        "would settle it by June.",
        [
            ("indirect", "the budget fight as pointless", "Ellison"),
            ("indirect", "the legislature would settle it by June.", "Ellison"),
        ],
    ),
    (
        "a participle cue after a preposition takes the subject of the clause",
        "Lopez began by saying the budget was “a disaster” for schools.",
        [("indirect", "the budget was “a disaster” for schools.", "Lopez")],
    ),
    (
        "a participle cue after a subordinator, then a quotation",
        "Marchers crossed the bridge while chanting, “No justice, no peace.”",
        [("direct", "No justice, no peace.", "Marchers")],
    ),
    (
        "a pronoun contracted with is before a progressive cue",
        "Maria Vega spoke first. She’s claiming that the count was “rigged from the start.”",
        [("indirect", "the count was “rigged from the start.”", "Maria Vega")],
    ),
    (
        "ruled that: a court's finding",
        "The appeals court ruled that the new district map was unconstitutional.",
        [("indirect", "the new district map was unconstitutional.", "appeals court")],
    ),
    (
        "proclaimed: a speech verb with a noun-phrase content",
        "Mayor Ortiz proclaimed a new era of “open government” for the city.",
        [("indirect", "a new era of “open government” for the city.", "Ortiz")],
    ),
    (
        "rated … as: a characterising verb",
        "The watchdog rated the claim as “mostly false” in its weekly review.",
        [("indirect", "the claim as “mostly false” in its weekly review.", "watchdog")],
    ),
    (
        "referenced: a stance verb whose object is the content",
        "The senator referenced “deep divisions” within the party.",
        [("indirect", "“deep divisions” within the party.", "senator")],
    ),
    (
        "a quotation after a sentence whose cue attributed nothing takes that cue's speaker",
        "Dana Whitfield, his former partner, called him a genius at logistics. “He could move "
        "anything anywhere.”",
        [("direct", "He could move anything anywhere.", "Dana Whitfield")],
    ),
    (
        "a quotation after a colon takes the person who is the sentence's subject",
        "With turnout lagging, Senator Rosa Alvarez is trying a blunter message: “Vote or lose "
        "it all.”",
        [("direct", "Vote or lose it all.", "Rosa Alvarez")],
    ),
    (
        "a coordinated cue takes the clause's first speaker, not one inside its content",
        "Governor Hale said that his aides believe the plan works but said “the numbers are not "
        "final.”",
        [("partial", "the numbers are not final.", "Hale")],
    ),
    (
        "a participle after a message noun speaks for the clause's subject",
        "Trump unleashed a series of tweets early Friday saying that Clinton had shown bad "
        "judgment.",
        [("indirect", "Clinton had shown bad judgment.", "Trump")],
    ),
    (
        "a statement calling: the body that issued it",
        "The Security Council issued a statement calling the test “a clear violation” of its "
        "resolutions.",
        [("indirect", "the test “a clear violation” of its resolutions.", "Security Council")],
    ),
    (
        "according to X, at the start: the clause after the comma is the content",
        "According to Dorsey, the county budget has been cut three years in a row.",
        [("indirect", "the county budget has been cut three years in a row.", "Dorsey")],
    ),
    (
        "according to a source phrase that runs to the end of the sentence",
        "Turnout fell sharply among young voters, according to a Gallup/CNN survey released "
        "on Monday.",
        [("indirect", "Turnout fell sharply among young voters", "Gallup")],
    ),
    (
        "according to X with an apposition: the apposition is not content",
        "Property taxes would rise for most families, according to an analysis by Ana Ruiz, a "
        "former budget aide, who studied the plan.",
        [("indirect", "Property taxes would rise for most families", "analysis")],
    ),
    (
        "a poll shows a bare object",
        "Recent polls show a tight race in the state.",
        [("indirect", "a tight race in the state.", "Recent polls")],
    ),
    (
        "a study found a bare clause",
        "A 2014 audit found 42 unpaid contracts in the city.",
        [("indirect", "42 unpaid contracts in the city.", "2014 audit")],
    ),
    (
        "called X a Y: an object and what it is called",
        "The governor has called the new tax a disaster for farmers.",
        [("indirect", "the new tax a disaster for farmers.", "governor")],
    ),
    (
        "agreed to: an intention with an infinitive",
        "The two unions agreed to share the cost of the new clinic.",
        [("indirect", "to share the cost of the new clinic.", "two unions")],
    ),
    (
        "agreed with a bare clause",
        "Most economists agreed the tariff was a mistake.",
        [("indirect", "the tariff was a mistake.", "economists")],
    ),
    (
        "asked a hearer to do something: the infinitive is the request",
        "Senator Lena Ortiz asked the two candidates to debate the budget first.",
        [("indirect", "to debate the budget first.", "Lena Ortiz")],
    ),
    (
        "told a hearer to do something",
        "The coach told his players to stay calm.",
        [("indirect", "to stay calm.", "coach")],
    ),
    (
        "a bare clause begun by a pronoun: a later 'that' is not the complementizer",
        "Senator Ruiz said he doubted the plan would pass, arguing that the votes were not there.",
        [
            ("indirect", "he doubted the plan would pass", "Ruiz"),
            ("indirect", "the votes were not there.", "Ruiz"),
        ],
    ),
    (
        "a relative clause after the speaker, then a clause with a negated verb",
        "Economist Maya Chen, who studies housing at the state university, said the new rules "
        "didn't help renters.",
        [("indirect", "the new rules didn't help renters.", "Maya Chen")],
    ),
    (
        "told a named hearer, then a modifier: the clause is before the cue",
        "The plan will pass easily, Senator Vega told The Capital Gazette on Friday.",
        [("indirect", "The plan will pass easily", "Vega")],
    ),
]

#: (case, text, a reported content): the clause is reported whole, not split.
WHOLE: list[tuple[str, str, str]] = [
    (
        "a verb coordinated inside the reported clause",
        "Ramirez said the union was committed to the contract and wanted better terms for "
        "night workers.",
        "the union was committed to the contract and wanted better terms for night workers.",
    ),
    (
        "a verb whose subject is inside the reported clause",
        "The senator said Ohio welcomed the ruling and hoped the court would act soon.",
        "Ohio welcomed the ruling and hoped the court would act soon.",
    ),
]


def _row(q: Quote, text: str) -> tuple[str, str, str | None]:
    return (q.kind, text[q.start : q.end], q.speaker)


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_clause_cases(case: str, text: str, expected: list[tuple[str, str, str | None]]) -> None:
    got = [_row(q, text) for q in extract_quotes(text)]
    for record in expected:
        assert record in got, f"{case}: {record} not in {got}"


@pytest.mark.parametrize(("case", "text", "content"), WHOLE, ids=[c[0] for c in WHOLE])
def test_clause_reported_whole(case: str, text: str, content: str) -> None:
    got = [text[q.start : q.end] for q in extract_quotes(text) if q.kind == "indirect"]
    assert got == [content], f"{case}: {got}"


#: (case, text): no attribution at all.
NONE: list[tuple[str, str]] = [
    (
        "show with a person as subject needs that",
        "The family will show visitors the garden on Sunday.",
    ),
    ("find with a person as subject needs that", "The mayor found a new office for the agency."),
    ("show as a noun in a programme's name", "Apple Music show The 411 has a new host."),
    ("called an object alone: not characterising", "The senator called a press conference."),
    ("a cue word before a finite verb is a noun", "The jobless rate is a widely watched figure."),
]


@pytest.mark.parametrize(("case", "text"), NONE, ids=[c[0] for c in NONE])
def test_clause_none(case: str, text: str) -> None:
    got = [text[q.start : q.end] for q in extract_quotes(text)]
    assert got == [], f"{case}: {got}"


def test_transcript_turns_are_direct_quotations_of_their_labels() -> None:
    text = (
        "The senator spoke to a radio host on Sunday. Partial transcript:\n\n"
        '"HOST: Will you run again next year?\n\n'
        '"MARTINEZ: I have not decided. My family comes first.\n\n'
        '"And the party knows it.\n\n'
        '"(CROSSTALK.)\n\n'
        '"HOST: Thank you, Senator.\n'
    )
    quotes = extract_quotes(text)
    assert [(q.kind, q.speaker, q.cue) for q in quotes] == [
        ("direct", "HOST", ":"),
        ("direct", "MARTINEZ", ":"),
        ("direct", "HOST", ":"),
    ]
    second = quotes[1]
    assert [text[s:e] for s, e in second.parts] == [
        "I have not decided. My family comes first.",
        '"And the party knows it.'[1:],
    ]


def test_a_lone_label_makes_no_transcript() -> None:
    text = "UPDATE: The vote was moved to Friday.\n\nWASHINGTON: The council met on Monday.\n"
    assert extract_quotes(text) == []


def test_a_digest_of_datelined_items_is_no_transcript() -> None:
    text = (
        "News in brief\n\n"
        "ISLAMABAD: The cabinet approved a new power tariff on Tuesday.\n\n"
        "KARACHI: Traders kept their shops closed for a second day.\n\n"
        "LAHORE: Heavy rain flooded several low-lying areas.\n"
    )
    assert extract_quotes(text) == []  # three places, none of them takes the floor twice


@pytest.mark.parametrize(
    "text",
    ["Through a spokesman, the governor declined.", "With the vote near, Mayor Diaz warned."],
)
def test_an_introductory_phrase_is_no_reported_content(text: str) -> None:
    assert extract_quotes(text) == []


def test_a_quoted_sub_head_in_title_case_is_no_statement() -> None:
    text = "“We will win,” Mayor Diaz said.\n\n‘A City Divided at Last.’\n\nThe council met.\n"
    assert [(text[q.start : q.end], q.speaker) for q in extract_quotes(text)] == [
        ("We will win,", "Diaz")
    ]
