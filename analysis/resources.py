"""Package data files (lexicons) and YAML loading with file-and-line errors."""

from __future__ import annotations

import hashlib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import LexiconError

#: libyaml's C parser where PyYAML was built with it (several times faster), else pure Python;
#: both are safe loaders.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["load_yaml", "read_text_resource", "resource_path", "text_digest"]


def resource_path(name: str) -> Traversable:
    """The packaged data file ``analysis/data/<name>``."""
    return resources.files("analysis") / "data" / name


def read_text_resource(name: str) -> str:
    """Text of the packaged data file ``analysis/data/<name>`` (UTF-8)."""
    return resource_path(name).read_text(encoding="utf-8")


def text_digest(text: str) -> str:
    """Short SHA-256 of a text, used to record which lexicon produced a result."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def load_yaml(path: str | Path | None, default_name: str) -> tuple[Any, str, str]:
    """Parse a YAML file, or the packaged default when ``path`` is None.

    Args:
        path: A user's YAML file, or None for the packaged default.
        default_name: File name of the packaged default in ``analysis/data/``.

    Returns:
        ``(data, source, digest)``: the parsed data, a label naming the file, and a short hash of
        its text.

    Raises:
        LexiconError: The file is missing, unreadable or not valid YAML (with its line number).
    """
    if path is None:
        source = f"analysis/data/{default_name}"
        text = read_text_resource(default_name)
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise LexiconError(source, "file not found") from None
        except UnicodeDecodeError as exc:
            raise LexiconError(source, f"not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise LexiconError(source, f"cannot read ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = (exc.problem or exc.context or "malformed YAML").strip()
        raise LexiconError(source, f"malformed YAML: {reason}", line) from None
    except yaml.YAMLError as exc:
        raise LexiconError(source, f"malformed YAML: {exc}") from None
    return data, source, text_digest(text)
