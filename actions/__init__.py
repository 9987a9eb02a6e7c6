"""Custom actions: thin adapters between the Rasa tracker and the policy_kb library."""
