"""The shipped model folders (compiled arrays and metadata.json), installed inside the package."""
