"""Who a person is for the documents, what they pay, when cover starts (the calculators).
Imports only policy_kb.text and policy_kb.data."""
