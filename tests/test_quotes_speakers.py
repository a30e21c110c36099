"""Speakers as South Asian and Russian news writes them: frames, the speaker chain and each
speaker's actor, as golden tables of hand-written sentences (one row per hard case)."""

from __future__ import annotations

import pytest

from analysis.quotes import Quote, extract_quotes

#: (case, text, expected records as (kind, content, speaker, actor)); only the records listed
#: are checked, in order of the list, each must be found.
CASES: list[tuple[str, str, list[tuple[str, str, str | None, str | None]]]] = [
    (
        "outlet quoted a speaker as saying, quotation before",
        "“We will respond,” Geo News quoted a National Security Council spokesperson as saying.",
        [("direct", "We will respond,", "National Security Council spokesperson", None)],
    ),
    (
        "statement quoted a minister as telling",
        "A post-meeting statement quoted the Pakistani foreign minister as telling the visitor "
        "that ties were strong.",
        [("indirect", "ties were strong.", "Pakistani foreign minister", "Pakistan")],
    ),
    (
        "passive quoted as saying",
        "Sergei Lavrov was quoted as saying that the talks would resume in Moscow.",
        [("indirect", "the talks would resume in Moscow.", "Sergei Lavrov", "Russia")],
    ),
    (
        "it added carries the organisation named as speaker",
        "The Pakistani military said the strike was unprovoked. “It was a deliberate act,” it "
        "added.",
        [("direct", "It was a deliberate act,", "Pakistani military", "Pakistan")],
    ),
    (
        "the spokesman resolved to the spokesperson named before",
        "“Talks are under way,” said Pakistan's foreign ministry spokesperson Zara Baig. The "
        "weather was mild. “We remain hopeful,” the spokesman said.",
        [("direct", "We remain hopeful,", "Zara Baig", "Pakistan")],
    ),
    (
        "the ministry resolved to the ministry named in the text",
        "The Russian Energy Ministry signed the deal on Friday. The project will take two years, "
        "the ministry said.",
        [("indirect", "The project will take two years", "Russian Energy Ministry", "Russia")],
    ),
    (
        "pronoun refers to the subject of the sentence before",
        "Secretary of State Mike Pompeo met Shah Mahmood Qureshi. “We agree,” Qureshi said.\n\n"
        "Pompeo urged caution. “This is only a beginning,” he said.",
        [("direct", "This is only a beginning,", "Mike Pompeo", "United States")],
    ),
    (
        "family name first",
        "President Xi Jinping arrived in Astana. “Cooperation is the way,” Xi said.",
        [("direct", "Cooperation is the way,", "Xi Jinping", "China")],
    ),
    (
        "actor from the conjunct that describes the speaker",
        "Sergei Lavrov and Pakistani Foreign Minister Hina Rabbani Khar said the talks were "
        "useful.",
        [("indirect", "the talks were useful.", "Hina Rabbani Khar", "Pakistan")],
    ),
    (
        "actor from the person's title elsewhere in the text",
        "Pakistan's national security adviser, Moeed Yusuf, met reporters. Yusuf said Pakistan "
        "had other options.",
        [("indirect", "Pakistan had other options.", "Moeed Yusuf", "Pakistan")],
    ),
    (
        "a place after a preposition is not an affiliation",
        "Ayesha Rauf, a security analyst in Islamabad, said the region had changed.",
        [("indirect", "the region had changed.", "Ayesha Rauf", None)],
    ),
    (
        "described speaker without its determiner",
        "A senior military official told reporters that there had been no firing from the posts.",
        [
            (
                "indirect",
                "there had been no firing from the posts.",
                "senior military official",
                None,
            )
        ],
    ),
    (
        "adjective and preposition inside a speaker phrase",
        "Delhi had asked Moscow to reconsider the drills, officials familiar with the matter said.",
        [
            (
                "indirect",
                "Delhi had asked Moscow to reconsider the drills",
                "officials familiar with the matter",
                "India",
            )
        ],
    ),
    (
        "long phrase starts at its last article",
        "On the eve of the exercise the Russian embassy in New Delhi said that no drills would be "
        "held near the border.",
        [
            (
                "indirect",
                "no drills would be held near the border.",
                "Russian embassy in New Delhi",
                "Russia",
            )
        ],
    ),
    (
        "quotation after a sentence whose subject is a person",
        "Beijing hit back. Spokesman Wang Wenbin said the US should act.\n\n"
        "Mr Bhutto-Zardari pressed the case for help. “Pakistan did not cause this crisis.”",
        [("direct", "Pakistan did not cause this crisis.", "Bhutto-Zardari", None)],
    ),
    (
        "he after a quotation over two paragraphs refers to the subject before it",
        "Wang Wenbin said the US should act.\n\nMr Bhutto-Zardari pressed the case. “Pakistan "
        "did not cause this crisis.\n\n“We are not asking for charity,” he said.",
        [
            (
                "direct",
                "Pakistan did not cause this crisis.\n\n“We are not asking for charity,",
                "Bhutto-Zardari",
                None,
            )
        ],
    ),
    (
        "a coordinated verb finds its subject in its own clause",
        "Pakistan's envoy lodged a protest, while Foreign Minister Hina Rabbani Khar telephoned "
        "Hillary Clinton and told her that the attack was unacceptable.",
        [("indirect", "the attack was unacceptable.", "Hina Rabbani Khar", "Pakistan")],
    ),
    (
        "a participle with its agent is no frame",
        "The bombing at the airport, claimed by a regional affiliate, killed 13 people.",
        [],
    ),
    (
        "speaker with a lower-case description in apposition",
        "Ned Price, the US state department spokesperson, said on Wednesday: “We stand with "
        "Pakistan.”",
        [("direct", "We stand with Pakistan.", "Ned Price", "United States")],
    ),
    (
        "subject, then a place, then the cue",
        "State Department spokesperson Heather Nauert at a news briefing in Washington announced "
        "that aid would be cut.",
        [("indirect", "aid would be cut.", "Heather Nauert", "United States")],
    ),
    (
        "a participle whose subject cannot speak",
        "The move, suggesting a desire for calm in the region, was welcomed by diplomats.",
        [],
    ),
    (
        "a speech noun with its possessor",
        "Analysts checked Imran Khan’s claim that the strikes had “killed hundreds of fighters” "
        "in the valley.",
        [
            (
                "indirect",
                "the strikes had “killed hundreds of fighters” in the valley.",
                "Imran Khan",
                "Pakistan",
            ),
            ("partial", "killed hundreds of fighters", "Imran Khan", "Pakistan"),
        ],
    ),
    (
        "his office speaks for him",
        "Prime Minister Yousuf Raza Gilani of Pakistan met the army chief. His government was "
        "bound by parliament, according to his office.",
        [("indirect", "His government was bound by parliament", "Yousuf Raza Gilani", "Pakistan")],
    ),
    (
        "a led-by modifier is not part of the speaker",
        "The Nato-led International Security Assistance Force said it was investigating.",
        [
            (
                "indirect",
                "it was investigating.",
                "International Security Assistance Force",
                "NATO",
            )
        ],
    ),
    (
        "the ministry named earlier without its possessor",
        "Pakistan’s Ministry of Commerce issued new rules on Monday. Firms may export 26 goods, "
        "the ministry said.",
        [("indirect", "Firms may export 26 goods", "Ministry of Commerce", "Pakistan")],
    ),
    (
        "seek takes an infinitive, not a request",
        "Islamabad sought an explanation from Washington over the strike.",
        [],
    ),
    (
        "a relative clause about a claim is no frame",
        "Donald Trump said Narendra Modi had asked him to mediate, a claim New Delhi denied.",
        [
            (
                "indirect",
                "Narendra Modi had asked him to mediate, a claim New Delhi denied.",
                "Donald Trump",
                "United States",
            )
        ],
    ),
    (
        "what someone could say does not split the clause",
        "Anand Sharma said the country was shocked and only the Prime Minister could say what "
        "had passed.",
        [
            (
                "indirect",
                "the country was shocked and only the Prime Minister could say what had passed.",
                "Anand Sharma",
                None,
            )
        ],
    ),
    (
        "a relative clause of office names the state",
        "“The review is overdue,” said Maria Lopez, who chairs the Senate foreign relations "
        "committee.",
        [("direct", "The review is overdue,", "Maria Lopez", "United States")],
    ),
    (
        "who is, before a possessive description",
        "Ahmed Raza, who is also Pakistan's envoy to Moscow, said talks would go on.",
        [("indirect", "talks would go on.", "Ahmed Raza", "Pakistan")],
    ),
    (
        "a relative clause of meeting says nothing of the side",
        "Anna Petrova, who met Pakistani officials last week, said the plan was sound.",
        [("indirect", "the plan was sound.", "Anna Petrova", None)],
    ),
    (
        "who was, before a participle, is no description",
        "Omar Baig, who was arrested by Pakistani police in 2002, said he was innocent.",
        [("indirect", "he was innocent.", "Omar Baig", None)],
    ),
    (
        "a title to someone before the name",
        "Pakistan's ambassador to the United Nations Munir Akram said the vote was unjust.",
        [("indirect", "the vote was unjust.", "Munir Akram", "Pakistan")],
    ),
    (
        "a long title to someone before the name",
        "Adviser to the Prime Minister on Commerce Razak Dawood told reporters that exports had "
        "risen.",
        [
            (
                "indirect",
                "exports had risen.",
                "Adviser to the Prime Minister on Commerce Razak Dawood",
                None,
            )
        ],
    ),
    (
        "a bare plural group after an introductory phrase, its cue coordinated",
        "In Quetta, residents blocked the highway and chanted “We want water!”",
        [("direct", "We want water!", "residents", None)],
    ),
    (
        "a group with a determiner after an introductory phrase keeps its noun",
        "In Karachi, many protesters burned flags and chanted “Go home!”",
        [("direct", "Go home!", "protesters", None)],
    ),
    (
        "a group with a word of place after it",
        "Western diplomats here said the talks had stalled.",
        [("indirect", "the talks had stalled.", "Western diplomats here", None)],
    ),
    (
        "a clause after ', and' keeps the 'that' of its own cue",
        "Rehman said the charges were absurd, and told reporters that the army had done its job.",
        [
            ("indirect", "the charges were absurd", "Rehman", None),
            ("indirect", "the army had done its job.", "Rehman", None),
        ],
    ),
    (
        "a coordinated cue after a quoted word and auxiliaries borrows the speaker",
        "Senator Nadia Rehman told parliament that the charges were ‘absurd’, and had earlier "
        "assured reporters that this was ‘a failure of the whole world’.",
        [
            ("indirect", "the charges were ‘absurd’", "Nadia Rehman", None),
            ("indirect", "this was ‘a failure of the whole world’.", "Nadia Rehman", None),
        ],
    ),
    (
        "a cue with a pronoun object before 'according to' keeps its speaker",
        "Moscow would keep supplying the plant, the Russian minister assured him, according to "
        "a statement.",
        [("indirect", "Moscow would keep supplying the plant", "Russian minister", "Russia")],
    ),
    (
        "a pronoun after a described subject in the sentence before",
        "The Commander of the Chinese naval group thanked the hosts. He said that the visit had "
        "been useful.",
        [
            (
                "indirect",
                "the visit had been useful.",
                "Commander of the Chinese naval group",
                "China",
            )
        ],
    ),
    (
        "a pronoun after a subject that is no person stays unresolved",
        "The plan failed in May. He said that it would be revived.",
        [("indirect", "it would be revived.", None, None)],
    ),
    (
        "a tweet quoted with its signature line under it",
        "The minister posted a message.\n\n“We will not bow to pressure.”\n— Ali Raza (@aliraza) "
        "May 2, 2021\n\nThe row continued.",
        [("direct", "We will not bow to pressure.", "Ali Raza", None)],
    ),
    (
        "a state company names its state",
        "Rostec chief executive Ivan Sokolov said the helicopters would be delivered in May.",
        [("indirect", "the helicopters would be delivered in May.", "Ivan Sokolov", "Russia")],
    ),
    (
        "tweet set as a block after a colon",
        "The spokesman for the ministry, Ali Raza, wrote on Twitter:\n\n"
        "We have noted the remarks made to the press. No such request was ever made.\n"
        "— Ali Raza (@ministry) July 22, 2019\n\nThe row continued.",
        [
            (
                "direct",
                "We have noted the remarks made to the press. No such request was ever made.",
                "Ali Raza",
                None,
            )
        ],
    ),
]


