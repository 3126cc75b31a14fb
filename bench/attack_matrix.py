"""Hostile inputs against the command line: each one built in a temporary folder and run as a user would.

Every case runs ``allyship …`` (or the Python API through the venv's python)
as a fresh process under a memory limit (``RLIMIT_AS``: 1 GB, 2 GB for
``--jobs 2``) and a 60 s timeout, and prints the exit code, the peak memory
(``ru_maxrss`` of the process and the workers it waited for, from
``os.wait4``), the wall time and the first line of standard error. ``ok`` says
whether the answer was the right one: the expected exit code, at most one line
on standard error (never a traceback or "unexpected"), and the case's own check
(no input file modified, no record duplicated, nothing read from outside the
folders, every formula cell neutralized...). ``fits`` says whether it stayed
within the time and memory targets.

    .venv/bin/python bench/attack_matrix.py            # every case (a few minutes)
    .venv/bin/python bench/attack_matrix.py --fast     # the quick subset the test suite runs
    .venv/bin/python bench/attack_matrix.py --case docx_bomb_1g --case resume_into_notes

The column ``part`` names the piece of work that answers the case (io:
readers, writers and batch; text: linear-time text processing, evasion,
lexicon patterns, threads; model: model folders).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ALLYSHIP = str(BIN / "allyship")
PYTHON = sys.executable
GB = 1024**3
TIMEOUT = 60.0
FORMULA_SIGNS = "=+-@＝＋－＠"
INVISIBLE = " \t\r\n\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad"


@dataclass
class Outcome:
    """What one process did."""

    code: int | None
    seconds: float
    peak_mb: float
    stdout: bytes
    stderr: str
    timed_out: bool = False

    @property
    def first_line(self) -> str:
        """The first line of standard error, or its first error line when progress lines come before it."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("error")]
        return (errors or lines or [""])[0]


@dataclass
class Run:
    """A command to run for a case, what it must answer, and a check of its effects (``None`` when fine)."""

    argv: list[str]
    expect: tuple[int, ...] = (0,)
    stdin: bytes | None = None
    check: Callable[[Outcome], str | None] = lambda outcome: None
    limit_gb: float = 1.0
    one_line: bool = True  # standard error holds at most one line (the summary of a batch is allowed)
    before: Callable[[], None] | None = None  # runs just before (e.g. start a competing process)


@dataclass
class Case:
    name: str
    part: str
    build: Callable[[Path], Run]
    fast: bool = False
    note: str = ""


@dataclass
class Row:
    case: Case
    outcome: Outcome
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def fits(self) -> bool:
        return not self.outcome.timed_out and self.outcome.seconds <= TIMEOUT


# -- running one process -----------------------------------------------------------------


def run_limited(
    argv: list[str], *, stdin: bytes | None, limit_gb: float, cwd: Path, timeout: float = TIMEOUT
) -> Outcome:
    """Run ``argv`` under an address-space limit and a timeout; measure its peak memory with ``os.wait4``."""
    limit = int(limit_gb * GB)

    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ALLYSHIP_DEBUG", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=env,
            preexec_fn=preexec,  # the limit is set in the child before exec
            start_new_session=True,
        )
        if stdin is not None:
            threading.Thread(target=_feed, args=(proc, stdin), daemon=True).start()
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout and not timed_out:
                timed_out = True
                with _quiet():
                    os.killpg(proc.pid, signal.SIGKILL)
            time.sleep(0.02)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        with _quiet():
            os.killpg(proc.pid, signal.SIGKILL)  # workers left behind, if any
        out.seek(0)
        err.seek(0)
        return Outcome(
            None if timed_out else proc.returncode,
            seconds,
            usage.ru_maxrss / 1024,
            out.read(),
            err.read().decode("utf-8", "replace"),
            timed_out,
        )


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    with _quiet():
        assert proc.stdin is not None
        proc.stdin.write(data)
        proc.stdin.close()


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], (OSError, ProcessLookupError, ValueError))  # type: ignore[arg-type]


