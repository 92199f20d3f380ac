"""PySide6 windows, models and dialogs: the only package that imports Qt."""
