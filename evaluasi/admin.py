"""Django admin of the evaluation stage: the SIASN data (evaluasi/siasn/admin.py)."""

from evaluasi.siasn import admin as siasn_admin  # noqa: F401  registers the SIASN models