def run_case(case: Case, root: Path) -> Row:
    folder = root / case.name
    folder.mkdir(parents=True)
    try:
        run = case.build(folder)
    except Exception as exc:  # a case that cannot be built is reported, not a crash of the matrix
        return Row(case, Outcome(None, 0.0, 0.0, b"", ""), [f"could not build the case: {type(exc).__name__}: {exc}"])
    if run.before is not None:
        run.before()
    outcome = run_limited(run.argv, stdin=run.stdin, limit_gb=run.limit_gb, cwd=folder)
    problems = []
    if outcome.timed_out:
        problems.append(f"timed out after {TIMEOUT:.0f} s")
    elif outcome.code not in run.expect:
        problems.append(f"exit {outcome.code}, expected {' or '.join(map(str, run.expect))}")
    err = outcome.stderr
    if "Traceback" in err or "unexpected" in err:
        problems.append("a traceback or an 'unexpected' error")
    elif any(sign in err for sign in ("ran out of memory", "MemoryError", "bad_alloc")):
        problems.append("ran out of memory under the limit")
    elif run.one_line and outcome.code not in (0, None) and len([x for x in err.splitlines() if x.strip()]) > 1:
        problems.append(f"{len(err.splitlines())} lines on standard error")
    if not outcome.timed_out:
        try:
            problem = run.check(outcome)
        except Exception as exc:
            problem = f"check failed: {type(exc).__name__}: {exc}"
        if problem:
            problems.append(problem)
    return Row(case, outcome, problems)


# -- building blocks ----------------------------------------------------------------------


