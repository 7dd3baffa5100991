from __future__ import annotations

import re
import shutil
import string
import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from kinerja.models import Dokumen, _kode_dokumen
from kinerja.pdf import dokumen_simpan, qr_data_uri, render_pdf
from kinerja.verifikasi import verifikasi_konteks, verifikasi_url


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _pdf(teks: str) -> bytes:
    return render_pdf(f"<html><body><h1>SASARAN KINERJA PEGAWAI</h1><p>{teks}</p></body></html>")


def _terbitkan(org, data: bytes, *, versi: int = 1, jenis: str = "skp") -> Dokumen:
    return dokumen_simpan(
        jenis=jenis,
        judul=f"SKP {org.pegawai.nama} tahun {org.periode_a.tahun} versi {versi}",
        data=data,
        nama_berkas=f"skp-v{versi}.pdf",
        objek=org.pegawai,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
        versi=versi,
    )


@pytest.mark.django_db
def test_current_document_page_shows_header_hash_and_is_public(client, org):
    data = _pdf("isi")
    dok = _terbitkan(org, data)
    resp = client.get(f"/verifikasi/{dok.kode}/")  # anonymous
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "MASIH BERLAKU" in html
    assert "DIGANTIKAN" not in html
    assert org.pegawai.nama in html
    assert "Sasaran Kinerja Pegawai" in html
    assert dok.sha256 in html
    assert dok.judul in html
    assert resp["X-Robots-Tag"].startswith("noindex")


@pytest.mark.django_db
def test_superseded_document_says_so_and_names_newer_version(client, org):
    lama = _terbitkan(org, _pdf("versi satu"), versi=1)
    baru = _terbitkan(org, _pdf("versi dua"), versi=2)
    html = client.get(f"/verifikasi/{lama.kode}/").content.decode()
    assert "DIGANTIKAN" in html
    assert "MASIH BERLAKU" not in html
    assert "versi 2" in html
    html_baru = client.get(f"/verifikasi/{baru.kode}/").content.decode()
    assert "MASIH BERLAKU" in html_baru
    # The old page does not hand out the newer document's code.
    assert baru.kode not in html


