"""The ``allyship`` command line: thin commands over the library."""
