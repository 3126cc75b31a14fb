"""The encoder's tokenizer gives the ids BERT's own uncased WordPiece gives (the weights read nothing else)."""

from __future__ import annotations

import pytest

from analyzer.model.wordpiece import WordPiece, normalize, pre_tokenize

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "she", "is", "over", "##rea", "##cting", "##re", "cafe", "!", "un", "中"]


@pytest.fixture
def tokenizer() -> WordPiece:
    return WordPiece(VOCAB)


def test_normalize_lowercases_strips_accents_and_drops_control_characters() -> None:
    assert normalize("Café\u200b\tNAÏVE\x00") == "cafe naive"


def test_cjk_ideographs_and_punctuation_become_words_of_their_own() -> None:
    assert pre_tokenize(normalize("she中is!over")) == ["she", "中", "is", "!", "over"]


def test_longest_match_first_with_continuation_pieces(tokenizer: WordPiece) -> None:
    ids = tokenizer.encode("She is overreacting!", 32)
    assert [VOCAB[i] for i in ids] == ["[CLS]", "she", "is", "over", "##rea", "##cting", "!", "[SEP]"]


def test_a_word_with_an_unknown_rest_is_one_unknown_piece(tokenizer: WordPiece) -> None:
    assert [VOCAB[i] for i in tokenizer.encode("overx", 8)] == ["[CLS]", "[UNK]", "[SEP]"]


def test_truncation_keeps_cls_and_sep_within_the_length(tokenizer: WordPiece) -> None:
    ids = tokenizer.encode("she is she is she is she is", 5)
    assert [VOCAB[i] for i in ids] == ["[CLS]", "she", "is", "she", "[SEP]"]


def test_a_vocabulary_without_special_pieces_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\[CLS\]"):
        WordPiece(["[PAD]", "[UNK]", "she"])


def test_same_ids_as_the_pretrained_tokenizer(minilm_base) -> None:
    """Ids read off the reference tokenizer (``tokenizers``, the base's tokenizer.json) for these strings."""
    tokenizer = WordPiece(minilm_base.vocab.decode("utf-8").splitlines())
    assert tokenizer.encode("She is being way too dramatic!", 12) == [101, 2016, 2003, 2108, 2126, 2205, 6918, 999, 102]
    assert tokenizer.encode("Café naïve", 12) == [101, 7668, 15743, 102]
    assert tokenizer.encode("Ｗｏｍｅｎ 中文 ok", 12) == [101, 100, 1746, 1861, 7929, 102]
    pieces = [101, 4895, 8671, 2666, 3567, 6321, 2058, 16416, 11873, 102]
    assert tokenizer.encode("unbelievably overreacting", 12) == pieces
    assert tokenizer.encode("x" * 120, 12) == [101, 100, 102]
