"""Translations, locale formatting and transliteration of names."""
