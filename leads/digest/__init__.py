"""The opt-in daily digest of the hand-offs sales rejected."""
