"""Token arrays of parsed docs and what the components keep on a doc: the layer every component reads."""
