"""Access rules for the SKP stage (registered by model label; no imports of skp models)."""

from __future__ import annotations
