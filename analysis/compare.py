"""Corpus comparisons: keyness of words between two groups of texts, and NMF topics.

Keyness follows Rayson & Garside (2000): for each word, the log-likelihood statistic G²
(Dunning 1993) over a 2 × 2 table of its frequency in each group against the group's size, with
its effect size as the log ratio of the relative frequencies (Hardie 2014: log2 of the ratio;
+1 means twice as frequent in group A). G² says how sure, the log ratio how big; both are
reported, sorted by G².

Groups are documents picked by any column of the documents table (:func:`compare_documents`:
outlet, author, period, ...) or sentences that mention one actor against sentences that mention
another (:func:`compare_actors`).

For corpora of :data:`MIN_DOCUMENTS_FOR_TOPICS` documents or more, :func:`nmf_topics` gives a
data-driven view beside the dictionary themes: non-negative matrix factorisation (Lee & Seung
1999) of the tf-idf matrix, with a deterministic initialisation (NNDSVD, Boutsidis & Gallopoulos
2008) and a fixed random state.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ALPHA",
    "MIN_DOCUMENTS_FOR_TOPICS",
    "MIN_FREQ",
    "TopicModel",
    "compare_actors",
    "compare_documents",
    "default_stop_words",
    "keyness",
    "nmf_topics",
    "term_counts",
    "tokenize",
]

#: A word must occur at least this often in the two groups together to be tested: with groups
#: of equal size, 3 against 0 is the smallest split whose G² (4.16) passes p < 0.05.
MIN_FREQ = 3
#: Significance level for the ``significant`` column (G² > 3.84 at one degree of freedom).
ALPHA = 0.05
#: Hardie (2014): a zero frequency counts as this much in the log ratio, to keep it finite.
ZERO_FREQUENCY = 0.5
#: Relative frequencies are reported per this many words (as theme rates are).
PER_WORDS = 1000
#: Words shorter than this are not counted (initials, stray letters from "it’s").
MIN_WORD_LEN = 2
#: NMF topics need at least this many documents: topic models are unstable on small corpora
#: (issue 5), where the dictionary themes are the reliable view.
MIN_DOCUMENTS_FOR_TOPICS = 20
#: A word must appear in at least this many documents to enter the topic model (a word of one
#: document cannot tie documents together).
TOPIC_MIN_DF = 2
#: Words in more than this share of documents describe none of them and are left out.
TOPIC_MAX_DF = 0.95
#: Top terms listed per topic.
TOPIC_TOP_TERMS = 10
#: NMF iterations: enough for the solver's tolerance on corpora of thousands of documents.
NMF_MAX_ITER = 1000

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")


@lru_cache(maxsize=1)
def default_stop_words() -> frozenset[str]:
    """English function words left out of counts (scikit-learn's list, from the Glasgow
    Information Retrieval Group); imported on first use, as scikit-learn is slow to import."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def tokenize(text: str, *, stop_words: Collection[str] | None = None) -> list[str]:
    """Lower-case words of ``text`` for counting.

    Words are runs of letters, keeping inner hyphens and apostrophes ("pak-russia"); a
    possessive 's is dropped ("russia’s" → "russia"); stop words and words shorter than
    :data:`MIN_WORD_LEN` are left out.

    Args:
        text: Any text.
        stop_words: Words to leave out; None for :func:`default_stop_words`, ``()`` to keep
            every word.

    Returns:
        The words in order.
    """
    stop = default_stop_words() if stop_words is None else stop_words
    out = []
    for m in _WORD.finditer(text.lower()):
        word = _POSSESSIVE.sub("", m.group())
        if len(word) >= MIN_WORD_LEN and word not in stop:
            out.append(word)
    return out


