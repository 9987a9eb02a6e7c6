"""The reply, with its sources: compose and its parts, render, briefing, introduction, lookup.
The top layer of the library; only cli.py and the package's __init__ sit above it."""
