"""Custom Rasa graph components for Chinese residents' messages."""
