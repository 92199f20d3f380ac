"""Report exports (CSV, XLSX, PDF); no Qt here."""