def put(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def error_types(path: Path) -> list[str | None]:
    return [(r.get("error") or {}).get("type") for r in records(path)]


def unchanged(path: Path, data: bytes) -> Callable[[Outcome], str | None]:
    return lambda outcome: None if path.read_bytes() == data else f"{path.name} was modified"


def batch(*args: str | Path) -> list[str]:
    return [ALLYSHIP, "batch", *map(str, args)]


DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(path: Path, head: str, body_chunk: str = "", repeat: int = 0, tail: str = "") -> Path:
    """A .docx whose document.xml is ``head + body_chunk * repeat + tail``, written as a stream."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(head.encode())
            block = (body_chunk * 1000).encode()
            for _ in range(repeat // 1000):
                part.write(block)
            part.write((body_chunk * (repeat % 1000)).encode())
            part.write(tail.encode())
    return path


def docx_bomb(path: Path, inflated: int) -> Path:
    chunk = f"<w:p><w:r><w:t>{'a' * 200}</w:t></w:r></w:p>"
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>'
    return docx(path, head, chunk, inflated // len(chunk), "</w:body></w:document>")


def pdf_bomb(path: Path, inflated: int) -> Path:
    """A one-page PDF whose content stream inflates (FlateDecode) to ``inflated`` bytes of text operators."""
    import zlib

    compressor = zlib.compressobj(9)
    piece = b"BT /F1 12 Tf 72 720 Td (calm down) Tj ET\n" * 1000
    body = b"".join(compressor.compress(piece) for _ in range(inflated // len(piece))) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return put(path, bytes(out))


LEXICON = """\
category:
  id: attack_test
  label: Attack test
  description: A category made for the attack matrix.
  strategies: [listen_and_learn]
rules:
  - id: at.pattern
    phrases: ["qqzx never"]
    patterns:
{patterns}
    explanation: A rule made for the attack matrix.
    suggestion: null
    examples:
      flag: ["qqzx never"]
      pass: ["12 34"]
"""


def lexicon(folder: Path, patterns: list[str]) -> Path:
    lines = "\n".join(f"      - {p}" for p in patterns)
    put(folder / "attack_test.yml", LEXICON.format(patterns=lines))
    return folder


def random_letters(n: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    return "".join(rng.choices(string.ascii_lowercase, k=n))


def state_for(out: Path, checkpoint: int = 0) -> None:
    """The state file a batch run leaves beside its output, at a checkpoint of ``checkpoint`` bytes."""
    data = out.read_bytes()
    info = out.stat()
    state = {
        "format": "allyship-batch-output",
        "version": 1,
        "output": out.name,
        "device": info.st_dev,
        "inode": info.st_ino,
        "size": checkpoint,
        "sha256": hashlib.sha256(data[:checkpoint]).hexdigest(),
    }
    put(out.with_name(out.name + ".allyship-state"), json.dumps(state))


def many_docs(path: Path, n: int) -> Path:
    lines = [
        json.dumps({"id": f"d{i}", "text": f"Note {i}: calm down, it was just a joke about the budget."})
        for i in range(n)
    ]
    return put(path, "\n".join(lines) + "\n")


# -- the cases ---------------------------------------------------------------------------


def spaced_letters(d: Path) -> Run:
    return Run([ALLYSHIP, "analyze", "-", "--no-model"], stdin=("a " * 100_000).encode())


def punctuation_run(d: Path) -> Run:
    return Run([ALLYSHIP, "analyze", "-", "--no-model"], stdin=b"*" * 1_000_000)


def long_word(d: Path) -> Run:
    return Run([ALLYSHIP, "analyze", "-", "--no-model"], stdin=random_letters(5_000_000).encode())


def lexicon_repeat_50(d: Path) -> Run:
    lex = lexicon(d / "lex", ['[{IS_ALPHA: true, OP: "{1,50}"}]'])
    return Run(
        [ALLYSHIP, "analyze", "one two three four five six seven eight", "--no-model", "--lexicons", str(lex)],
        expect=(0, 2),
    )


def lexicon_repeat_1000(d: Path) -> Run:
    lex = lexicon(d / "lex", ['[{IS_ALPHA: true, OP: "{1,1000}"}]'])
    return Run([ALLYSHIP, "lexicon", "validate", str(lex)], expect=(2,), one_line=False)


def lexicon_wildcards(d: Path) -> Run:
    lex = lexicon(d / "lex", ['[{OP: "*"}, {LOWER: "qqzx"}, {OP: "*"}, {LOWER: "never"}, {OP: "*"}]'])
    letters = random_letters(1000)
    text = " ".join(letters[i : i + 5] for i in range(0, 1000, 5))  # 200 words
    return Run([ALLYSHIP, "analyze", text, "--no-model", "--lexicons", str(lex)], expect=(0, 2))


def regex_in_not_in(d: Path) -> Run:
    lex = lexicon(d / "lex", ['[{LOWER: {NOT_IN: [{REGEX: "^a"}]}}, {LOWER: "never"}]'])
    return Run(
        [ALLYSHIP, "analyze", "qqzx never", "--no-model", "--trusted-lexicons", "--lexicons", str(lex)], expect=(2,)
    )


THREADS = """
import sys, threading
from analyzer import Analyzer
analyzer = Analyzer()
base = ["Calm down, you are overreacting about the {i} slides.", "Man up and stop whining about report {i}.",
        "She was asking for it at party {i}.", "The meeting {i} moved to Tuesday.", "Not all men, {i} times over."]
texts = [base[i % len(base)].format(i=i) for i in range(3000)]
expected = [r.to_dict() for r in analyzer.analyze_many(texts)]
got = [None] * len(texts)
def work(k):
    for i in range(k, len(texts), 8):
        got[i] = analyzer.analyze(texts[i]).to_dict()
threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
bad = sum(1 for a, b in zip(expected, got) if a != b)
print(f"{bad} of {len(texts)} results differ from the sequential ones")
sys.exit(1 if bad else 0)
"""


def threads(d: Path) -> Run:
    return Run([PYTHON, "-c", THREADS])


EVASION = """
import sys
from analyzer import Analyzer
analyzer = Analyzer(model=None)
variants = {"zero-width joiner": "m\\u200dan up", "zero-width space": "calm d\\u200bown",
            "soft hyphen": "man\\u00ad up", "bidi control": "calm \\u202ddown\\u202c",
            "fullwidth": "\\uff4d\\uff41\\uff4e up", "homoglyph": "m\\u0430n up"}
missed = [name for name, text in variants.items() if not analyzer.analyze("Just " + text + " already.").flags]
print("missed: " + (", ".join(missed) or "none"))
sys.exit(1 if missed else 0)
"""


def evasion(d: Path) -> Run:
    return Run([PYTHON, "-c", EVASION])


class _Trap:
    """Unpickling this creates a folder: the proof that a pickle was loaded (and could have run any code)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.mkdir, (str(self.marker),))


