"""The ``--out`` file of a batch: locked while a run writes it, and never kept or cut unless batch wrote it.

A JSONL or CSV output has exactly one record per document, so it cannot carry
a header saying who wrote it. A small state file beside it does instead
(``results.jsonl.allyship-state``, JSON): the output's device and inode, and
the size and sha256 of the bytes batch had written and synced to disk at its
last checkpoint. ``--resume`` keeps an output only when that state matches,
so someone's ``notes.jsonl`` is refused whole, never cut to its "last complete
record". Bytes after the checkpoint (records flushed since, a torn last line)
are scanned as records as before.

While a run writes, it holds an exclusive ``flock`` on the output, so a second
run on the same ``--out`` refuses in one line instead of interleaving records.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError, BatchError
from analyzer.io.writers import NOT_RESUMABLE_ADVICE, DoneRecord, Target, not_resumable, scan_records

STATE_SUFFIX = ".allyship-state"
STATE_FORMAT = "allyship-batch-output"
STATE_VERSION = 1

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a second run is not detected there
    fcntl = None  # type: ignore[assignment]


def state_path(out: str | Path) -> Path:
    """Where the state of ``out`` is kept: beside it, named after it."""
    out = Path(out)
    return out.with_name(out.name + STATE_SUFFIX)


def side_files(out: str | Path) -> list[Path]:
    """The files a batch writes for ``out``, none of which is ever read as an input."""
    state = state_path(out)
    return [Path(out), state, state.with_name(state.name + ".tmp")]


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def read_state(out: str | Path) -> dict[str, Any] | None:
    """The state written for ``out``, or ``None`` when there is none; raises when the file is not one."""
    path = state_path(out)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnalyzerError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        state = json.loads(raw)
        ok = isinstance(state, dict) and state.get("format") == STATE_FORMAT
        ok = ok and all(isinstance(state.get(k), int) for k in ("device", "inode", "size"))
        ok = ok and isinstance(state.get("sha256"), str)
    except (ValueError, RecursionError):
        ok = False
    if not ok:
        raise BatchError(
            f"{path} is not a batch state file; move it away or write to another file", "not_state_file", path=path
        )
    return state


def written_by_batch(out: str | Path) -> bool:
    """Whether ``out`` is the file its state file describes (cheap: identity only, no hashing)."""
    try:
        state = read_state(out)
        info = os.stat(out)
    except (AnalyzerError, OSError):
        return False
    return state is not None and (state["device"], state["inode"]) == _identity(info)


@dataclass
class BatchOutput:
    """An opened and locked ``--out``: what it holds that batch wrote, and the target to append to."""

    path: Path
    fd: int
    created: bool  # this run made the file
    regular: bool
    resume: bool
    records: list[DoneRecord] = field(default_factory=list)
    good_end: int = 0  # where the last complete record ends
    size: int = 0  # the file's size when opened
    digest: Any = field(default_factory=hashlib.sha256)
    handle: Any = None  # the file object that owns ``fd`` once started

    @property
    def discarded_bytes(self) -> int:
        return self.size - self.good_end

    def start(self) -> Target:
        """Cut what is not kept (a torn tail, or everything when not resuming), record the state, return the target."""
        if self.regular:
            keep = self.good_end if self.resume else 0
            if keep < os.fstat(self.fd).st_size:
                os.ftruncate(self.fd, keep)
            if not self.resume:
                self.digest = hashlib.sha256()
        self.handle = os.fdopen(self.fd, "ab", closefd=True)
        target = Target(
            self.handle,
            size=self.good_end if self.resume else 0,
            digest=self.digest,
            commit=self.commit if self.regular else None,
            syncable=self.regular,
        )
        if self.regular:
            self.commit(target.size, target.digest)
        return target

    def commit(self, size: int, digest: Any) -> None:
        """Record that the first ``size`` bytes (hashing to ``digest``) are batch's and on disk."""
        info = os.fstat(self.fd) if self.fd >= 0 else os.stat(self.path)
        state = {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "output": self.path.name,
            "device": info.st_dev,
            "inode": info.st_ino,
            "size": size,
            "sha256": digest.hexdigest(),
        }
        path = state_path(self.path)
        tmp = path.with_name(path.name + ".tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        with open(tmp, "x", encoding="utf-8") as handle:
            json.dump(state, handle)
        os.replace(tmp, path)

    def abandon(self) -> None:
        """Give up before writing anything: close, and remove the file if this run created it empty."""
        with contextlib.suppress(OSError):
            if self.created and os.fstat(self.fd).st_size == 0:
                self.path.unlink()
        with contextlib.suppress(OSError):
            if self.handle is not None:
                self.handle.close()
            else:
                os.close(self.fd)


def claim_output(out: str | Path, *, resume: bool) -> BatchOutput:
    """Open and lock ``out``; with ``resume``, prove batch wrote it and scan its records.

    Nothing is cut or written yet (see :meth:`BatchOutput.start`), so a run
    that stops before it starts leaves the file as it found it.
    """
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = os.path.lexists(path)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise AnalyzerError(f"cannot write {path}: {exc.strerror or exc}") from None
    output = BatchOutput(path, fd, created=not existed, regular=True, resume=resume)
    try:
        _lock(fd, path)
        info = os.fstat(fd)
        output.regular = stat.S_ISREG(info.st_mode)
        output.size = info.st_size if output.regular else 0
        if output.regular and not resume and state_path(path).exists():
            read_state(path)  # refuse to replace a file of the same name that is not a batch state
        if resume:
            _prove_and_scan(output, info)
    except BaseException:
        output.abandon()
        raise
    return output


def _lock(fd: int, path: Path) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BatchError(
            f"another 'allyship batch' is writing {path}; wait for it to finish, or write to another file",
            "locked",
            path=path,
        ) from None
    except OSError:
        pass  # a file system without locks (some network mounts): run unlocked rather than not at all


def _prove_and_scan(output: BatchOutput, info: os.stat_result) -> None:
    """Keep the records of ``output`` only if its state proves batch wrote them; refuse otherwise."""
    path = output.path
    if not output.regular:
        message = f"resuming needs a regular file, and {path} is a device or pipe; {NOT_RESUMABLE_ADVICE}"
        raise BatchError(message, "not_regular", path=path)
    state = read_state(path)
    if output.size == 0:
        return  # nothing to keep and nothing to lose (a new file, or one emptied since)
    if state is None:
        raise not_resumable(
            f"{path} has no {state_path(path).name} beside it, so nothing proves 'allyship batch' wrote it; "
            "refusing to resume into it",
            parenthesized=True,
        )
    if (state["device"], state["inode"]) != _identity(info) or state["size"] > output.size:
        raise not_resumable(f"{path} is not the file 'allyship batch' wrote there (it was replaced or cut)")
    with os.fdopen(os.dup(output.fd), "rb") as handle:
        records, good_end = scan_records(handle, path)
        if good_end < state["size"]:
            raise not_resumable(f"{path} was changed after 'allyship batch' wrote it")
        handle.seek(0)
        digest, at_checkpoint = _hash_prefix(handle, state["size"], good_end)
    if at_checkpoint != state["sha256"]:
        raise not_resumable(f"{path} was changed after 'allyship batch' wrote it")
    output.records, output.good_end, output.digest = records, good_end, digest


def _hash_prefix(handle: Any, checkpoint: int, end: int) -> tuple[Any, str]:
    """The sha256 of the first ``end`` bytes, and the hex digest of the first ``checkpoint`` of them."""
    digest = hashlib.sha256()
    at = 0
    at_checkpoint = digest.hexdigest() if checkpoint == 0 else ""
    while at < end:
        want = min(1 << 20, end - at, checkpoint - at if at < checkpoint else end - at)
        chunk = handle.read(want)
        if not chunk:
            break
        digest.update(chunk)
        at += len(chunk)
        if at == checkpoint:
            at_checkpoint = digest.hexdigest()
    return digest, at_checkpoint
