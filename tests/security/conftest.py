from __future__ import annotations

import pytest
from django.db import transaction


@pytest.fixture(scope="module")
def matrix_org(django_db_setup, django_db_blocker):
    """One persona organisation for a whole module, rolled back at the end.

    The matrix plays hundreds of rows; building the organisation once per module and giving each
    test a savepoint (the ordinary `db` fixture nests inside this transaction) keeps it fast.
    """
    from tests.personas import build_org

    with django_db_blocker.unblock(), transaction.atomic():
        org = build_org()
        # Admins BKD reach the Django admin (scoped by the policy), as in production.
        for u in (org.admin_a, org.admin_b):
            u.is_staff = True
            u.save(update_fields=["is_staff"])
        yield org
        transaction.set_rollback(True)
