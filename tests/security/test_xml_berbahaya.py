"""Issue 15, finding 10 (XML): an xlsx whose XML carries a DTD (an external entity, or the
billion laughs) in the staff import was a 500. It is refused with a clear 400 before any XML of
it is parsed by openpyxl; nothing is written."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kinerja.models import Pegawai
from tests.kinerja.test_impor import xlsx_bytes

pytestmark = pytest.mark.django_db

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    )
    + "]>\n"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _racuni(data: bytes, prolog: str, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with `prolog` in front of one XML part (replacing its XML declaration)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == part:
                text = body.decode()
                if text.startswith("<?xml"):
                    text = text[text.index("?>") + 2 :]
                body = (prolog + text.lstrip()).encode()
            z.writestr(info.filename, body)
    return out.getvalue()


def _baik() -> bytes:
    return xlsx_bytes(
        [["NIP", "Nama"], ["198001012006041001", "Contoh Pegawai"]],
    )


@pytest.mark.parametrize("prolog", [LAUGHS, XXE], ids=["billion-laughs", "xxe"])
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_xlsx_with_a_dtd_is_a_400_in_indonesian(org, client_as, prolog, part):
    c = client_as(org.admin_a)
    before = Pegawai.objects.count()
    data = _racuni(_baik(), prolog, part)
    r = c.post("/organisasi/impor/", {"berkas": SimpleUploadedFile("pegawai.xlsx", data)})
    assert r.status_code == 400
    assert "DTD" in r.content.decode() or "tidak diizinkan" in r.content.decode()
    assert Pegawai.objects.count() == before


def test_the_clean_workbook_still_reads(org, client_as):
    c = client_as(org.admin_a)
    r = c.post("/organisasi/impor/", {"berkas": SimpleUploadedFile("p.xlsx", _baik())})
    assert r.status_code in (200, 400)
    assert "DTD" not in r.content.decode()
