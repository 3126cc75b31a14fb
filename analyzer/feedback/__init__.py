"""What reviewers say about flags: a SQLite store of verdicts, and what training and analysis make of them."""