@pytest.mark.django_db
def test_identical_upload_is_reported_identik(client, org, settings):
    data = _pdf("asli")
    dok = _terbitkan(org, data)
    before = sorted(Path(settings.MEDIA_ROOT).rglob("*"))
    resp = client.post(
        f"/verifikasi/{dok.kode}/",
        {"berkas": SimpleUploadedFile("skp.pdf", data, content_type="application/pdf")},
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Berkas IDENTIK" in html
    assert "TIDAK identik" not in html
    # Nothing the visitor uploaded is kept.
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*")) == before


@pytest.mark.django_db
def test_tampered_upload_is_reported_tidak_identik(client, org):
    data = _pdf("asli")
    dok = _terbitkan(org, data)
    rusak = bytearray(data)
    rusak[len(rusak) // 2] ^= 0x01
    resp = client.post(
        f"/verifikasi/{dok.kode}/",
        {"berkas": SimpleUploadedFile("skp.pdf", bytes(rusak), content_type="application/pdf")},
    )
    html = resp.content.decode()
    assert "TIDAK identik" in html
    assert "Berkas IDENTIK" not in html


@pytest.mark.django_db
def test_upload_over_the_limit_is_refused(client, org, settings):
    settings.KINERJA_UPLOAD_MAX_BYTES = 1024
    dok = _terbitkan(org, _pdf("asli"))
    resp = client.post(
        f"/verifikasi/{dok.kode}/",
        {"berkas": SimpleUploadedFile("besar.pdf", b"%PDF" + b"x" * 4096)},
    )
    assert resp.status_code == 413
    html = resp.content.decode()
    assert "Berkas terlalu besar" in html
    assert "identik" not in html.lower().replace("cocokkan", "")


@pytest.mark.django_db
def test_huge_body_is_refused_before_reading(client, org, settings):
    settings.KINERJA_UPLOAD_MAX_BYTES = 1024
    dok = _terbitkan(org, _pdf("asli"))
    resp = client.post(
        f"/verifikasi/{dok.kode}/",
        {"berkas": SimpleUploadedFile("besar.pdf", b"x" * 200_000)},
    )
    assert resp.status_code == 413
    assert "Berkas terlalu besar" in resp.content.decode()


@pytest.mark.django_db
def test_unknown_or_malformed_code_is_a_404_revealing_nothing(client, org):
    dok = _terbitkan(org, _pdf("asli"))
    for kode in (
        _kode_dokumen(),
        dok.kode[:-1] + ("A" if dok.kode[-1] != "A" else "B"),
        "x" * 70,
        "..%2f..",
        "abc",
    ):
        resp = client.get(f"/verifikasi/{kode}/")
        assert resp.status_code == 404, kode
        html = resp.content.decode()
        assert "tidak ditemukan" in html.lower()
        assert org.pegawai.nama not in html
        assert dok.sha256 not in html


@pytest.mark.django_db
def test_page_reveals_no_ratings_nor_document_body(client, org):
    data = render_pdf(
        "<h1>DOKUMEN EVALUASI KINERJA PEGAWAI</h1><p>RATING HASIL KERJA: DI ATAS EKSPEKTASI</p>"
        "<p>PREDIKAT KINERJA PEGAWAI: SANGAT BAIK</p><p>NIP 199001012015031001</p>"
    )
    dok = dokumen_simpan(
        jenis="evaluasi",
        judul=f"Evaluasi Kinerja {org.pegawai.nama} Triwulan I {org.periode_a.tahun}",
        data=data,
        nama_berkas="evaluasi.pdf",
        objek=org.pegawai,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
    )
    html = client.get(f"/verifikasi/{dok.kode}/").content.decode().lower()
    for kata in (
        "sangat baik",
        "ekspektasi",
        "predikat",
        "butuh perbaikan",
        "rating",
        "199001012015031001",
        "pejabat penilai",
    ):
        assert kata not in html, kata
    assert "dokumen evaluasi kinerja pegawai" in html


@pytest.mark.django_db
def test_rate_limit_per_client_address(client, org, settings):
    settings.KINERJA_VERIFIKASI_PER_MENIT = 5
    dok = _terbitkan(org, _pdf("asli"))
    for _ in range(5):
        assert client.get(f"/verifikasi/{dok.kode}/", REMOTE_ADDR="10.0.0.1").status_code == 200
    resp = client.get(f"/verifikasi/{dok.kode}/", REMOTE_ADDR="10.0.0.1")
    assert resp.status_code == 429
    assert "Terlalu banyak permintaan" in resp.content.decode()
    assert resp["Retry-After"] == "60"
    # Unknown codes count too (no free enumeration), and another address is not affected.
    assert client.get(f"/verifikasi/{_kode_dokumen()}/", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get(f"/verifikasi/{dok.kode}/", REMOTE_ADDR="10.0.0.2").status_code == 200
    # A forged X-Forwarded-For does not buy a fresh quota when no proxy is trusted.
    resp = client.get(
        f"/verifikasi/{dok.kode}/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert resp.status_code == 429


@pytest.mark.django_db
def test_rate_limit_still_limits_when_the_cache_is_down(client, org, settings, monkeypatch):
    """Redis down: the public page keeps answering, and the limit holds per process."""
    import kinerja.akses.batas as batas
    from kinerja.redis_cache import RedisCache

    # A real Redis cache at an address where nothing listens.
    mati = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    monkeypatch.setattr(batas, "cache", mati)
    settings.KINERJA_VERIFIKASI_PER_MENIT = 3
    dok = _terbitkan(org, _pdf("asli"))
    url = f"/verifikasi/{dok.kode}/"
    codes = [client.get(url, REMOTE_ADDR="10.7.7.7").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get(url, REMOTE_ADDR="10.7.7.8").status_code == 200


def test_local_fallback_counts_a_burst_across_the_minute_boundary(monkeypatch):
    """Without Redis the window is 60 s from the first request, as Redis's TTL is: a burst at
    hh:mm:59.9 and hh:mm+1:00.1 is one burst, not two fresh quotas (the old clock-minute window
    let it through, and made the test above fail now and then)."""
    import kinerja.akses.batas as batas

    jam = iter([119.9, 120.1, 120.2, 120.3, 180.0])
    monkeypatch.setattr(batas, "_jam", lambda: next(jam))
    monkeypatch.setattr(batas, "_lokal", {})
    assert [batas._hitung_lokal("k") for _ in range(4)] == [1, 2, 3, 4]
    assert batas._hitung_lokal("k") == 1  # 60 s after the first request: a new window


@pytest.mark.django_db
def test_rate_limit_behind_trusted_proxy_uses_forwarded_address(client, org, settings):
    settings.KINERJA_VERIFIKASI_PER_MENIT = 2
    settings.KINERJA_PROXY_HOPS = 1
    dok = _terbitkan(org, _pdf("asli"))
    url = f"/verifikasi/{dok.kode}/"
    for _ in range(2):
        assert (
            client.get(url, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="8.8.8.8").status_code
            == 200
        )
    assert (
        client.get(url, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="8.8.8.8").status_code == 429
    )
    # Same proxy, another visitor.
    assert (
        client.get(url, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="9.9.9.9").status_code == 200
    )


def test_codes_are_unguessable_random_tokens():
    kodes = {_kode_dokumen() for _ in range(2000)}
    assert len(kodes) == 2000
    alphabet = set(string.ascii_letters + string.digits + "-_")
    for k in kodes:
        assert len(k) >= 16
        assert set(k) <= alphabet
    # 16 url-safe characters carry 96 bits; every character position varies across codes.
    assert all(len({k[i] for k in kodes}) > 40 for i in range(16))


@pytest.mark.django_db
def test_code_search_form_redirects_to_document(client, org):
    dok = _terbitkan(org, _pdf("asli"))
    resp = client.get("/verifikasi/", {"kode": f"  {dok.kode} "})
    assert resp.status_code == 302
    assert resp["Location"] == f"/verifikasi/{dok.kode}/"
    resp = client.get("/verifikasi/", {"kode": "<script>"})
    assert resp.status_code == 200
    assert "Kode dokumen tidak valid" in resp.content.decode()


def _decode_qr_from_pdf(pdf: bytes, tmp_path: Path) -> list[str]:
    import zxingcpp
    from PIL import Image

    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is required"
    src = tmp_path / "dok.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(src), str(tmp_path / "hal")], check=True)
    texts: list[str] = []
    for png in sorted(tmp_path.glob("hal*.png")):
        texts += [r.text for r in zxingcpp.read_barcodes(Image.open(png))]
    return texts


@pytest.mark.django_db
def test_qr_on_rendered_pdf_decodes_to_the_verification_url(client, org, tmp_path, settings):
    settings.SITE_URL = "https://kinerja.nttprov.go.id"
    v = verifikasi_konteks()
    assert v["url"] == f"https://kinerja.nttprov.go.id/verifikasi/{v['kode']}/"
    html = (
        "<html><body><h1>SASARAN KINERJA PEGAWAI</h1>"
        + render_to_string("kinerja/verifikasi_pdf_blok.html", {"verifikasi": v})
        + "</body></html>"
    )
    pdf = render_pdf(html)
    dok = _terbitkan(org, pdf)
    Dokumen.objects.filter(pk=dok.pk).update(kode=v["kode"])
    texts = _decode_qr_from_pdf(pdf, tmp_path)
    assert texts == [v["url"]]
    path = re.sub(r"^https://[^/]+", "", texts[0])
    assert client.get(path).status_code == 200


def test_plain_qr_data_uri_in_img_tag_decodes(tmp_path, settings):
    url = verifikasi_url("AbCdEfGhIjKlMnOp")
    pdf = render_pdf(f'<html><body><p>x</p><img src="{qr_data_uri(url)}"></body></html>')
    assert _decode_qr_from_pdf(pdf, tmp_path) == [url]


@pytest.mark.django_db
def test_document_of_an_older_skp_version_is_superseded_once_a_newer_version_exists(client, org):
    from skp.models import SKP

    v1 = SKP.objects.create(pegawai=org.pegawai, periode=org.periode_a, status="disetujui")
    dok = dokumen_simpan(
        jenis="skp",
        judul="SKP v1",
        data=_pdf("v1"),
        nama_berkas="v1.pdf",
        objek=v1,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
        versi=1,
    )
    assert "MASIH BERLAKU" in client.get(f"/verifikasi/{dok.kode}/").content.decode()
    SKP.objects.filter(pk=v1.pk).update(terkini=False)
    SKP.objects.create(pegawai=org.pegawai, periode=org.periode_a, versi=2, status="draft")
    html = client.get(f"/verifikasi/{dok.kode}/").content.decode()
    assert "DIGANTIKAN" in html and "sudah ada versi yang lebih baru" in html
    assert "MASIH BERLAKU" not in html
