"""Articles as saved from Pakistani, Indian, Russian, Chinese and US/UK outlets: datelines, site
furniture, headline mentions, look-alike names and metadata columns (golden tables of hand-written
cases; none is taken from a benchmark)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis
from analysis.actors import find_mentions
from analysis.corpus import InputWarning, document_from_text

PARAGRAPH = (
    "Pakistan and Russia on Monday agreed to expand cooperation in energy and defence, officials "
    "said after talks that lasted most of the day."
)
SECOND = (
    "The two sides also discussed the situation in Afghanistan and the region, a statement "
    "issued after the meeting said."
)
#: The rest of a news story (a footer is a small share of a real article).
MORE = "\n\n".join(
    [
        "Russian officials said the agreement would be signed during a visit to Islamabad later "
        "in the year, and that work on a gas pipeline from Karachi would begin soon.",
        "Pakistani officials described the talks as the most productive in a decade and said "
        "both sides wanted trade to grow beyond its present level of about $500 million.",
        "Analysts in Islamabad said the talks reflected a shift in the region, as Pakistan "
        "looks to diversify its partners beyond the United States and China.",
    ]
)

# (case, first paragraph as written, expected dateline, expected start of the body)
DATELINES = [
    ("colon", "ISLAMABAD: " + PARAGRAPH, "ISLAMABAD", "Pakistan and Russia"),
    ("agency dash", "ISLAMABAD (AP) — " + PARAGRAPH, "ISLAMABAD (AP)", "Pakistan and Russia"),
    ("country", "DOHA, Qatar (AP) — " + PARAGRAPH, "DOHA, Qatar (AP)", "Pakistan and Russia"),
    ("date agency colon", "LAHORE, June 9 (APP): " + PARAGRAPH, "LAHORE, June 9 (APP)", "Pakistan"),
    ("reuters", "MOSCOW, Oct 4 (Reuters) - " + PARAGRAPH, "MOSCOW, Oct 4 (Reuters)", "Pakistan"),
    ("tass", "MOSCOW, October 16. /TASS/. " + PARAGRAPH, "MOSCOW, October 16. /TASS/", "Pakistan"),
    ("two words", "NEW DELHI: " + PARAGRAPH, "NEW DELHI", "Pakistan and Russia"),
    ("em dash", "WASHINGTON — " + PARAGRAPH, "WASHINGTON", "Pakistan and Russia"),
    ("own line", "KARACHI, MARCH 3, 2019\n\n" + PARAGRAPH, "KARACHI, MARCH 3, 2019", "Pakistan"),
    (
        "own line title case",
        "Rawalpindi - May 4, 2016:\n\n" + PARAGRAPH,
        "Rawalpindi - May 4, 2016",
        "Pakistan",
    ),
    (
        "xinhua",
        "BEIJING, Sept. 12 (Xinhua) -- " + PARAGRAPH,
        "BEIJING, Sept. 12 (Xinhua)",
        "Pakistan",
    ),
    (
        "two places",
        "LONDON/ISLAMABAD (Reuters) - " + PARAGRAPH,
        "LONDON/ISLAMABAD (Reuters)",
        "Pakistan",
    ),
    ("title case", "Islamabad, Oct 4 (APP): " + PARAGRAPH, "Islamabad, Oct 4 (APP)", "Pakistan"),
    ("title case date", "Karachi, May 3: " + PARAGRAPH, "Karachi, May 3", "Pakistan"),
    ("title case word", "Islamabad: " + PARAGRAPH, None, "Islamabad: Pakistan"),
    ("none", PARAGRAPH, None, "Pakistan and Russia"),
    (
        "capitals sentence",
        "NATO said on Monday it would review its supply routes.",
        None,
        "NATO said",
    ),
]


@pytest.mark.parametrize(("case", "first", "dateline", "starts"), DATELINES, ids=lambda v: v)
def test_dateline_is_kept_apart(case: str, first: str, dateline: str | None, starts: str) -> None:
    raw = f"Talks in the capital\n\n{first}\n\n{SECOND}\n"
    doc = document_from_text(raw, doc_id="a", path="a.txt")
    assert doc.dateline == dateline, case
    assert doc.body.startswith(starts), case
    assert raw[doc.raw_offset(0) :].startswith(starts)
    if dateline:  # the dateline's place is no mention of the body
        place = dateline.split(",")[0].split(" (")[0].split(" -")[0]
        assert place not in {m.surface for m in find_mentions(doc.body[: len(dateline) + 2])}


# (case, furniture lines as outlets print them)
FURNITURE = [
    (
        "tribune footer",
        [
            "Published in The Express Tribune, March 4th, 2019.",
            "Read more: Pakistan, Russia sign pact",
            "COMMENTS (14)",
            "Comments are moderated and generally will be posted if they are on-topic.",
        ],
    ),
    (
        "dawn",
        [
            "Published in Dawn, March 4th, 2019",
            "Follow Dawn on Twitter and Facebook for the latest updates.",
        ],
    ),
    (
        "app",
        [
            "© Associated Press of Pakistan. All rights reserved.",
            "Share: Facebook | Twitter | WhatsApp",
        ],
    ),
    ("rt", ["Like this story? Share it with a friend!"]),
    ("hindu", ["Related Topics: India-Pakistan | Kashmir", "© THG PUBLISHING PVT LTD."]),
    (
        "ht",
        [
            "Get the latest world news and updates on the go. Follow @htTweets for more.",
            "First Published: Mar 4, 2019 18:20 IST",
        ],
    ),
    (
        "guardian",
        [
            "Explore more on these topics: Pakistan | Russia | US foreign policy",
            "Reuse this content",
        ],
    ),
    (
        "voa",
        [
            "Related: Pakistan's Khan Rallies Supporters",
            "Voice of America | Terms of Use | Privacy Notice",
        ],
    ),
    ("moscow times", ["Support The Moscow Times!"]),
    (
        "reuters",
        [
            "Reporting by Asif Shahzad; Editing by Mark Heinrich",
            "Our Standards: The Thomson Reuters Trust Principles.",
        ],
    ),
    (
        "toi",
        ["(With inputs from PTI)", "Download The Times of India News App for Latest India News"],
    ),
    ("tass", ["Follow TASS on Telegram for the latest news"]),
    ("the news", ["Originally published in The News, March 4, 2019"]),
    ("xinhua", ["Editor: Liu Wei"]),
]


@pytest.mark.parametrize(
    ("case", "lines"), FURNITURE, ids=lambda v: v if isinstance(v, str) else ""
)
def test_site_furniture_is_dropped(case: str, lines: list[str]) -> None:
    raw = "Talks in the capital\n\n" + "\n\n".join([PARAGRAPH, SECOND, MORE, *lines]) + "\n"
    doc = document_from_text(raw, doc_id="a", path="a.txt")
    assert doc.body == f"{PARAGRAPH}\n\n{SECOND}\n\n{MORE}", case
    dropped = " ".join(raw[s:e] for s, e in doc.furniture)
    assert all(line in dropped for line in lines[-1:]), case


def test_page_header_and_timestamps_before_the_body() -> None:
    raw = (
        "Inter Services Public Relations | Home | Media | Press Releases\n\n"
        "Joint exercise opens at Cherat\n\n"
        "No PR-101/2016-ISPR    Dated: September 24, 2016\n\n"
        "Updated: Oct 11, 2016 19:42 IST\n\n"
        f"{PARAGRAPH}\n"
    )
    doc = document_from_text(raw, doc_id="a", path="a.txt")
    assert doc.title == "Joint exercise opens at Cherat"
    assert raw[doc.title_start : doc.title_start + len(doc.title)] == doc.title
    assert doc.body == PARAGRAPH
    assert len(doc.furniture) == 3


# Sentences that look like furniture at first glance but belong to the article.
ARTICLE_SENTENCES = [
    "Published in 2019, the report said Pakistan had met most of its targets.",
    "Copyright law was not on the agenda, the minister said.",
    "Comments by the ambassador drew a sharp reply from Islamabad.",
    "Share prices in Karachi rose after the talks ended on Tuesday.",
    "Support for the deal in Moscow was strong, officials said.",
    "Updated figures show trade between the two countries doubled.",
    "Editors in Karachi said the story was accurate.",
    "Follow-up talks on the pipeline are due in Moscow next month.",
    "Photographs of the ceremony were released by the Pakistan Army.",
]


@pytest.mark.parametrize("sentence", ARTICLE_SENTENCES)
def test_no_sentence_of_the_article_is_dropped(sentence: str) -> None:
    raw = f"Talks in the capital\n\n{PARAGRAPH}\n\n{sentence}\n\n{SECOND}\n"
    doc = document_from_text(raw, doc_id="a", path="a.txt")
    assert sentence in doc.body


# (text, expected (surface, actor) pairs)
MENTIONS = [
    ("The National Security Council met at the White House.", [("White House", "United States")]),
    ("The deal was worth US$ 3 billion, paid in US dollars and Chinese yuan.", []),
    ("He wrote for The Moscow Times and Pakistan Today.", []),
    ("The Pakistani Taliban, or Tehrik-i-Taliban Pakistan, attacked a post.", []),
    ("Work on the China-Pakistan Economic Corridor went on.", []),
    ("Playing Russian roulette with Pakistan Peoples Party votes.", []),
    (
        "Prime Minister Yousuf Raza Gillani met the army chief. Gillani said no.",
        [("Yousuf Raza Gillani", "Pakistan"), ("Gillani", "Pakistan")],
    ),
    (
        "Imran Khan spoke first. Later Khan said the spokesman Moazzam Ali Khan was wrong.",
        [("Imran Khan", "Pakistan"), ("Khan", "Pakistan")],
    ),
    (
        "Mullah Abdul Ghani Baradar signed. Baradar smiled.",
        [("Mullah Abdul Ghani Baradar", "Taliban"), ("Baradar", "Taliban")],
    ),
    (
        "China's Foreign Ministry said the trade was normal.",
        [("China", "China"), ("Foreign Ministry", "China")],
    ),
    ("The Pakistani Defence Ministry denied it.", [("Pakistani Defence Ministry", "Pakistan")]),
    (
        "Pakistan protested. In a statement, the Foreign Ministry said it was not told.",
        [("Pakistan", "Pakistan"), ("Foreign Ministry", "Pakistan")],
    ),
    (
        "Congress leader Anand Sharma said members of Congress in Washington disagreed.",
        [("Congress", "United States"), ("Washington", "United States")],
    ),
    ("AFTER ABBOTTABAD, THE QUESTION IS WHAT THE US OWES US", [("THE US", "United States")]),
    ("Contact Us | Sitemap", []),
]


@pytest.mark.parametrize(
    ("text", "expected"), MENTIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_mentions_in_this_discourse(text: str, expected: list[tuple[str, str]]) -> None:
    found = [(m.surface, m.actor) for m in find_mentions(text)]
    wanted = [(s.removeprefix("THE "), a) for s, a in expected]
    assert found == wanted


def test_headline_mentions_are_flagged_and_use_the_body_for_surnames(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        f"Putin and Khan agree to coordinate\n\nISLAMABAD: Prime Minister Imran Khan and "
        f"President Vladimir Putin spoke on Monday.\n\n{SECOND}\n",
        encoding="utf-8",
    )
    result = analysis.analyze(article)
    headline = result.mentions[result.mentions["in_headline"]]
    assert list(zip(headline["surface"], headline["actor"], strict=True)) == [
        ("Putin", "Russia"),
        ("Khan", "Pakistan"),
    ]
    assert set(headline["sentence"]) == {-1}
    body = result.mentions[~result.mentions["in_headline"]]
    assert "ISLAMABAD" not in set(body["surface"])
    assert result.documents.loc[0, "dateline"] == "ISLAMABAD"
    evidence = result.evidence("Russia")
    in_headline = evidence[evidence["in_headline"]]
    assert list(in_headline["text"]) == ["Putin and Khan agree to coordinate"]


def test_every_sidecar_field_is_a_column(tmp_path: Path) -> None:
    for name, country in (("pk", "Pakistan"), ("ru", "Russia")):
        (tmp_path / f"{name}.txt").write_text(f"Talks\n\n{PARAGRAPH}\n", encoding="utf-8")
        (tmp_path / f"{name}.meta.yaml").write_text(
            f'source: "Outlet {name}"\ncountry: "{country}"\nlanguage: en\n', encoding="utf-8"
        )
    (tmp_path / "plain.txt").write_text(f"Talks\n\n{SECOND}\n", encoding="utf-8")
    docs = analysis.analyze(tmp_path).documents.set_index("doc_id")
    assert list(docs.columns[-2:]) == ["country", "language"]
    assert docs.loc["pk", "country"] == "Pakistan" and docs.loc["ru", "country"] == "Russia"
    assert pd.isna(docs.loc["plain", "country"])


def test_a_rule_file_with_a_bad_pattern_names_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("drop_line:\n  - '^Share'\n  - '([unclosed'\n", encoding="utf-8")
    with pytest.raises(analysis.corpus.LexiconError, match=r"rules\.yaml:3: bad regular"):
        analysis.corpus.load_boilerplate(str(rules))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                PARAGRAPH,
                SECOND,
                "ISLAMABAD:",
                "COMMENTS (3)",
                "Published in Dawn, May 1st, 2020",
                "Share: Facebook",
                "© 2020 ISPR. All rights reserved.",
                "US$ 5",
                "Pakistan",
                "Imran Khan",
                "Khan",
                "— ",
                "“",
                "\n",
                "Foreign Ministry",
                "x" * 30,
            ]
        ),
        min_size=1,
        max_size=12,
    ).map(" ".join)
)
def test_body_maps_back_to_the_file_and_mentions_lie_inside(text: str) -> None:
    raw = f"Headline for the test\n\n{text}\n\n{PARAGRAPH}\n"
    with warnings.catch_warnings():  # a rule cutting a quarter of a short text warns
        warnings.simplefilter("ignore", InputWarning)
        doc = document_from_text(raw, doc_id="p", path="p.txt")
    for i in range(0, len(doc.body), 7):
        at = doc.raw_offset(i)
        # the blank line joining two kept blocks is the body's own; every other character is
        # the file's
        assert at is not None and (doc.body[i].isspace() or raw[at] == doc.body[i])
    for m in find_mentions(doc.body):
        assert doc.body[m.start : m.end] == m.surface
