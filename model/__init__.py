"""smartregion: an agent-based model of Smart Industry adoption in Dutch regions."""
