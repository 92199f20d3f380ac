"""Use cases: what a user can do, each owning its transaction. Called by the UI and the CLI."""
