"""Form definitions (data) turned into validation, skip logic and summaries. No Qt."""
