"""The prose linter behind ``allyship check``: reads documents as prose, applies configuration and ignores."""
