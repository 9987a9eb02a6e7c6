"""Tools for the policy team: model regression reports on the held-out NLU set."""
