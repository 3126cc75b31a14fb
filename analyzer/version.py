"""The analyzer's version, in one place (the package metadata, model folders and ``--version`` read it)."""

__version__ = "0.1.0"
