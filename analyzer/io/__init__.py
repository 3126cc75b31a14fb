"""Reading documents and writing results: the batch output's guard and, later, the readers and writers."""
