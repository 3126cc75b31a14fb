"""Labeled data loading: the project's formats, the public formats by their columns, and errors with file + row.

Small files are written in ``tmp_path`` with sentences made up for the test;
no public data is copied here. The tests at the end read the real public files
where they lie (``$ALLYSHIP_SHARED_DATA``, default ``../shared/data``) and are
skipped when they are absent.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from analyzer.errors import DataError
from analyzer.training.datasets import LABEL_MAP, Example, detect_format, load_labeled
from tests.conftest import SHARED_DATA

KNOWN = {
    "toxic_masculinity",
    "dismissive",
    "victim_blaming",
    "excusing_harassment",
    "gender_stereotype",
    "derailing",
    "ally_ridicule",
    "gendered_hostility",
}


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",", bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def load(path: Path, **kwargs) -> list[Example]:
    return load_labeled(path, known_categories=KNOWN, **kwargs)


def error_of(path: Path, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        load(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return message


# --- the project's formats --------------------------------------------------------------------------------------


def test_jsonl_with_string_list_and_empty_categories(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    lines = [
        {"text": "Man up and stop crying.", "categories": "toxic_masculinity"},
        {"text": "Boys will be boys, calm down.", "categories": "excusing_harassment, dismissive"},
        "",
        {"text": "Can you man the booth at noon?", "categories": ""},
        {"text": "She is too emotional to lead.", "categories": ["gender_stereotype"], "split": "dev"},
    ]
    path.write_text("\n".join(json.dumps(x) if x else "" for x in lines) + "\n", encoding="utf-8")
    examples = load(path)
    assert [e.categories for e in examples] == [
        frozenset({"toxic_masculinity"}),
        frozenset({"excusing_harassment", "dismissive"}),
        frozenset(),
        frozenset({"gender_stereotype"}),
    ]
    assert [e.row for e in examples] == [1, 2, 4, 5]  # line numbers: the blank line 3 is skipped but counted
    assert examples[0].source == str(path)
    assert examples[0].split is None and examples[3].split == "dev"


def test_csv_with_bom_and_tsv(tmp_path: Path) -> None:
    rows = [["Stop overreacting, it was a joke.", "dismissive"], ["The storm will calm down soon.", ""]]
    csv_path = write_csv(tmp_path / "mine.csv", ["text", "categories"], rows, bom=True)
    tsv_path = write_csv(tmp_path / "mine.tsv", ["text", "categories"], rows, delimiter="\t")
    for path in (csv_path, tsv_path):
        examples = load(path)
        assert [(e.text, e.categories, e.row) for e in examples] == [
            ("Stop overreacting, it was a joke.", frozenset({"dismissive"}), 1),
            ("The storm will calm down soon.", frozenset(), 2),
        ]


def test_custom_column_names(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", ["sentence", "labels"], [["Not all men are like that.", "derailing"]])
    examples = load(path, text_column="sentence", categories_column="labels")
    assert examples[0].categories == frozenset({"derailing"})


def test_csv_split_column_and_multiline_field(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "s.csv",
        ["text", "categories", "split"],
        [["line one\nline two", "", "validation"], ["Simp for her much?", "ally_ridicule", "TEST"]],
    )
    examples = load(path)
    assert [e.split for e in examples] == ["dev", "test"]
    assert examples[0].text == "line one\nline two" and examples[1].row == 2


def test_big_field_is_read(tmp_path: Path) -> None:
    big = "word " * 60_000  # 300,000 characters: above Python's default csv field limit of 131,072
    path = write_csv(tmp_path / "big.csv", ["text", "categories"], [[big, ""]])
    assert len(load(path)[0].text) == len(big)


# --- public formats, detected by their own columns -------------------------------------------------------------

EDOS_HEADER = ["rewire_id", "text", "label_sexist", "label_category", "label_vector", "split"]


def test_edos_rows_map_every_vector(tmp_path: Path) -> None:
    vectors = [label for (dataset, label) in LABEL_MAP if dataset == "edos"]
    rows = [
        [f"id-{i}", f"made-up post number {i}", "not sexist" if v == "none" else "sexist", "x", v, "train"]
        for i, v in enumerate(vectors)
    ]
    rows.append(["id-x", "another made-up post", "not sexist", "none", "none", "test"])
    examples = load(write_csv(tmp_path / "edos_like.csv", EDOS_HEADER, rows))
    by_vector = {v: e.categories for v, e in zip(vectors, examples, strict=False)}
    assert by_vector["none"] == frozenset()
    assert by_vector["3.1 casual use of gendered slurs, profanities, and insults"] == {"gendered_hostility"}
    assert by_vector["3.2 immutable gender differences and gender stereotypes"] == {"gender_stereotype"}
    assert by_vector["3.4 condescending explanations or unwelcome advice"] == {"dismissive"}
    assert by_vector["4.1 supporting mistreatment of individual women"] == {"excusing_harassment"}
    assert by_vector["4.2 supporting systemic discrimination against women as a group"] == {"gender_stereotype"}
    assert examples[-1].split == "test"


def test_edos_unknown_vector_and_contradiction(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "e.csv", EDOS_HEADER, [["a", "post", "sexist", "x", "9.9 a vector nobody mapped", "train"]]
    )
    assert "row 1" in (msg := error_of(path)) and "9.9 a vector nobody mapped" in msg and "LABEL_MAP" in msg
    path = write_csv(tmp_path / "e2.csv", EDOS_HEADER, [["a", "post", "sexist", "none", "none", "train"]])
    assert "row 1" in (msg := error_of(path)) and "contradicts" in msg


GUEST_HEADER = ["entry_id", "body", "level_1", "level_2", "level_3", "strength", "split"]


def test_guest_levels(tmp_path: Path) -> None:
    rows = [
        ["1", "made-up neutral comment", "Nonmisogynistic", "None_of_the_categories", "", "", "train"],
        ["2", "made-up pejorative", "Misogynistic", "Misogynistic_pejorative", "", "", "train"],
        ["3", "made-up competence slight", "Misogynistic", "Derogation", "Intellectual_inferiority", "", "test"],
        ["4", "made-up threat", "Misogynistic", "Treatment", "Threatening_Physical_violence", "", "train"],
        ["5", "made-up rebuttal", "Nonmisogynistic", "Counter_speech", "", "", "train"],
        ["6", "", "Nonmisogynistic", "None_of_the_categories", "", "", "train"],  # image-only post: skipped
    ]
    examples = load(write_csv(tmp_path / "final_labels.csv", GUEST_HEADER, rows))
    assert [e.categories for e in examples] == [
        frozenset(),
        {"gendered_hostility"},
        {"gender_stereotype"},
        {"gendered_hostility"},
        frozenset(),
    ]
    assert [e.row for e in examples] == [1, 2, 3, 4, 5]
    assert examples[2].split == "test"


def test_guest_level_1_must_agree(tmp_path: Path) -> None:
    rows = [["1", "made-up text", "Nonmisogynistic", "Derogation", "Other", "", "train"]]
    assert "row 1" in (msg := error_of(write_csv(tmp_path / "g.csv", GUEST_HEADER, rows))) and "contradicts" in msg


SBIC_HEADER = ["", "post", "targetMinority", "targetCategory", "targetStereotype", "offensiveYN", "intentYN"]


def test_sbic_women_targets_only(tmp_path: Path) -> None:
    rows = [
        ["0", "made-up insult at women", '["women"]', '["gender"]', '["women are x"]', "1.0", "1.0"],
        ["1", "made-up insult at feminists", '["feminists"]', '["gender"]', "[]", "0.66", "1.0"],
        ["2", "made-up insult at another group", '["some folks"]', '["race"]', '["x"]', "1.0", "1.0"],
        ["3", "made-up mild post about women", '["women"]', '["gender"]', "[]", "0.33", "0.0"],
        ["4", "made-up neutral post", "[]", "[]", "[]", "0.0", "0.0"],
    ]
    examples = load(write_csv(tmp_path / "SBIC.v2.agg.dev.csv", SBIC_HEADER, rows))
    assert [e.categories for e in examples] == [
        {"gendered_hostility"},
        {"gendered_hostility"},
        frozenset(),
        frozenset(),
        frozenset(),
    ]
    assert {e.split for e in examples} == {"dev"}  # from the file name: SBIC has no split column


def test_sbic_bad_number(tmp_path: Path) -> None:
    rows = [["0", "made-up", "[]", "[]", "[]", "lots", "0"]]
    msg = error_of(write_csv(tmp_path / "sbic.csv", SBIC_HEADER, rows))
    assert "row 1" in msg and "offensiveYN" in msg


def test_project_columns_win_over_public_signature() -> None:
    assert detect_format([*EDOS_HEADER, "categories"]) == "project"
    assert detect_format(EDOS_HEADER) == "edos"
    assert detect_format(["post", "offensiveYN", "targetCategory", "targetMinority", "targetStereotype"]) == "sbic"
    assert detect_format(["foo"]) == "unknown"


# --- errors name the file and the row ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"text": "fine", "categories": ""}\n{"text": "x", "categories": "foo"}\n',
            ["line 2", "unknown category 'foo'"],
        ),
        ('{"text": "", "categories": ""}\n', ["line 1", "empty 'text'"]),
        ('{"text": "   ", "categories": ""}\n', ["line 1", "empty 'text'"]),
        ('{"text": "fine", "categories": ""}\n{"text": "x"\n', ["line 2", "not valid JSON"]),
        ('["text", "categories"]\n', ["line 1", "expected a JSON object"]),
        ('{"categories": ""}\n', ["line 1", "missing field 'text'"]),
        ('{"text": "x"}\n', ["line 1", "missing field 'categories'"]),
        ('{"text": 42, "categories": ""}\n', ["line 1", "'text' must be a string"]),
        ('{"text": "x", "categories": 3}\n', ["line 1", "'categories' must be"]),
        ('{"text": "x", "categories": ["dismissive", 3]}\n', ["line 1", "'categories' must be"]),
        ('{"text": "x", "categories": "", "split": "holdout"}\n', ["line 1", "unknown split 'holdout'"]),
    ],
)
def test_jsonl_errors(tmp_path: Path, content: str, expected: list[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    message = error_of(path)
    for part in expected:
        assert part in message


def test_unknown_category_lists_known_ones(tmp_path: Path) -> None:
    rows = [["fine", ""]] * 11 + [["x", "dismissive,foo"]]
    message = error_of(write_csv(tmp_path / "x.csv", ["text", "categories"], rows))
    assert f"{tmp_path / 'x.csv'} row 12: unknown category 'foo' (known: ally_ridicule, derailing" in message


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        (["text", "labels"], [["x", ""]], ["header row", "missing column 'categories'", "columns: text, labels"]),
        (["body"], [["x"]], ["header row", "missing column 'text', 'categories'"]),
        (["text", "categories"], [["ok", ""], ["", "dismissive"]], ["row 2", "empty 'text'"]),
        (["text", "categories"], [["ok", ""], [" ", ""], ["x", "nope"]], ["row 3", "unknown category 'nope'"]),
        (["text", "categories"], [["ok", ""], ["a", "", "extra"]], ["row 2", "3 fields where the header has 2"]),
        (["text", "categories"], [["ok", ""], ["only one field"]], ["row 2", "1 fields where the header has 2"]),
    ],
)
def test_csv_errors(tmp_path: Path, header: list[str], rows: list[list[str]], expected: list[str]) -> None:
    message = error_of(write_csv(tmp_path / "bad.csv", header, rows))
    for part in expected:
        assert part in message


def test_empty_file_bad_encoding_missing_file_and_type(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "empty" in error_of(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,categories\nok,\ncaf\xe9,\n".encode("latin-1"))
    assert "UTF-8" in (msg := error_of(latin)) and "row" in msg
    assert "no such data file" in error_of(tmp_path / "missing.jsonl")
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    assert "unsupported data file type '.txt'" in error_of(other)


def test_public_label_mapping_to_an_unloaded_category(tmp_path: Path) -> None:
    rows = [["a", "made-up post", "sexist", "x", "3.4 condescending explanations or unwelcome advice", "train"]]
    path = write_csv(tmp_path / "e.csv", EDOS_HEADER, rows)
    with pytest.raises(DataError) as info:
        load_labeled(path, known_categories={"gendered_hostility"})
    assert "row 1" in str(info.value) and "'dismissive'" in str(info.value)


# --- the real public files, where they lie ----------------------------------------------------------------------

EDOS_FILE = SHARED_DATA / "edos" / "edos_labelled_aggregated.csv"
GUEST_FILE = SHARED_DATA / "guest_misogyny" / "final_labels.csv"
SBIC_FILES = sorted((SHARED_DATA / "sbic").glob("SBIC.v2.agg.*.csv"))


@pytest.mark.skipif(not EDOS_FILE.is_file(), reason=f"EDOS not found at {EDOS_FILE} (set ALLYSHIP_SHARED_DATA)")
def test_real_edos() -> None:
    examples = load(EDOS_FILE)
    assert len(examples) == 20_000
    assert Counter(e.split for e in examples) == {"train": 14_000, "dev": 2_000, "test": 4_000}
    counts = Counter(c for e in examples for c in e.categories)
    for category in ("gendered_hostility", "gender_stereotype", "dismissive", "excusing_harassment"):
        assert counts[category] > 0, category
    sexist = sum(1 for e in examples if e.categories)
    assert sexist == 4_854  # every sexist post gets a category, every other post none
    assert counts["gendered_hostility"] > counts["gender_stereotype"] > counts["excusing_harassment"]


@pytest.mark.skipif(not GUEST_FILE.is_file(), reason=f"Guest et al. not found at {GUEST_FILE}")
def test_real_guest() -> None:
    examples = load(GUEST_FILE)
    assert len(examples) > 6_500  # the release has 6,567 rows; a dozen image-only posts are skipped
    assert {e.split for e in examples} == {"train", "test"}
    counts = Counter(c for e in examples for c in e.categories)
    assert counts["gendered_hostility"] > 0 and counts["gender_stereotype"] > 0


@pytest.mark.skipif(not SBIC_FILES, reason=f"Social Bias Frames aggregated files not found in {SHARED_DATA / 'sbic'}")
def test_real_sbic() -> None:
    for path in SBIC_FILES:
        examples = load(path)
        assert len(examples) > 1_000
        positives = sum(1 for e in examples if e.categories)
        assert 0 < positives < len(examples) / 2
        assert len({e.split for e in examples}) == 1