def model_without_compiled(d: Path) -> Run:
    """A folder whose metadata lists only a pickle, with its true hash: refused, and the pickle never loaded."""
    import hashlib
    import pickle

    folder = d / "model"
    folder.mkdir()
    marker = d / "the-pickle-ran"
    trap = pickle.dumps(_Trap(marker))
    (folder / "model.joblib").write_bytes(trap)
    meta = json.loads((REPO / "models" / "default" / "metadata.json").read_text())
    meta["files"] = {"model.joblib": hashlib.sha256(trap).hexdigest()}
    meta["model_sha256"] = meta["files"]["model.joblib"]
    meta["compiled"] = {"written": False}
    put(folder / "metadata.json", json.dumps(meta))
    return Run(
        [ALLYSHIP, "analyze", "calm down", "--model", str(folder)],
        expect=(2,),
        check=lambda outcome: "the pickle was loaded" if marker.exists() else None,
    )


def docx_bomb_1g(d: Path) -> Run:
    path = docx_bomb(d / "in" / "bomb.docx", 1_100_000_000)
    out = d / "out.jsonl"
    return Run(
        batch(path.parent, "--out", out, "--no-model", "--quiet"),
        check=lambda o: None if error_types(out) == ["too_large"] else f"records: {error_types(out)}",
    )


def docx_bomb_app_limit(d: Path) -> Run:
    path = docx_bomb(d / "in" / "bomb.docx", 190_000_000)
    out = d / "out.jsonl"
    return Run(
        batch(path.parent, "--out", out, "--no-model", "--quiet", "--max-file-mb", "10"),
        check=lambda o: None if error_types(out) == ["too_large"] else f"records: {error_types(out)}",
    )


def docx_under_the_limit(d: Path) -> Run:
    path = docx_bomb(d / "in" / "big.docx", 47 * 1024 * 1024)  # just under the 48 MB of XML a .docx may inflate to
    out = d / "out.jsonl"
    return Run(
        batch(path.parent, "--out", out, "--no-model", "--quiet", "--no-text"),
        check=lambda o: None if error_types(out) == ["too_large"] else f"records: {error_types(out)}",
    )


def docx_billion_laughs(d: Path) -> Run:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    head = f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]><w:document xmlns:w="{W}"><w:body>'
    path = docx(d / "in" / "laughs.docx", head, "", 0, "<w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>")
    out = d / "out.jsonl"
    return Run(
        batch(path.parent, "--out", out, "--no-model", "--quiet"),
        check=lambda o: (
            None
            if len(records(out)) == 1 and "lollol" not in (records(out)[0].get("text") or "")
            else "the entities were expanded"
        ),
    )


def docx_xxe(d: Path) -> Run:
    secret = put(d / "secret.txt", "TOPSECRET-XXE")
    head = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<w:document xmlns:w="{W}"><w:body>'
    )
    path = docx(d / "in" / "xxe.docx", head, "", 0, "<w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")
    out = d / "out.jsonl"
    return Run(
        batch(path.parent, "--out", out, "--no-model", "--quiet"),
        check=lambda o: "the external entity was read" if "TOPSECRET" in out.read_text() else None,
    )


def pdf_flate_bomb(d: Path) -> Run:
    path = pdf_bomb(d / "in" / "bomb.pdf", 400_000_000)
    out = d / "out.jsonl"
    return Run(
        batch(path.parent, "--out", out, "--no-model", "--quiet"),
        check=lambda o: None if len(records(out)) == 1 else "not one record",
    )


def resume_into_notes(d: Path) -> Run:
    put(d / "in" / "a.txt", "calm down")
    data = b'{"key": "mine", "note": "my own notes, no newline at the end"}'
    notes = put(d / "notes.jsonl", data)
    return Run(batch(d / "in", "--out", notes, "--no-model", "--resume"), expect=(2,), check=unchanged(notes, data))


