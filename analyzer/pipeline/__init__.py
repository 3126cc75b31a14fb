"""The spaCy pipeline: one module per component, and the one place that orders them."""
