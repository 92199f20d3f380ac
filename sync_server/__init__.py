"""Central sync server: stores and forwards ciphertext envelopes only."""

__version__ = "0.1.0"
