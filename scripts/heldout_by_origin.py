"""Macro-F1 of the transformer backend on the held-out written articles, by outlet origin and genre.

Every target of ``analysis/data/transformer_domain_calib.txt`` (never trained on) is read alone
in its sentence, as the calibration script reads it, and labelled as the backend labels it
(class offsets and the fusion with the learned model: ``transformer.target_scores``). Targets
are grouped by the outlet named in their article's ``# ARTICLE:`` header (Pakistani, Russian,
Indian, Chinese, US/UK/EU, other) and by genre (opinion: op-eds, editorials, columns,
analyses; the rest: news and official texts); the file's first targets, single sentences
written before the whole articles, are a group of their own.

To compare with the transformer alone, calibrate a copy without the fusion and pass it:
    cp analysis/data/transformer_lora.npz /tmp/alone.npz
    .venv/bin/python scripts/calibrate_transformer.py --model /tmp/alone.npz --no-fusion \
        --domain analysis/data/transformer_domain_calib.txt
    .venv/bin/python scripts/heldout_by_origin.py --model /tmp/alone.npz

Usage (from the project root):
    .venv/bin/python scripts/heldout_by_origin.py [--model M ...]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import learned, train, transformer

CALIB = Path(__file__).resolve().parents[1] / "analysis" / "data" / train.DOMAIN_CALIB
#: Outlet origin by the outlet's name in the article header (first match wins).
ORIGINS = (
    (
        "Pakistani",
        r"Tribune|Dawn|Radio Pakistan|APP|Associated Press of Pakistan|Foreign Affairs, Pakistan"
        r"|The Nation|Nawa|Business Recorder|ARY",
    ),
    ("Russian", r"Sputnik|RT \(|TASS|Vzglyad|Moscow Times|Russian Ministry|Kremlin"),
    ("Indian", r"Hindu|NDTV|Mint"),
    ("Chinese", r"Xinhua|Global Times|Chinese Ministry|CGTN"),
    (
        "US/UK/EU",
        r"Reuters|AP \(|AFP|Bloomberg|Wall Street|Washington Post|Guardian|Department of State"
        r"|White House|Defense News|Diplomat|Argus",
    ),
)
OPINION = re.compile(r"op-ed|editorial|column|analysis")


#: The group of the file's first targets: single sentences written before the whole articles.
SENTENCES = "single sentences"


def origin(header: str) -> str:
    """The outlet origin of an ``# ARTICLE:`` header ("other" when none matches)."""
    if not header:
        return SENTENCES
    outlet = header.split(":", 1)[-1].split("—", 1)[0]
    return next((name for name, pattern in ORIGINS if re.search(pattern, outlet)), "other")


def genre(header: str) -> str:
    """``"opinion"`` or ``"news/official"``."""
    if not header:
        return SENTENCES
    return "opinion" if OPINION.search(header.split("—", 1)[0]) else "news/official"


def headers(path: Path) -> dict[int, str]:
    """The ``# ARTICLE:`` header above each line number of the file."""
    out: dict[int, str] = {}
    current = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# ARTICLE"):
            current = line
        out[number] = current
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, nargs="*", default=[None], help="default: packaged")
    args = parser.parse_args(argv)
    examples = train.load_domain_sentences(CALIB)
    header_of = headers(CALIB)
    heads = [header_of[int(ex.id.rsplit(":", 1)[1])] for ex in examples]
    items = [(ex.sentence, [(ex.start, ex.end)]) for ex in examples]
    gold = np.asarray([ex.label for ex in examples])
    for model in args.model:
        labels = transformer.target_scores(items, model=model)[0].argmax(axis=1)
        print(f"## {model or 'packaged model'}: {100 * learned.macro_f1(gold, labels):.1f} overall")
        for group in (origin, genre):
            members: dict[str, list[int]] = {}
            for i, head in enumerate(heads):
                members.setdefault(group(head), []).append(i)
            for name, indices in sorted(members.items()):
                f1 = 100 * learned.macro_f1(gold[indices], labels[indices])
                articles = (
                    "" if name == SENTENCES else f", {len({heads[i] for i in indices})} articles"
                )
                print(f"{name:16} {f1:5.1f}  ({len(indices)} targets{articles})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
