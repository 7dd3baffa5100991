"""Access rules for the dialog stage (registered by model label; no imports of dialog models)."""

from __future__ import annotations
