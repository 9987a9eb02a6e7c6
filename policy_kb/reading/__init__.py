"""What a resident's message asks, and about whom (the question and household readers).
Imports only the layers below: text, data, rules."""