def resume_into_header_csv(d: Path) -> Run:
    put(d / "in" / "a.txt", "calm down")
    data = b"id,source,key,error_type,error_message"
    table = put(d / "mine.csv", data)
    return Run(batch(d / "in", "--out", table, "--no-model", "--resume"), expect=(2,), check=unchanged(table, data))


def resume_bad_records(d: Path) -> Run:
    put(d / "in" / "a.txt", "calm down")
    out = put(
        d / "out.jsonl", '{"key": "k1", "flags": [], "error": "oops"}\n{"key": "k2", "flags": [3], "error": null}\n'
    )
    state_for(out)
    data = out.read_bytes()
    return Run(batch(d / "in", "--out", out, "--no-model", "--resume"), expect=(2,), check=unchanged(out, data))


def two_runs_at_once(d: Path) -> Run:
    source = many_docs(d / "in" / "docs.jsonl", 3000)
    out = d / "out.jsonl"
    first: dict[str, subprocess.Popen[bytes]] = {}

    def start_first() -> None:
        first["proc"] = subprocess.Popen(
            batch(source, "--out", out, "--no-model", "--resume", "--quiet"),
            stderr=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not out.exists() and time.monotonic() < deadline:  # the first run holds the lock once the file exists
            time.sleep(0.02)

    def check(outcome: Outcome) -> str | None:
        first["proc"].wait(timeout=120)
        keys = [r["key"] for r in records(out)]
        if len(keys) != len(set(keys)) or len(keys) != 3000:
            return f"{len(keys)} records, {len(set(keys))} distinct, for 3000 documents"
        return None if "another 'allyship batch'" in outcome.stderr else "the second run did not say why it refused"

    return Run(
        batch(source, "--out", out, "--no-model", "--resume", "--quiet"), expect=(2,), check=check, before=start_first
    )


def crash_then_resume(d: Path) -> Run:
    source = many_docs(d / "in" / "docs.jsonl", 4000)
    reference, out = d / "reference.jsonl", d / "out.jsonl"
    subprocess.run(batch(source, "--out", reference, "--no-model", "--quiet"), check=True, capture_output=True)
    proc = subprocess.Popen(
        batch(source, "--out", out, "--no-model", "--quiet", "--batch-size", "50"), stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 200_000):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return Run(
        batch(source, "--out", out, "--no-model", "--quiet", "--resume"),
        check=lambda o: None if out.read_bytes() == reference.read_bytes() else "differs from an uninterrupted run",
    )


def symlink_outside(d: Path) -> Run:
    secret = put(d / "elsewhere" / "secret.txt", "TOPSECRET: calm down")
    put(d / "in" / "a.txt", "calm down")
    os.symlink(secret, d / "in" / "shadow.txt")
    out = d / "out.jsonl"

    def check(outcome: Outcome) -> str | None:
        if "TOPSECRET" in out.read_text():
            return "the linked file's text is in the results"
        return None if error_types(out) == [None, "outside_input"] else f"records: {error_types(out)}"

    return Run(batch(d / "in", "--out", out, "--no-model", "--quiet"), check=check)


def out_through_linked_folder(d: Path) -> Run:
    data = b"my essay: calm down"
    victim = put(d / "in" / "a.txt", data)
    os.symlink(d / "in", d / "link")
    return Run(
        batch(d / "in", "--out", d / "link" / "a.txt", "--no-model", "--force"),
        expect=(2,),
        check=unchanged(victim, data),
    )


def out_hard_link(d: Path) -> Run:
    data = b"my essay: calm down"
    victim = put(d / "in" / "a.txt", data)
    os.link(victim, d / "out.jsonl")
    return Run(
        batch(d / "in", "--out", d / "out.jsonl", "--no-model", "--force"), expect=(2,), check=unchanged(victim, data)
    )


def csv_formulas(d: Path) -> Run:
    import csv

    starts = [
        f"{pad}{sign}"
        for pad in ["", " ", "\u00a0", "\u200b", "\ufeff", "\n", "\t ", "\u2060"]
        for sign in FORMULA_SIGNS
    ]
    rows = [{"id": f"{s}1+1", "text": f"{s}cmd|' /C calc'!A0 calm down"} for s in starts]
    with open(put(d / "in" / "t.csv", ""), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["id", "text"])
        writer.writeheader()
        writer.writerows(rows)
    out = d / "out.csv"

    def check(outcome: Outcome) -> str | None:
        with open(out, encoding="utf-8-sig", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        live = [
            c
            for c in cells
            if c.lstrip(INVISIBLE)[:1] and c.lstrip(INVISIBLE)[0] in FORMULA_SIGNS and not c.startswith("'")
        ]
        return f"{len(live)} cells not neutralized" if live else None

    return Run(batch(d / "in", "--out", out, "--no-model", "--quiet"), check=check)


def train_200mb(d: Path) -> Run:
    line = json.dumps(
        {"text": "Calm down, it was only a joke about the quarterly numbers. " * 4, "categories": "dismissive"}
    )
    block = ((line + "\n") * 1000).encode()
    with open(d / "big.jsonl", "wb") as handle:
        for _ in range(200 * 1024 * 1024 // len(block)):
            handle.write(block)

    def check(outcome: Outcome) -> str | None:  # progress lines come first; the error is one line naming the limit
        errors = [line for line in outcome.stderr.splitlines() if line.startswith("error:")]
        return None if len(errors) == 1 and "limit" in errors[0] else f"errors: {errors}"

    return Run(
        [ALLYSHIP, "train", "--data", str(d / "big.jsonl"), "--out", str(d / "model")],
        expect=(2,),
        one_line=False,
        check=check,
    )


def disk_full(d: Path) -> Run:
    source = many_docs(d / "in" / "docs.jsonl", 200)
    os.symlink("/dev/full", d / "out.jsonl")
    return Run(batch(source, "--out", d / "out.jsonl", "--no-model", "--quiet"), expect=(2,))


def invalid_utf8_argument(d: Path) -> Run:
    return Run([ALLYSHIP, "analyze", os.fsdecode(b"calm down \xff\xfe"), "--no-model"], expect=(2,))


def long_text_file(d: Path) -> Run:
    put(d / "in" / "long.txt", "Calm down. " * 600_000)
    out = d / "out.jsonl"
    return Run(
        batch(d / "in", "--out", out, "--no-model", "--quiet"),
        check=lambda o: None if error_types(out) == ["too_large"] else f"records: {error_types(out)}",
    )


def long_prose_under_the_limit(d: Path) -> Run:
    sentences = [
        "The quarterly review moved to Thursday afternoon.",
        "Calm down, it was just a joke.",
        "She asked for the budget figures before the meeting.",
        "Real men do not cry at work.",
        "Thanks for telling me; I will raise it with the team.",
    ]
    rng = random.Random(3)
    text = " ".join(rng.choice(sentences) for _ in range(990_000 // 42))[:990_000]
    put(d / "in" / "book.txt", text)
    out = d / "out.jsonl"
    return Run(
        batch(d / "in", "--out", out, "--quiet", "--no-text"),
        check=lambda o: None if error_types(out) == [None] else f"records: {error_types(out)}",
    )


def dense_triggers(d: Path) -> Run:
    put(d / "in" / "dense.txt", "Man up. " * 120_000)  # 960,000 characters, one flag every two words
    out = d / "out.jsonl"
    return Run(
        batch(d / "in", "--out", out, "--quiet", "--no-text"),
        check=lambda o: None if error_types(out) == [None] else f"records: {error_types(out)}",
    )


def csv_long_field(d: Path) -> Run:
    put(d / "in" / "t.csv", 'id,text\n1,"' + "calm down " * 600_000 + '"\n2,fine\n')
    out = d / "out.jsonl"
    return Run(
        batch(d / "in", "--out", out, "--no-model", "--quiet"),
        check=lambda o: None if error_types(out) == ["too_large"] else f"records: {error_types(out)}",
    )


def jsonl_long_value(d: Path) -> Run:
    put(d / "in" / "t.jsonl", json.dumps({"text": "calm down " * 600_000}) + "\n" + json.dumps({"text": "fine"}) + "\n")
    out = d / "out.jsonl"
    return Run(
        batch(d / "in", "--out", out, "--no-model", "--quiet"),
        check=lambda o: None if error_types(out) == ["too_large", None] else f"records: {error_types(out)}",
    )


def json_array_large(d: Path) -> Run:
    pad = "x" * 3000
    with open(put(d / "in" / "big.json", ""), "w", encoding="utf-8") as handle:
        handle.write("[")
        handle.write(",".join(json.dumps({"id": i, "pad": pad}) for i in range(30_000)))
        handle.write("]")
    out = d / "out.jsonl"
    return Run(
        batch(d / "in", "--out", out, "--no-model", "--quiet", "--no-text"),
        check=lambda o: None if len(records(out)) == 30_000 else "not one record per item",
    )


def jobs_2(d: Path) -> Run:
    source = many_docs(d / "in" / "docs.jsonl", 2000)
    out = d / "out.jsonl"
    return Run(
        batch(source, "--out", out, "--quiet", "--jobs", "2"),
        limit_gb=2.0,
        check=lambda o: None if len(records(out)) == 2000 else "not one record per document",
    )


CASES = [
    Case("spaced_letters", "text", spaced_letters, note='"a " * 100,000 on standard input'),
    Case("punctuation_run", "text", punctuation_run, note='"*" * 1,000,000'),
    Case("long_word", "text", long_word, note="5 MB of random letters, no space"),
    Case("lexicon_repeat_50", "text", lexicon_repeat_50, note='pattern {IS_ALPHA, OP: "{1,50}"}, 8 words'),
    Case("lexicon_repeat_1000", "text", lexicon_repeat_1000, note='"{1,1000}" through lexicon validate'),
    Case("lexicon_wildcards", "text", lexicon_wildcards, note="three * wildcards, 200 words"),
    Case("regex_in_not_in", "io+text", regex_in_not_in, note="REGEX nested in NOT_IN: one line, never 'unexpected'"),
    Case("threads_share_analyzer", "text", threads, note="8 threads, 3,000 texts, compared with sequential"),
    Case("evasion", "text", evasion, note="invisible, soft hyphen, bidi, fullwidth, homoglyph inside a trigger"),
    Case("model_without_compiled", "model", model_without_compiled, note="metadata lists no compiled file"),
    Case("docx_bomb_1g", "io", docx_bomb_1g, note="document.xml inflating to 1.1 GB"),
    Case("docx_bomb_app_limit", "io", docx_bomb_app_limit, fast=True, note="190 MB inflated, --max-file-mb 10"),
    Case("docx_under_the_limit", "io", docx_under_the_limit, note="47 MB of XML: parsed, then over --max-doc-chars"),
    Case("docx_billion_laughs", "io", docx_billion_laughs, note="nested entities (holds)"),
    Case("docx_xxe", "io", docx_xxe, note="external entity to a local file (holds)"),
    Case("pdf_flate_bomb", "io", pdf_flate_bomb, note="content stream inflating to 400 MB (holds)"),
    Case("resume_into_notes", "io", resume_into_notes, fast=True, note="one-line notes.jsonl, no newline"),
    Case("resume_into_header_csv", "io", resume_into_header_csv, fast=True, note="a header-only CSV"),
    Case("resume_bad_records", "io", resume_bad_records, fast=True, note="error a string, flags a number"),
    Case("two_runs_at_once", "io", two_runs_at_once, note="two --resume runs on one --out, 3,000 documents"),
    Case("crash_then_resume", "io", crash_then_resume, note="SIGKILL mid-run, then --resume (holds)"),
    Case("symlink_outside", "io", symlink_outside, fast=True, note="a link in the folder to a file outside it"),
    Case(
        "out_through_linked_folder",
        "io",
        out_through_linked_folder,
        fast=True,
        note="--out via a linked folder, --force",
    ),
    Case("out_hard_link", "io", out_hard_link, fast=True, note="--out a hard link to an input, --force"),
    Case("csv_formulas", "io", csv_formulas, fast=True, note="= + - @ and full-width after invisible characters"),
    Case("train_200mb", "io", train_200mb, note="a 200 MB training file"),
    Case("disk_full", "io", disk_full, note="--out leading to /dev/full (ENOSPC)"),
    Case("invalid_utf8_argument", "io", invalid_utf8_argument, fast=True, note="bytes 0xff 0xfe in TEXT"),
    Case("long_text_file", "io", long_text_file, note="a .txt of 6.6 million characters (limit 1 million)"),
    Case(
        "long_prose_under_the_limit",
        "io+text",
        long_prose_under_the_limit,
        note="990,000 characters of prose, with the model",
    ),
    Case("dense_triggers", "io+text", dense_triggers, note="960,000 characters of 'Man up.': 120,000 flags"),
    Case("csv_long_field", "io", csv_long_field, note="one CSV field of 6 million characters"),
    Case("jsonl_long_value", "io", jsonl_long_value, note="one JSON value of 6 million characters"),
    Case("json_array_large", "io", json_array_large, note="a .json array of 30,000 objects, 90 MB"),
    Case("jobs_2", "io", jobs_2, note="--jobs 2 with the model, 2,000 documents, 2 GB limit"),
]


# -- the table ---------------------------------------------------------------------------


def run_matrix(cases: list[Case], stream: object = sys.stdout) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="attack-matrix-") as tmp:
        print(
            f"{'case':<27} {'part':<7} {'exit':>4} {'peak MB':>8} {'time s':>7} {'ok':<3} {'fits':<4} "
            "first line of stderr / problems",
            file=stream,
            flush=True,
        )
        for case in cases:
            row = run_case(case, Path(tmp))
            rows.append(row)
            o = row.outcome
            code = "T/O" if o.timed_out else str(o.code)
            said = "; ".join(row.problems) or o.first_line or o.stdout.decode("utf-8", "replace").strip()[:100]
            print(
                f"{case.name:<27} {case.part:<7} {code:>4} {o.peak_mb:>8.0f} {o.seconds:>7.1f} "
                f"{'yes' if row.ok else 'NO':<3} {'yes' if row.fits else 'NO':<4} {said[:160]}",
                file=stream,
                flush=True,
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="Only the quick subset (about 20 s).")
    parser.add_argument("--case", action="append", help="Run only this case (repeatable).")
    parser.add_argument("--list", action="store_true", help="List the cases and exit.")
    parser.add_argument("--write-results", action="store_true", help="Also write the table into bench/RESULTS.md.")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if (not args.fast or c.fast) and (not args.case or c.name in args.case)]
    if args.list:
        for case in cases:
            print(f"{case.name:<27} {case.part:<7} {'fast' if case.fast else '    '} {case.note}")
        return 0
    load = os.getloadavg()
    lines = [
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} cores; "
        f"limit 1 GB (2 GB for --jobs 2), {TIMEOUT:.0f} s"
    ]
    print(lines[0], flush=True)
    table = _Tee(sys.stdout)
    rows = run_matrix(cases, stream=table)
    bad = [r.case.name for r in rows if not r.ok]
    slow = [r.case.name for r in rows if not r.fits]
    lines += table.lines
    lines.append(
        f"{len(rows) - len(bad)} of {len(rows)} answered correctly" + (f"; wrong: {', '.join(bad)}" if bad else "")
    )
    if slow:
        lines.append(f"over {TIMEOUT:.0f} s: {', '.join(slow)}")
    print("\n".join(lines[len(table.lines) + 1 :]))
    if args.write_results:
        sys.path.insert(0, str(REPO))
        from bench.results import update_section

        update_section("Attack matrix", "```\n" + "\n".join(lines) + "\n```", "python bench/attack_matrix.py")
    return 1 if bad else 0


class _Tee:
    """Prints lines as they come and keeps them."""

    def __init__(self, stream: object) -> None:
        self.stream = stream
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.stream.write(text)  # type: ignore[attr-defined]
        self.lines += [line for line in text.splitlines() if line]

    def flush(self) -> None:
        self.stream.flush()  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
