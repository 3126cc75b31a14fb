"""Training and evaluation: labeled data in, model folders and figures out."""
