"""Reading and writing: documents, caches."""