def term_counts(texts: Iterable[str], *, stop_words: Collection[str] | None = None) -> Counter[str]:
    """Word frequencies over several texts (see :func:`tokenize`)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(tokenize(text, stop_words=stop_words))
    return counts


def _g2(a: float, b: float, size_a: float, size_b: float) -> float:
    total = size_a + size_b
    expected_a = size_a * (a + b) / total
    expected_b = size_b * (a + b) / total
    g2 = 0.0
    if a > 0:
        g2 += a * math.log(a / expected_a)
    if b > 0:
        g2 += b * math.log(b / expected_b)
    return 2.0 * g2


def keyness(
    counts_a: Mapping[str, int],
    counts_b: Mapping[str, int],
    *,
    min_freq: int = MIN_FREQ,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Keyness of every word between two groups: G² with the log ratio as effect size.

    Args:
        counts_a: Word frequencies in group A (e.g. from :func:`term_counts`).
        counts_b: Word frequencies in group B.
        min_freq: Words rarer than this in A and B together are not tested.
        alpha: Significance level for the ``significant`` column.

    Returns:
        One row per tested word, sorted by G² (largest first, then word): term, freq_a,
        freq_b, per_1000_a, per_1000_b (relative frequencies), g2, p_value (chi-square, one
        degree of freedom), log_ratio (log2 of A's relative frequency over B's; > 0: key for
        A), key_for ("A" or "B"), significant (p_value < alpha).

    Raises:
        ValueError: A group has no words.
    """
    size_a, size_b = sum(counts_a.values()), sum(counts_b.values())
    if size_a == 0 or size_b == 0:
        raise ValueError(
            f"keyness needs words in both groups (group A: {size_a}, group B: {size_b})"
        )
    rows = []
    for term in sorted(set(counts_a) | set(counts_b)):
        a, b = counts_a.get(term, 0), counts_b.get(term, 0)
        if a + b < min_freq:
            continue
        g2 = _g2(a, b, size_a, size_b)
        log_ratio = math.log2(((a or ZERO_FREQUENCY) / size_a) / ((b or ZERO_FREQUENCY) / size_b))
        p_value = math.erfc(math.sqrt(g2 / 2.0))  # chi-square survival, one degree of freedom
        rows.append(
            {
                "term": term,
                "freq_a": a,
                "freq_b": b,
                "per_1000_a": a * PER_WORDS / size_a,
                "per_1000_b": b * PER_WORDS / size_b,
                "g2": g2,
                "p_value": p_value,
                "log_ratio": log_ratio,
                "key_for": "A" if a / size_a >= b / size_b else "B",
                "significant": p_value < alpha,
            }
        )
    columns = [
        "term", "freq_a", "freq_b", "per_1000_a", "per_1000_b",
        "g2", "p_value", "log_ratio", "key_for", "significant",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.sort_values(["g2", "term"], ascending=[False, True], kind="mergesort")
    return frame.reset_index(drop=True)


def _as_collection(value: Any) -> Collection[Any]:
    if isinstance(value, str) or not isinstance(value, Collection):
        return (value,)
    return value


def compare_documents(
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    column: str,
    group_a: Any,
    group_b: Any = None,
    *,
    stop_words: Collection[str] | None = None,
    min_freq: int = MIN_FREQ,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Keyness between two groups of documents picked by a column of the documents table.

    Args:
        sentences: The sentences table (``doc_id``, ``text``).
        documents: The documents table (``doc_id`` and ``column``).
        column: Any column of ``documents`` (``source``, ``author``, ``doc_id``, a period).
        group_a: The value (or a collection of values) of ``column`` that picks group A, or a
            function of the value returning True for group A.
        group_b: The same for group B; None for every document not in group A.
        stop_words: Words to leave out (None: :func:`default_stop_words`).
        min_freq: See :func:`keyness`.
        alpha: See :func:`keyness`.

    Returns:
        The :func:`keyness` table.

    Raises:
        KeyError: ``column`` is not a column of ``documents``.
        ValueError: A group has no documents or no words.
    """
    if column not in documents.columns:
        raise KeyError(f"{column!r} is not a column of the documents table")

    def picker(group: Any) -> Callable[[Any], bool]:
        if callable(group):
            return lambda v: bool(group(v))
        values = _as_collection(group)
        return lambda v: v in values

    in_a = picker(group_a)
    docs_a = [d for d, v in zip(documents["doc_id"], documents[column], strict=True) if in_a(v)]
    if group_b is None:
        in_group_a = set(docs_a)
        docs_b = [d for d in documents["doc_id"] if d not in in_group_a]
    else:
        in_b = picker(group_b)
        docs_b = [d for d, v in zip(documents["doc_id"], documents[column], strict=True) if in_b(v)]
    for name, docs in (("A", docs_a), ("B", docs_b)):
        if not docs:
            raise ValueError(f"group {name} has no documents ({column!r})")
    overlap = set(docs_a) & set(docs_b)
    if overlap:
        raise ValueError(f"groups A and B share documents: {sorted(map(str, overlap))[:5]}")
    text_of = sentences.groupby("doc_id", sort=False)["text"].agg(list).to_dict()
    counts_a = term_counts((t for d in docs_a for t in text_of.get(d, [])), stop_words=stop_words)
    counts_b = term_counts((t for d in docs_b for t in text_of.get(d, [])), stop_words=stop_words)
    return keyness(counts_a, counts_b, min_freq=min_freq, alpha=alpha)


def _masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each span blanked out (offsets kept)."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(0, start), min(len(chars), end)):
            chars[i] = " "
    return "".join(chars)


def compare_actors(
    sentences: pd.DataFrame,
    mentions: pd.DataFrame,
    actor_a: str,
    actor_b: str,
    *,
    exclude_shared: bool = True,
    mask_mentions: bool = True,
    stop_words: Collection[str] | None = None,
    min_freq: int = MIN_FREQ,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Keyness between sentences that mention one actor and sentences that mention another.

    Args:
        sentences: The sentences table (``doc_id``, ``sentence``, ``start``, ``text``).
        mentions: The mentions table (``doc_id``, ``sentence``, ``actor``, ``start``, ``end``).
        actor_a: Actor of group A ("Russia").
        actor_b: Actor of group B ("United States").
        exclude_shared: Leave out sentences that mention both actors (they belong to neither
            side; with False they count in both groups).
        mask_mentions: Blank out every actor mention before counting, so that the result shows
            the words said around the actors rather than their names.
        stop_words: Words to leave out (None: :func:`default_stop_words`).
        min_freq: See :func:`keyness`.
        alpha: See :func:`keyness`.

    Returns:
        The :func:`keyness` table.

    Raises:
        ValueError: A group has no sentences or no words.
    """
    ment = mentions.dropna(subset=["sentence"])
    actors_in: dict[tuple[Any, int], set[str]] = {}
    spans_in: dict[tuple[Any, int], list[tuple[int, int]]] = {}
    for doc, sent, actor, start, end in zip(
        ment["doc_id"], ment["sentence"], ment["actor"], ment["start"], ment["end"], strict=True
    ):
        key = (doc, int(sent))
        actors_in.setdefault(key, set()).add(actor)
        spans_in.setdefault(key, []).append((int(start), int(end)))
    texts_a: list[str] = []
    texts_b: list[str] = []
    for doc, sent, start, text in zip(
        sentences["doc_id"],
        sentences["sentence"],
        sentences["start"],
        sentences["text"],
        strict=True,
    ):
        key = (doc, int(sent))
        present = actors_in.get(key, set())
        has_a, has_b = actor_a in present, actor_b in present
        if exclude_shared and has_a and has_b:
            continue
        if mask_mentions:
            text = _masked(
                text, [(s - int(start), e - int(start)) for s, e in spans_in.get(key, [])]
            )
        if has_a:
            texts_a.append(text)
        if has_b:
            texts_b.append(text)
    for name, actor, texts in (("A", actor_a, texts_a), ("B", actor_b, texts_b)):
        if not texts:
            raise ValueError(f"group {name}: no sentences mention {actor!r} (alone)")
    return keyness(
        term_counts(texts_a, stop_words=stop_words),
        term_counts(texts_b, stop_words=stop_words),
        min_freq=min_freq,
        alpha=alpha,
    )


@dataclass(frozen=True)
class TopicModel:
    """NMF topics over tf-idf.

    Attributes:
        terms: One row per topic and rank: topic, rank, term, weight (top terms per topic).
        documents: One row per document and topic: doc_id, topic, weight (the document's
            loading on the topic), and ``dominant`` (True for each document's largest topic).
        n_topics: Number of topics.
        vocabulary_size: Words in the tf-idf matrix.
        random_state: The random state used.
    """

    terms: pd.DataFrame
    documents: pd.DataFrame
    n_topics: int
    vocabulary_size: int
    random_state: int


def nmf_topics(
    texts: Sequence[str],
    *,
    n_topics: int,
    random_state: int = 0,
    top_n: int = TOPIC_TOP_TERMS,
    doc_ids: Sequence[Any] | None = None,
) -> TopicModel:
    """NMF topics over tf-idf, for corpora of :data:`MIN_DOCUMENTS_FOR_TOPICS` or more documents.

    Args:
        texts: One text per document.
        n_topics: Number of topics.
        random_state: Seed for scikit-learn (the NNDSVD initialisation is deterministic too).
        top_n: Top terms listed per topic.
        doc_ids: Document ids (default 0, 1, ...).

    Returns:
        The topics (see :class:`TopicModel`).

    Raises:
        ValueError: Fewer than :data:`MIN_DOCUMENTS_FOR_TOPICS` documents, ``n_topics`` out of
            range, or ``doc_ids`` of another length.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    n_docs = len(texts)
    if n_docs < MIN_DOCUMENTS_FOR_TOPICS:
        raise ValueError(
            f"NMF topics need at least {MIN_DOCUMENTS_FOR_TOPICS} documents (got {n_docs}): "
            "topic models are unstable on small corpora; use the dictionary themes"
        )
    ids = list(range(n_docs)) if doc_ids is None else list(doc_ids)
    if len(ids) != n_docs:
        raise ValueError(f"doc_ids has {len(ids)} entries for {n_docs} texts")
    vectorizer = TfidfVectorizer(
        tokenizer=tokenize,
        token_pattern=None,
        lowercase=False,
        min_df=TOPIC_MIN_DF,
        max_df=TOPIC_MAX_DF,
        sublinear_tf=True,
    )
    matrix = vectorizer.fit_transform(list(texts))
    vocabulary = vectorizer.get_feature_names_out()
    if not 1 <= n_topics <= min(n_docs, len(vocabulary)):
        raise ValueError(
            f"n_topics must be between 1 and {min(n_docs, len(vocabulary))} (got {n_topics})"
        )
    model = NMF(
        n_components=n_topics, init="nndsvd", random_state=random_state, max_iter=NMF_MAX_ITER
    )
    weights = model.fit_transform(matrix)
    term_rows = []
    for topic, row in enumerate(model.components_):
        order = sorted(range(len(row)), key=lambda j: (-row[j], vocabulary[j]))[:top_n]
        for rank, j in enumerate(order, 1):
            term_rows.append(
                {"topic": topic, "rank": rank, "term": str(vocabulary[j]), "weight": float(row[j])}
            )
    dominant = np.argmax(weights, axis=1)
    doc_rows = [
        {
            "doc_id": ids[i],
            "topic": topic,
            "weight": float(weights[i, topic]),
            "dominant": bool(dominant[i] == topic and weights[i].max() > 0),
        }
        for i in range(n_docs)
        for topic in range(n_topics)
    ]
    return TopicModel(
        terms=pd.DataFrame(term_rows, columns=["topic", "rank", "term", "weight"]),
        documents=pd.DataFrame(doc_rows, columns=["doc_id", "topic", "weight", "dominant"]),
        n_topics=n_topics,
        vocabulary_size=len(vocabulary),
        random_state=random_state,
    )
