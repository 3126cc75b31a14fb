"""The :class:`Analyzer`: text in, explained flags out.

``analyze`` reads as a list of steps: cut the text into pieces, run the spaCy
pipeline, turn surviving candidates into flags. ``analyze_many`` (and the
batch engine, and the UI) reuse the same steps, so there is one code path.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.errors import AnalyzerError, InputTooLargeError
from analyzer.flags import AnalysisResult, Candidate, Flag, Suppressed
from analyzer.lexicon.loader import Lexicon, load_lexicon
from analyzer.model.reviewed_passes import REASON as REVIEWED_REASON
from analyzer.model.reviewed_passes import ReviewedPasses
from analyzer.pipeline.build import build_pipeline
from analyzer.pipeline.chunking import DEFAULT_PIECE_CHARS, pieces
from analyzer.resources import DEFAULT_MODEL, MODELS_DIR
from analyzer.tokens.doc_state import ORIGIN_KEY, candidates, original_offsets

DEFAULT_THRESHOLD = 0.5
DEFAULT_MAX_CHARS = int(os.environ.get("ALLYSHIP_MAX_CHARS", 20_000_000))
PIPE_BATCH_CHARS = 100_000  # at most this many characters (as pieces of the longest length) in one spaCy batch
GC_YOUNG_THRESHOLD = 10_000  # allocations between two young-generation collections while a batch runs
GC_FULL_DEFERRED = 1_000_000  # middle-generation collections before a full one while a batch runs: never, in practice


class Analyzer:
    """Finds harassment-adjacent language and explains each finding.

    ``lexicons`` are folders (or files) added to the built-in lexicons;
    ``model`` is a model folder written by ``allyship train``, ``"default"``
    for the shipped model (used when present), or ``None`` for lexicons only.
    ``threshold`` is the score a finding needs to become a flag: lower it to
    see more, raise it to see only the clearest cases.
    """

    def __init__(
        self,
        lexicons: Sequence[str | Path] = (),
        model: str | Path | None = DEFAULT_MODEL,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        trusted_lexicons: bool = False,
        max_chars: int = DEFAULT_MAX_CHARS,
        piece_chars: int = DEFAULT_PIECE_CHARS,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise AnalyzerError(f"threshold must be between 0 and 1, got {threshold}")
        self.lexicon_dirs = [str(p) for p in lexicons]
        self.model_path = model
        self.trusted_lexicons = trusted_lexicons
        self.threshold = threshold
        self.max_chars = max_chars
        self.piece_chars = piece_chars
        self.lexicon: Lexicon = load_lexicon(self.lexicon_dirs, trusted=trusted_lexicons)
        self.classifier = _load_classifier(model, self.lexicon)
        self.reviewed = ReviewedPasses.from_metadata(getattr(self.classifier, "metadata", None))
        self.nlp: Language = build_pipeline(self.lexicon, self.classifier, threshold)

    # -- public API ------------------------------------------------------------

    def analyze(self, text: str) -> AnalysisResult:
        """The flags of one text."""
        self._check(text, "text")
        return next(self.analyze_many([text]))

    def analyze_many(self, texts: Iterable[str], batch_size: int = 256, n_process: int = 1) -> Iterator[AnalysisResult]:
        """One result per text, in order. ``n_process > 1`` uses worker processes.

        A text that cannot be analyzed (not a string, or over ``max_chars``)
        stops the iteration with an :class:`AnalyzerError` that names its
        index, "text 17 has ... characters, over the limit ...", raised
        after the results of every text before it: nothing is skipped
        silently, and a caller can resume from the next index.
        """
        if n_process > 1:
            yield from self._analyze_parallel(texts, batch_size, n_process)
            return
        for chunk, error in self._chunks(texts, batch_size):
            if chunk:
                yield from self._analyze_chunk(chunk, batch_size)
            if error is not None:
                raise error

    def _chunks(self, texts: Iterable[str], batch_size: int) -> Iterator[tuple[list[str], AnalyzerError | None]]:
        """``texts`` in chunks of ``batch_size``; the chunk before the first text that cannot be analyzed
        comes with that text's error (naming its index), and is the last."""
        iterator = iter(texts)
        done = 0
        while True:
            chunk = list(islice(iterator, max(batch_size, 1)))
            if not chunk:
                return
            for i, text in enumerate(chunk):
                try:
                    self._check(text, f"text {done + i}")
                except AnalyzerError as exc:
                    exc.index = done + i
                    yield chunk[:i], exc
                    return
            yield chunk, None
            done += len(chunk)

    # -- steps -------------------------------------------------------------------

    def _analyze_chunk(self, texts: list[str], batch_size: int) -> list[AnalysisResult]:
        with fewer_gc_pauses():
            return self._analyze_pieces(texts, batch_size)

    def _analyze_pieces(self, texts: list[str], batch_size: int) -> list[AnalysisResult]:
        jobs: list[tuple[int, int, str]] = []  # (text index, offset, piece)
        for index, text in enumerate(texts):
            self._check(text)
            jobs.extend((index, offset, piece) for offset, piece in pieces(text, self.piece_chars))
        found: list[list[Candidate]] = [[] for _ in texts]
        # spaCy holds a whole batch of docs at once, each about a hundred times its text: long pieces go fewer at a time
        longest = max((len(piece) for _, _, piece in jobs), default=1)
        batch_size = max(1, min(batch_size, PIPE_BATCH_CHARS // max(longest, 1)))
        docs = self.nlp.pipe((piece for _, _, piece in jobs), batch_size=batch_size)
        for (index, offset, _), doc in zip(jobs, docs, strict=True):
            found[index].extend(_shift(_to_input(doc, c), offset) for c in candidates(doc))
        return [self._result(text, cands) for text, cands in zip(texts, found, strict=True)]

    def _check(self, text: Any, name: str = "text") -> None:
        """Raise the one-line error of a text that cannot be analyzed; ``name`` says which text it is."""
        if not isinstance(text, str):
            raise AnalyzerError(f"{name} is {type(text).__name__}, not a string")
        if len(text) > self.max_chars:
            raise InputTooLargeError(
                f"{name} has {len(text):,} characters, over the limit of {self.max_chars:,} "
                "(set ALLYSHIP_MAX_CHARS or max_chars to raise it)"
            )

    def _result(self, text: str, cands: list[Candidate]) -> AnalysisResult:
        flags: list[Flag] = []
        suppressed: list[Suppressed] = []
        for cand in sorted(cands, key=lambda c: (c.start_char, c.end_char, c.category)):
            if (
                self.reviewed
                and cand.suppressed_by is None
                and self.reviewed.covers(text, cand.start_char, cand.end_char, cand.category)
            ):
                cand.suppressed_by = REVIEWED_REASON
            if cand.suppressed_by is None and cand.score >= self.threshold:
                cand.step("threshold", cand.score, f"kept: score {cand.score:.2f} >= threshold {self.threshold:.2f}")
                flags.append(self._flag(text, cand))
            else:
                reason = cand.suppressed_by or f"score {cand.score:.2f} below threshold {self.threshold:.2f}"
                suppressed.append(
                    Suppressed(
                        start=cand.start_char,
                        end=cand.end_char,
                        text=text[cand.start_char : cand.end_char],
                        category=cand.category,
                        rule_id=cand.rule_id,
                        reason=reason,
                        history=tuple(cand.history),
                    )
                )
        return AnalysisResult(text=text, flags=tuple(flags), suppressed=tuple(suppressed))

    def _flag(self, text: str, cand: Candidate) -> Flag:
        refs = self.lexicon.references
        category = self.lexicon.categories[cand.category]
        rule = self.lexicon.rules.get(cand.rule_id) if cand.rule_id else None
        if rule is not None:
            explanation, suggestion = rule.explanation, rule.suggestion
            strategies, barriers, roles = rule.strategies, rule.barriers, rule.roles
        else:
            strategies, barriers, roles = category.strategies, category.barriers, category.roles
            explanation = classifier_explanation(
                category.label, cand.top_words, refs.get("strategies", strategies[0]).title
            )
            suggestion = None
        stands = [v.note for v in cand.verdicts if v.worth_telling]  # a check found its cue, the flag still stands
        if stands:
            explanation = f"{explanation} (Context checked: {'; '.join(stands)}.)"
        return Flag(
            start=cand.start_char,
            end=cand.end_char,
            text=text[cand.start_char : cand.end_char],
            category=cand.category,
            label=category.label,
            score=cand.score,
            source=cand.source,
            rule_id=cand.rule_id,
            explanation=explanation,
            suggestion=suggestion,
            strategies=refs.resolve("strategies", strategies),
            barriers=refs.resolve("barriers", barriers),
            roles=refs.resolve("roles", roles),
            history=tuple(cand.history),
            notes=tuple(cand.notes),
            top_words=cand.top_words,
        )

    def _analyze_parallel(self, texts: Iterable[str], batch_size: int, n_process: int) -> Iterator[AnalysisResult]:
        from analyzer.workers import start_pool

        with start_pool(self, n_process) as pool:
            pending: list[tuple[Any, AnalyzerError | None]] = []
            for chunk, error in self._chunks(texts, batch_size):
                pending.append((pool.submit(_work, chunk) if chunk else None, error))
                while len(pending) > n_process * 2:
                    yield from _collect(*pending.pop(0))
            while pending:
                yield from _collect(*pending.pop(0))

    def settings(self) -> dict[str, Any]:
        """What it takes to build an equal Analyzer in another process."""
        return {
            "lexicons": self.lexicon_dirs,
            "model": None if self.model_path is None else str(self.model_path),
            "threshold": self.threshold,
            "trusted_lexicons": self.trusted_lexicons,
            "max_chars": self.max_chars,
            "piece_chars": self.piece_chars,
        }

    def process(self, text: str) -> Doc:
        """The spaCy Doc of a short text, for inspection and tests."""
        self._check(text, "text")
        return self.nlp(text)


def classifier_explanation(label: str, top_words: Sequence[str], strategy_title: str) -> str:
    words = ", ".join(f"'{w}'" for w in top_words[:4])
    because = f" The words that weighed most: {words}." if words else ""
    return (
        f"This sentence reads like {label.lower()}, though it uses none of the listed phrases.{because} "
        f"It is a prompt to reread it, not a verdict; see '{strategy_title}'."
    )


@contextmanager
def fewer_gc_pauses(young: int = GC_YOUNG_THRESHOLD) -> Iterator[None]:
    """Let the cyclic garbage collector wait for ``young`` new objects (not 700), and hold off full
    collections, while a batch runs.

    A batch of docs allocates tens of thousands of short-lived objects that
    live until the batch ends; with the default threshold the collector walks
    them over and over (about 4% of ``analyze_many`` on EDOS posts). A full
    collection walks every object of the process, the loaded analyzer's
    included, and a long text's candidates live until its end: on a text
    packed with lexicon phrases full collections grew to an eighth of the
    time. Nothing is left uncollected: the previous thresholds come back when
    the batch is done, and objects in cycles are freed by the next collection.
    """
    before = gc.get_threshold()
    if before[0]:
        gc.set_threshold(max(before[0], young), before[1], max(before[2], GC_FULL_DEFERRED))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _to_input(doc: Doc, cand: Candidate) -> Candidate:
    """The candidate with offsets into the piece as given, not as folded (see :func:`original_offsets`)."""
    if ORIGIN_KEY in doc.user_data:
        cand.start_char, cand.end_char = original_offsets(doc, cand.start_char, cand.end_char)
    return cand


def _shift(cand: Candidate, offset: int) -> Candidate:
    if offset:
        cand.start_char += offset
        cand.end_char += offset
    return cand


def _load_classifier(model: str | Path | None, lexicon: Lexicon) -> Any:
    if model is None:
        return None
    if str(model) == DEFAULT_MODEL:
        path = MODELS_DIR / DEFAULT_MODEL
        if not (path / "metadata.json").exists():
            return None
    else:
        path = Path(model)
    from analyzer.model.category_model import load_model

    return load_model(path, lexicon)


def _collect(future: Any, error: AnalyzerError | None) -> Iterator[AnalysisResult]:
    """A worker's results, then the error of the text after them, if there was one."""
    if future is not None:
        yield from future.result()
    if error is not None:
        raise error


def _work(texts: list[str]) -> list[AnalysisResult]:
    from analyzer.workers import current

    return current()._analyze_chunk(texts, len(texts))
