"""What every component reads: token arrays, what is kept on a doc, and the folded, linear-time tokenizer input."""
