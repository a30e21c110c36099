"""Actor mentions: hand-counted seed figures, compounds, case rules, user lexicons."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.actors import count_by_actor, find_mentions, load_actor_lexicon
from analysis.errors import LexiconError

# Counted by hand in the seed's body (title, author note and footer excluded):
# United States: US ×14, United States ×4, President Trump ×3, Trump ×2,
#   Trump Administration ×1, Pentagon ×3 ("the President" alone is not counted) = 27
# Pakistan: Pakistan ×18, Pakistani ×5, Pak ×1, Pak-Russia ×2, Pakistan-Russia ×1,
#   Russia-Pakistan ×1, AfPak ×1 = 29
# Russia: Russia ×18, Russian ×2, Pak-Russia ×2, Pakistan-Russia ×1, Russia-Pakistan ×1 = 24
# Afghanistan: Afghanistan ×10, AfPak ×1 = 11; China ×3; ISIS: ISIS ×2, IS ×1 = 3; NATO ×1
SEED_COUNTS = {
    "United States": 27,
    "Pakistan": 29,
    "Russia": 24,
    "Afghanistan": 11,
    "China": 3,
    "ISIS": 3,
    "NATO": 1,
}


def test_seed_counts_by_hand(seed_doc):
    assert count_by_actor(find_mentions(seed_doc.body)) == SEED_COUNTS


def test_seed_aliases_seen(seed_doc, gold):
    mentions = find_mentions(seed_doc.body)
    for actor, facts in gold["actors_expected"].items():
        surfaces = {m.surface for m in mentions if m.actor == actor}
        assert set(facts["aliases_seen"]) <= surfaces, actor


CASES = [
    ("us-vs-US", "Tell us what the US wants.", [("United States", "US")]),
    ("is-vs-IS", "It is clear that IS is weak.", [("ISIS", "IS")]),
    ("headline-caps", "PAKISTAN IS READY", [("Pakistan", "PAKISTAN")]),
    (
        "possessive-curly",
        "Russia’s view and Pakistan's view",
        [("Russia", "Russia"), ("Pakistan", "Pakistan")],
    ),
    (
        "compound-pak-russia",
        "Pak-Russia ties",
        [("Pakistan", "Pak-Russia"), ("Russia", "Pak-Russia")],
    ),
    (
        "compound-en-dash",
        "Pakistan–Russia ties",
        [("Pakistan", "Pakistan–Russia"), ("Russia", "Pakistan–Russia")],
    ),
    ("compound-afpak", "envoy on AfPak", [("Afghanistan", "AfPak"), ("Pakistan", "AfPak")]),
    ("compound-indo-pak", "Indo-Pak tension", [("India", "Indo-Pak"), ("Pakistan", "Indo-Pak")]),
    (
        "compound-sino",
        "Sino-Pakistan friendship",
        [("China", "Sino-Pakistan"), ("Pakistan", "Sino-Pakistan")],
    ),
    ("single-hyphen-part", "the US-led coalition", [("United States", "US")]),
    (
        "metonyms",
        "Moscow, the Kremlin, the White House and Beijing",
        [
            ("Russia", "Moscow"),
            ("Russia", "Kremlin"),
            ("United States", "White House"),
            ("China", "Beijing"),
        ],
    ),
    (
        "institution-longest",
        "the Trump Administration and the Russian Defence Ministry",
        [("United States", "Trump Administration"), ("Russia", "Russian Defence Ministry")],
    ),
    ("exclusions", "the Indian Ocean, the Washington Post and Latin America", []),
    (
        "dotted",
        "The U.S. and the U.K. met.",
        [("United States", "U.S."), ("United Kingdom", "U.K.")],
    ),
    (
        "demonym-plural",
        "Americans and Pakistanis",
        [("United States", "Americans"), ("Pakistan", "Pakistanis")],
    ),
    ("no-substring", "Russianness, Chinatown, Iranianism", []),
    # earlier leaders, as histories and analysis pieces name them (a former leader is a
    # mention for what they did in office); their surnames follow the full name
    (
        "historical-leaders",
        "In 1966 Lal Bahadur Shastri and Ayub Khan met Alexei Kosygin at Tashkent; "
        "later Kosygin and Ayub Khan spoke again.",
        [
            ("India", "Lal Bahadur Shastri"),
            ("Pakistan", "Ayub Khan"),
            ("Russia", "Alexei Kosygin"),
            ("Russia", "Kosygin"),
            ("Pakistan", "Ayub Khan"),
        ],
    ),
    (
        "historical-surname",
        "Benazir Bhutto flew to Washington to see George H.W. Bush. Bhutto asked for F-16s.",
        [
            ("Pakistan", "Benazir Bhutto"),
            ("United States", "Washington"),
            ("United States", "George H.W. Bush"),
            ("Pakistan", "Bhutto"),
        ],
    ),
    (
        "another-person-same-surname",
        "In 1971 Indira Gandhi sent the army east.\n\n"
        "Opposition leader Rahul Gandhi said on Tuesday that the talks had been a failure.",
        [("India", "Indira Gandhi")],
    ),
    (
        "congress-of-another-state",
        "The National People's Congress met while the US Congress was in recess.",
        [("China", "National People's Congress"), ("United States", "US Congress")],
    ),
    (
        "surname-after-a-sentence-ending-word",
        "The call reached Yousuf Raza Gilani on Saturday. Gilani told her little.",
        [("Pakistan", "Yousuf Raza Gilani"), ("Pakistan", "Gilani")],
    ),
    (
        "institution-default-without-other-mentions",
        "The Senate passed the bill on Tuesday.",
        [("United States", "Senate")],
    ),
    (
        "administrations-and-agencies",
        "The Bush administration blamed the GRU; the Islamic Emirate denied it.",
        [
            ("United States", "Bush administration"),
            ("Russia", "GRU"),
            ("Taliban", "Islamic Emirate"),
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_golden_mentions(case, text, expected):
    found = [(m.actor, m.surface) for m in find_mentions(text)]
    assert found == expected
    for m in find_mentions(text):
        assert text[m.start : m.end] == m.surface


def test_user_lexicon_extends_and_replaces(tmp_path: Path):
    user = tmp_path / "actors.yaml"
    user.write_text(
        "version: mine-1\nactors:\n  - name: Pakistan\n    leaders: [Quaid]\n"
        "  - name: Turkey\n    names: [Turkey, Türkiye]\n    places: [Ankara]\n",
        encoding="utf-8",
    )
    ext = load_actor_lexicon(user)
    text = "Quaid met officials in Ankara and Moscow."
    assert [m.actor for m in find_mentions(text, ext)] == ["Pakistan", "Turkey", "Russia"]
    assert "mine-1" in ext.version
    rep = load_actor_lexicon(user, mode="replace")
    assert [m.actor for m in find_mentions(text, rep)] == ["Pakistan", "Turkey"]
    assert rep.actors == ("Pakistan", "Turkey")


def test_malformed_lexicon_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("actors:\n  - name: X\n    names: [a, b\n  - name: Y\n", encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_actor_lexicon(bad)
    assert info.value.source == str(bad)
    assert info.value.line is not None
    assert f"{bad}:{info.value.line}:" in str(info.value)


def test_lexicon_structure_errors(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("actors:\n  - names: [X]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="needs a 'name'"):
        load_actor_lexicon(bad)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_mention_properties(text):
    mentions = find_mentions(text)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.surface
    assert [(m.start, m.end, m.actor) for m in mentions] == sorted(
        (m.start, m.end, m.actor) for m in mentions
    )
    assert mentions == find_mentions(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Pakistan", "US", "us", "IS", "is", "Pak-Russia", " ", ", ", "’s", "-"]),
        max_size=30,
    )
)
def test_mention_properties_on_alias_soup(parts):
    text = "".join(parts)
    for m in find_mentions(text):
        assert text[m.start : m.end] == m.surface
        if m.surface in ("US", "IS"):
            assert m.actor in ("United States", "ISIS")
