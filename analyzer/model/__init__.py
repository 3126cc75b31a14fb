"""The classifier model: features, compiled scoring, and model folders."""
