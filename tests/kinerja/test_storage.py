"""Files by environment: local disk by default, S3-compatible through django-storages when set.

No bucket is contacted here: the S3 test only checks the settings resolve to the S3 backend
with the options from the environment. The round trip runs on Django's InMemoryStorage, a
storage with no path on disk, so any code that still reads a file by `.path`/`MEDIA_ROOT`
would fail it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
s = default_storage._wrapped if default_storage._setup() is None else None
print(json.dumps({
    "backend": settings.STORAGES["default"]["BACKEND"],
    "cls": f"{type(s).__module__}.{type(s).__qualname__}",
    "bucket": getattr(s, "bucket_name", None),
    "endpoint": getattr(s, "endpoint_url", None),
    "region": getattr(s, "region_name", None),
    "addressing": getattr(s, "addressing_style", None),
    "location": getattr(s, "location", None),
    "overwrite": getattr(s, "file_overwrite", None),
    "session": settings.SESSION_ENGINE,
}))
"""


def _probe(**env: str) -> dict:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "kinerja.settings",
        "DATABASE_URL": "sqlite:////tmp/kinerja-storage-probe.sqlite3",
        **env,
    }
    res = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_local_disk_is_the_default_and_sessions_live_in_the_database():
    got = _probe()
    assert got["backend"] == "django.core.files.storage.FileSystemStorage"
    assert got["cls"] == "django.core.files.storage.filesystem.FileSystemStorage"
    # Stateless web tier: any container serves any request.
    assert got["session"] == "django.contrib.sessions.backends.db"


def test_s3_bucket_in_the_environment_selects_django_storages_s3():
    got = _probe(
        KINERJA_S3_BUCKET="kinerja-dokumen",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_S3_REGION_NAME="ap-southeast-3",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID="kunci-uji",
        AWS_SECRET_ACCESS_KEY="rahasia-uji",
        KINERJA_S3_PREFIX="kab-contoh",
    )
    assert got["backend"] == "storages.backends.s3.S3Storage"
    assert got["cls"] == "storages.backends.s3.S3Storage"
    assert got["bucket"] == "kinerja-dokumen"
    assert got["endpoint"] == "http://minio:9000"
    assert got["region"] == "ap-southeast-3"
    assert got["addressing"] == "path"
    assert got["location"] == "kab-contoh"
    # A re-issued document never overwrites the superseded one's bytes.
    assert got["overwrite"] is False


# --- a round trip through a storage that has no files on disk --------------------------------
@pytest.fixture
def memori(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    # Anything written to disk by mistake would land here.
    settings.MEDIA_ROOT = Path("/nonexistent/kinerja-media")
    from django.core.files.storage import default_storage

    assert type(default_storage._wrapped).__name__ != "FileSystemStorage"
    return default_storage


@pytest.mark.django_db
def test_evidence_upload_and_download_work_on_a_non_filesystem_storage(
    org, client_as, memori, django_capture_on_commit_callbacks
):
    from dialog import services as svc
    from skp.models import SKP, RencanaHasilKerja
    from tests.dialog.conftest import pdf_bytes, upload

    skp = SKP.objects.create(
        pegawai=org.pegawai,
        periode=org.periode_a,
        versi=1,
        status=SKP.Status.DISETUJUI,
        pejabat_penilai=org.kasubbid,
        atasan_pejabat_penilai=org.kabid,
    )
    rhk = RencanaHasilKerja.objects.create(skp=skp, jenis="utama", urutan=1, rencana="Data diolah")
    realisasi = svc.realisasi_simpan(
        user=org.user("pegawai"),
        rencana_hasil_kerja=rhk,
        urutan=1,
        uraian="120 berkas diolah",
        angka=120,
        satuan="berkas",
    )
    data = pdf_bytes()
    b = svc.bukti_unggah(
        user=org.user("pegawai"), realisasi=realisasi, judul="Laporan", berkas=upload("l.pdf", data)
    )
    assert memori.exists(b.berkas.name)
    assert not Path(settings.MEDIA_ROOT).exists()
    r = client_as(org.user("pegawai")).get(f"/dialog/bukti/{b.pk}/unduh/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content) == data
    # Deleting the evidence removes the object from the storage (on commit).
    name = b.berkas.name
    with django_capture_on_commit_callbacks(execute=True):
        svc.bukti_hapus(user=org.user("pegawai"), bukti=b)
    assert not memori.exists(name)


@pytest.mark.django_db
def test_pdf_job_and_download_work_on_a_non_filesystem_storage(
    org, client_as, memori, django_capture_on_commit_callbacks
):
    from kinerja.models import Dokumen, Job
    from skp import services
    from tests.skp.factories import skp_diajukan

    skp = skp_diajukan(org, n_rhk=2)
    services.skp_setujui(skp=skp, user=org.kasubbid.user)
    c = client_as(org.pegawai.user)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("skp:pdf", args=[skp.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    job = Job.objects.get(task="skp.pdf")
    assert job.status == Job.Status.SUKSES, job.galat
    dok = Dokumen.objects.get(pk=job.hasil["dokumen_id"])
    assert memori.exists(dok.berkas.name)
    assert not Path(settings.MEDIA_ROOT).exists()
    r = c.get(job.hasil["url"])
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    body = b"".join(r.streaming_content)
    assert body.startswith(b"%PDF") and len(body) == dok.berkas.size
    import hashlib

    assert hashlib.sha256(body).hexdigest() == dok.sha256
