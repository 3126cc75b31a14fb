"""Lexicon files: schema, loading, validation, and the article's references."""
