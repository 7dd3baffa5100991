"""Access rules for the evaluasi stage (registered by model label; no imports of evaluasi models)."""

from __future__ import annotations
