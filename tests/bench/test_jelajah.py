"""The crawl row's link reader: pages only, each once, in page order."""

from bench.ukur_jelajah import tautan


def test_links_are_the_sites_pages_once_without_files_exports_or_leaving():
    html = (
        '<a href="/skp/1/">SKP</a><a href="/skp/1/">lagi</a><a href="/keluar/">Keluar</a>'
        '<a href="/skp/1/pdf/x.pdf">PDF</a><a href="/evaluasi/tim/?format=xlsx">xlsx</a>'
        '<a href="https://contoh.go.id/">luar</a><a href="/evaluasi/tim/?tahun=2026&amp;a=1">tim</a>'
        '<a href="/admin/">admin</a><a href="/latar/3/">job</a><a href="#isi">lompat</a>'
    )
    assert list(tautan(html)) == ["/skp/1/", "/evaluasi/tim/?tahun=2026&a=1"]
