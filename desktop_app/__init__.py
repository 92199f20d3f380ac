"""Welcome Desk: offline-first desktop app for native-language open advice sessions."""

__version__ = "0.1.0"
