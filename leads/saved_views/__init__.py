"""Saved views of the lead list: a person's filters and columns under a name."""
