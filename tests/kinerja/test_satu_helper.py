"""One helper where there were three or four (issue 15, item 8): the optimistic-lock check
(kinerja.versi), telling a pegawai (kinerja.notifikasi.kabari), the month names
(kinerja.rules.BULAN). Each works, and no stage grows its own copy again."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from kinerja.notifikasi import kabari
from kinerja.rules import BULAN, BULAN_SINGKAT
from kinerja.versi import PESAN_BASI, cek_versi

ROOT = Path(__file__).resolve().parents[2]


def test_a_stale_version_is_refused_under_row_version():
    obj = SimpleNamespace(row_version=3)
    cek_versi(obj, 3)
    cek_versi(obj, "3")
    cek_versi(obj, None)  # nothing sent: the caller decides whether that is allowed
    with pytest.raises(ValidationError) as exc:
        cek_versi(obj, 2)
    assert exc.value.message_dict == {"row_version": [PESAN_BASI]}
    with pytest.raises(ValidationError) as exc:
        cek_versi(obj, "abc")  # never a 500
    assert list(exc.value.message_dict) == ["row_version"]


@pytest.mark.django_db
def test_kabari_tells_the_pegawais_login_now_or_after_commit(
    org, django_capture_on_commit_callbacks
):
    from kinerja.models import Notifikasi
    from kinerja.notifikasi import JENIS

    kabari(org.pegawai, jenis="uji_kabari", pesan="Halo", tautan="/x/", label="Uji kabari")
    assert Notifikasi.objects.filter(penerima=org.pegawai.user, jenis="uji_kabari").count() == 1
    assert JENIS["uji_kabari"] == "Uji kabari"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        kabari(org.rekan, jenis="uji_kabari", pesan="Nanti", setelah_commit=True)
    assert not Notifikasi.objects.filter(penerima=org.rekan.user).exists()
    for cb in callbacks:
        cb()
    assert Notifikasi.objects.filter(penerima=org.rekan.user, pesan="Nanti").count() == 1
    kabari(None, jenis="uji_kabari", pesan="Tidak ada")  # nobody to tell: nothing happens
    org.gubernur.user = None
    kabari(org.gubernur, jenis="uji_kabari", pesan="Tanpa akun")
    assert Notifikasi.objects.filter(jenis="uji_kabari").count() == 2


def test_month_names():
    assert len(BULAN) == 12 and BULAN[7] == "Agustus"
    assert BULAN_SINGKAT == [
        "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
    ]  # fmt: skip


def _modules():
    for app in ("kinerja", "skp", "dialog", "evaluasi"):
        for path in (ROOT / app).rglob("*.py"):
            if "/migrations/" not in path.as_posix():
                yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text())


def _calls(node, name):
    return [
        c
        for c in ast.walk(node)
        if isinstance(c, ast.Call) and getattr(c.func, "id", getattr(c.func, "attr", "")) == name
    ]


def test_no_stage_keeps_its_own_copy():
    """No second optimistic-lock check (a function comparing row_version outside kinerja.versi),
    no private notification helper (one wrapping notifikasi_kirim; a reminder's once-a-day send
    with `kunci` is the engine's own), no month table outside kinerja.rules."""
    copies = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                if rel != "kinerja/versi.py" and node.name in {"cek_versi", "_cek_versi"}:
                    copies.append(f"{rel}: def {node.name}")
                if node.name.startswith("_") and rel != "kinerja/notifikasi.py":
                    for call in _calls(node, "notifikasi_kirim"):
                        if not any(k.arg == "kunci" for k in call.keywords):
                            copies.append(f"{rel}: def {node.name} (a notification helper)")
            if (
                isinstance(node, ast.Constant)
                and node.value in ("Januari", "Jan")
                and rel != "kinerja/rules.py"
            ):
                copies.append(f"{rel}:{node.lineno}: a month table")
    assert not copies, copies
