"""Fine-tune the transformer sentiment model where only torch, transformers and numpy are installed.

Runs exactly ``python -m analysis train sentiment --backend transformer`` (same options), but
imports ``analysis.train`` and ``analysis.transformer`` without running the package's
``__init__`` (which pulls in nupunkt, TextBlob, VADER, ...): the fine-tuning path needs none of
those. Meant for a GPU machine that has torch but not this package's dependencies.

Usage (from the project root):
    python3 scripts/finetune_transformer.py --data DIR --base MODEL_DIR --device cuda \\
        --out transformer_lora.npz

``MODEL_DIR`` may be a converted copy of all-MiniLM-L6-v2 (e.g. fp16 safetensors with its
tokenizer and config files); a ``base.json`` in it names the original (package, SHA-256 of its
weights file), which is what the model file records.
"""

from __future__ import annotations

import argparse
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bare_package() -> None:
    """Register ``analysis`` as a namespace without running its ``__init__``."""
    init = (ROOT / "analysis" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', init, re.MULTILINE)
    pkg = types.ModuleType("analysis")
    pkg.__path__ = [str(ROOT / "analysis")]
    pkg.__version__ = found.group(1) if found else "unknown"  # type: ignore[attr-defined]
    sys.modules["analysis"] = pkg


def main(argv: list[str] | None = None) -> int:
    _bare_package()
    from analysis import train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    train.add_arguments(parser)
    parser.set_defaults(backend="transformer")
    args = parser.parse_args(argv)
    if args.backend != "transformer":
        parser.error("this script fine-tunes the transformer backend only")
    return train.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
