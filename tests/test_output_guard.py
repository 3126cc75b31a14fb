"""``--out`` of a batch: never someone else's file, never two runs at once, never an input under another name."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analyzer.cli.main import main
from analyzer.io.batch import BatchConfig, prepare
from analyzer.io.output import claim_output, state_path
from tests.messy import FLAGGED, put


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().err


def one_line_refusal(code: int, err: str, message: str) -> None:
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert "Traceback" not in err and "unexpected" not in err


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    put(tmp_path / "in" / "a.txt", FLAGGED)
    put(tmp_path / "in" / "b.txt", "The meeting moved to Tuesday.")
    return tmp_path / "in"


@pytest.mark.parametrize(
    "name, data",
    [
        ("notes.jsonl", b'{"key": "mine", "note": "no newline at the end"}'),
        ("notes.jsonl", b'{"key": "mine", "flags": [], "error": null}\n'),  # even one shaped like a record
        ("table.csv", b"id,source,key,error_type,error_message"),
        ("table.csv", b""),
    ],
    ids=["torn-jsonl", "record-like-jsonl", "header-only-csv", "empty-csv"],
)
def test_resume_refuses_a_file_batch_did_not_write_and_leaves_it_whole(
    capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path, name: str, data: bytes
) -> None:
    out = put(tmp_path / name, data)
    code, err = cli(capsys, "batch", inputs, "--out", out, "--no-model", "--resume")
    if data:
        one_line_refusal(code, err, "nothing proves 'allyship batch' wrote it")
        assert out.read_bytes() == data
    else:  # an empty file holds nothing to lose: resuming into it starts afresh
        assert code == 0, err
        assert out.read_text(encoding="utf-8-sig").startswith("id,source,key,")


def test_resume_refuses_an_output_replaced_or_edited_after_batch_wrote_it(
    capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    assert cli(capsys, "batch", inputs, "--out", out, "--no-model")[0] == 0
    original = out.read_bytes()
    edited = original.replace(b"Tuesday", b"Monday!")
    out.write_bytes(edited)  # same file, same size, other bytes
    one_line_refusal(*cli(capsys, "batch", inputs, "--out", out, "--no-model", "--resume"), "was changed")
    assert out.read_bytes() == edited
    out.unlink()
    out.write_bytes(original)  # a copy in its place: another file
    code, err = cli(capsys, "batch", inputs, "--out", out, "--no-model", "--resume")
    if os.stat(out).st_ino != json.loads(state_path(out).read_text())["inode"]:
        one_line_refusal(code, err, "not the file 'allyship batch' wrote")
        assert out.read_bytes() == original


def test_resume_into_records_of_the_wrong_shape_is_one_line(
    capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    assert cli(capsys, "batch", inputs / "a.txt", "--out", out, "--no-model")[0] == 0
    for bad in ('{"key": "k", "flags": [], "error": "oops"}\n', '{"key": "k", "flags": [3], "error": null}\n'):
        with open(out, "a", encoding="utf-8") as handle:  # after the checkpoint: read as records, and refused
            handle.write(bad)
        before = out.read_bytes()
        one_line_refusal(*cli(capsys, "batch", inputs, "--out", out, "--no-model", "--resume"), "not a batch record")
        assert out.read_bytes() == before
        out.write_bytes(before[: -len(bad)])


def test_a_second_run_on_a_locked_output_refuses_before_loading_anything(
    capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    assert cli(capsys, "batch", inputs, "--out", out, "--no-model")[0] == 0
    before = out.read_bytes()
    import analyzer.cli.batch

    def no_model(*args: object) -> None:
        raise AssertionError("the model was loaded before the output was checked")

    monkeypatch.setattr(analyzer.cli.batch, "make_analyzer", no_model)
    held = claim_output(out, resume=True)  # what a first run holds while it writes
    try:
        for flags in (["--resume"], ["--force"]):
            code, err = cli(capsys, "batch", inputs, "--out", out, "--no-model", *flags)
            one_line_refusal(code, err, "another 'allyship batch' is writing")
            assert out.read_bytes() == before
    finally:
        held.abandon()


def test_resume_finishes_an_output_batch_wrote(
    capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    assert cli(capsys, "batch", inputs / "a.txt", "--out", out, "--no-model")[0] == 0
    code, err = cli(capsys, "batch", inputs, "--out", out, "--no-model", "--resume")
    assert code == 0, err
    keys = [json.loads(line)["key"] for line in out.read_text().splitlines()]
    assert keys == [str(inputs / "a.txt"), str(inputs / "b.txt")]
    assert "(1 analyzed now, 1 kept from the earlier run" in err


@pytest.mark.parametrize("alias", ["linked-folder", "hard-link"])
def test_out_reaching_an_input_under_another_name_is_refused_even_with_force(
    capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path, alias: str
) -> None:
    victim = inputs / "a.txt"
    if alias == "linked-folder":
        os.symlink(inputs, tmp_path / "link")
        out = tmp_path / "link" / "a.txt"
    else:
        out = tmp_path / "out.jsonl"
        os.link(victim, out)
    code, err = cli(capsys, "batch", inputs, "--out", out, "--no-model", "--force")
    one_line_refusal(code, err, "the same file as the input")
    assert victim.read_text() == FLAGGED


def test_an_output_batch_wrote_inside_an_input_folder_is_left_out_under_any_name(
    capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path
) -> None:
    out = inputs / "results.jsonl"
    assert cli(capsys, "batch", inputs, "--out", out, "--no-model")[0] == 0
    os.symlink(inputs, tmp_path / "link")
    code, err = cli(capsys, "batch", tmp_path / "link", "--out", out, "--no-model", "--force")
    assert code == 0, err
    sources = [json.loads(line)["source"] for line in out.read_text().splitlines()]
    assert sources == [str(tmp_path / "link" / "a.txt"), str(tmp_path / "link" / "b.txt")]


def test_a_full_disk_is_one_line(capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    os.symlink("/dev/full", tmp_path / "out.jsonl")
    code, err = cli(capsys, "batch", inputs, "--out", tmp_path / "out.jsonl", "--no-model", "--quiet")
    one_line_refusal(code, err, "No space left on device")


def test_a_foreign_state_file_is_never_replaced(
    capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    theirs = put(state_path(out), "my own file that happens to have this name")
    one_line_refusal(*cli(capsys, "batch", inputs, "--out", out, "--no-model"), "is not a batch state file")
    assert theirs.read_text() == "my own file that happens to have this name"
    assert not out.exists()  # the run that stopped before starting left nothing behind


def test_prepare_claims_nothing_when_it_refuses(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    prepared = prepare(BatchConfig(inputs=[inputs], out=out))
    prepared.output.abandon()  # a run that stops before writing (the model could not load)
    assert not out.exists()
    prepared = prepare(BatchConfig(inputs=[inputs], out=out))  # and the lock went with it
    prepared.output.abandon()


def test_force_never_replaces_a_file_of_the_input_folder_that_batch_did_not_write(
    capsys: pytest.CaptureFixture[str], inputs: Path
) -> None:
    one_line_refusal(
        *cli(capsys, "batch", inputs, "--out", inputs / "b.txt", "--no-model", "--force"), "the same file as the input"
    )
    assert (inputs / "b.txt").read_text() == "The meeting moved to Tuesday."


def test_resume_into_an_emptied_output_starts_afresh(
    capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    assert cli(capsys, "batch", inputs, "--out", out, "--no-model")[0] == 0
    full = out.read_bytes()
    out.unlink()  # the state file stays behind
    code, err = cli(capsys, "batch", inputs, "--out", out, "--no-model", "--resume")
    assert code == 0, err
    assert out.read_bytes() == full
