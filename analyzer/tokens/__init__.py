"""Token-level helpers: what the tokenizer is given and how hostile text is kept to linear time."""
