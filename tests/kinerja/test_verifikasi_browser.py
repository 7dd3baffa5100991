"""The verification page in a real browser: the upload form must pass the CSRF origin check
(a `Referrer-Policy: no-referrer` page makes Chromium send `Origin: null` and fail it)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_visitor_uploads_the_issued_pdf_and_reads_identik(
    e2e_org_verif, page, live_server, tmp_path
):
    from kinerja.pdf import dokumen_simpan, render_pdf

    data = render_pdf("<h1>SASARAN KINERJA PEGAWAI</h1>")
    org = e2e_org_verif
    dok = dokumen_simpan(
        jenis="skp",
        judul="SKP uji",
        data=data,
        nama_berkas="skp.pdf",
        objek=org.pegawai,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
    )
    berkas = tmp_path / "skp.pdf"
    berkas.write_bytes(data)
    page.goto(f"{live_server.url}/verifikasi/{dok.kode}/")
    assert "MASIH BERLAKU" in page.inner_text("main")
    page.set_input_files("input[name=berkas]", str(berkas))
    page.click("form.verif-unggah button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Berkas IDENTIK" in page.inner_text("main")
    berkas.write_bytes(data + b"\n%diubah")
    page.set_input_files("input[name=berkas]", str(berkas))
    page.click("form.verif-unggah button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "TIDAK identik" in page.inner_text("main")


@pytest.fixture
def e2e_org_verif(transactional_db):
    from django.core.cache import cache

    from tests.personas import build_org

    cache.clear()
    return build_org()
