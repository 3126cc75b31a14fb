"""The built-in lexicons: one YAML file per category, and strategies.yml (shipped inside the package)."""
