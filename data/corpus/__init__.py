"""The project's own hand-written training corpus (JSONL), shipped so that `allyship train` works from a wheel."""
