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
