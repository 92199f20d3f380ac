"""Shared fixtures. Qt runs offscreen; every store is a real file in a temporary folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WELCOME_DESK_FAST_KDF", "1")  # tests use cheap Argon2 parameters
