"""Custom input channels."""
