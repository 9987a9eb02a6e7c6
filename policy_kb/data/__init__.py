"""The YAML sources, their checks, the SQLite knowledge base, the names (vocabulary) and the
year diff. Imports only policy_kb.text."""
