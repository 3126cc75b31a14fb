"""Documents in and records out: readers, writers, the batch engine and the report."""
