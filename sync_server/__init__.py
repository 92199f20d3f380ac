"""Central sync server: stores and forwards ciphertext envelopes only."""
