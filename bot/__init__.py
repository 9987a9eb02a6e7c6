"""Rasa project files: domain, stories, rules, endpoints, credentials, channels, components."""