def _row(q: Quote, text: str) -> tuple[str, str, str | None, str | None]:
    return (q.kind, text[q.start : q.end], q.speaker, q.actor)


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_speaker_cases(
    case: str, text: str, expected: list[tuple[str, str, str | None, str | None]]
) -> None:
    got = [_row(q, text) for q in extract_quotes(text)]
    for record in expected:
        assert record in got, f"{case}: {record} not in {got}"
    if not expected:
        assert got == [], f"{case}: {got}"


def test_reporting_clause_that_introduces_a_block_is_not_speech() -> None:
    text = "The military's media wing announced the arrival of the contingent on Twitter:\n\n"
    text += "A contingent has arrived for the first joint exercise.\n— DG ISPR (@ispr) Sep 23"
    kinds = [(q.kind, text[q.start : q.end]) for q in extract_quotes(text)]
    assert kinds == [("direct", "A contingent has arrived for the first joint exercise.")]


def test_headline_keeps_its_quotations_as_partial_with_the_headline_speaker() -> None:
    title = "US will ‘stand with Pakistan’, Blinken tells Bilawal; nudges Islamabad on debt"
    got = [
        (q.kind, title[q.start : q.end], q.speaker) for q in extract_quotes(title, headline=True)
    ]
    assert got == [("partial", "stand with Pakistan", "Blinken")]
    assert (
        extract_quotes("Trump Offers to Mediate on Kashmir, Says Modi Asked", headline=True) == []
    )


@pytest.mark.timeout(60)
def test_one_pointing_speaker_over_many_quotations_is_linear() -> None:
    block = " ".join(["“Yes.”"] * 5000) + " “No,” the spokesman said."
    quotes = extract_quotes(" ".join([block] * 4))
    assert len(quotes) > 5000
    assert all(q.end <= len(block) * 4 + 3 for q in quotes)


def test_a_sub_head_reports_no_speech_but_keeps_its_quotation() -> None:
    text = (
        "Lavrov Stresses Ties With Pakistan After Putin Cancels Visit\n\n"
        "Obama Says Museum Will Tell of ‘Suffering and Delight’\n\n"
        "Sergei Lavrov said on Monday that ties were strong."
    )
    got = [(q.kind, text[q.start : q.end]) for q in extract_quotes(text)]
    assert got == [("partial", "Suffering and Delight"), ("indirect", "ties were strong.")]
