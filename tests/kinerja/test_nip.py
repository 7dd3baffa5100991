"""NIP / NI PPPK validation (kinerja.rules.validate_nip) and where it surfaces (model clean)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from kinerja.rules import NIPError, make_nip, nip_error, normalize_nip, validate_nip

TODAY = dt.date(2026, 6, 30)

# Which words a message must carry when a given 0-based digit position is wrong.
PART_OF_DIGIT = {
    **dict.fromkeys(range(0, 8), "digit 1–8"),
    **dict.fromkeys(range(8, 14), ("digit 9–14", "digit 13–14")),
    14: "digit 15",
}


def _names_part(message: str, index: int) -> bool:
    wanted = PART_OF_DIGIT[index]
    wanted = wanted if isinstance(wanted, tuple) else (wanted,)
    return any(w in message for w in wanted)


@st.composite
def nip_parts(draw):
    lahir = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)))
    tmt = draw(st.dates(min_value=dt.date(lahir.year + 17, 1, 1), max_value=TODAY.replace(day=1)))
    return lahir, tmt, draw(st.booleans()), draw(st.integers(0, 10_000)), draw(st.booleans())


@given(nip_parts())
@example((dt.date(1960, 2, 29), dt.date(1985, 3, 1), True, 0, False))  # leap day
@example((dt.date(1930, 1, 1), dt.date(1947, 1, 1), False, 998, True))  # bounds
def test_every_nip_made_from_valid_parts_validates(parts):
    lahir, tmt, pria, urut, pppk = parts
    nip = make_nip(lahir, tmt, pria, urut, pppk=pppk)
    assert len(nip) == 18
    assert validate_nip(nip, pppk=pppk, today=TODAY) == lahir


@given(nip_parts(), st.integers(0, 14), st.integers(1, 9))
def test_a_corrupted_digit_is_either_still_a_valid_nip_or_reported_naming_its_part(
    parts, index, delta
):
    lahir, tmt, pria, urut, pppk = parts
    nip = make_nip(lahir, tmt, pria, urut, pppk=pppk)
    digit = (int(nip[index]) + delta) % 10
    bad = nip[:index] + str(digit) + nip[index + 1 :]
    try:
        validate_nip(bad, pppk=pppk, today=TODAY)
    except NIPError as exc:
        assert _names_part(str(exc), index), (bad, index, str(exc))
    else:
        # Only a date/TMT digit that gives another real date, or 1<->2 in the gender digit, may
        # still make a valid NIP; the PPPK marker never does.
        assert index < 12 or (index < 14 and not pppk) or (index == 14 and digit in (1, 2))


@given(nip_parts(), st.sampled_from("03456789"))
def test_gender_digit_other_than_1_or_2_is_always_reported_as_jenis_kelamin(parts, digit):
    lahir, tmt, pria, urut, pppk = parts
    nip = make_nip(lahir, tmt, pria, urut, pppk=pppk)
    bad = nip[:14] + digit + nip[15:]
    with pytest.raises(NIPError, match="digit 15 \\(jenis kelamin\\)"):
        validate_nip(bad, pppk=pppk, today=TODAY)


@given(nip_parts(), st.integers(13, 99))
def test_tmt_month_outside_1_to_12_is_reported_as_tmt(parts, month):
    lahir, tmt, pria, urut, _ = parts
    nip = make_nip(lahir, tmt, pria, urut)
    bad = nip[:12] + f"{month:02d}" + nip[14:]
    with pytest.raises(NIPError, match="digit 13–14 \\(bulan TMT CPNS"):
        validate_nip(bad, today=TODAY)


@given(nip_parts(), st.integers(32, 99))
def test_birth_day_outside_the_month_is_reported_as_tanggal_lahir(parts, day):
    lahir, tmt, pria, urut, pppk = parts
    nip = make_nip(lahir, tmt, pria, urut, pppk=pppk)
    bad = nip[:6] + f"{day:02d}" + nip[8:]
    with pytest.raises(NIPError, match="digit 1–8 \\(tanggal lahir"):
        validate_nip(bad, pppk=pppk, today=TODAY)


@given(st.text(alphabet="0123456789", min_size=0, max_size=30).filter(lambda s: len(s) != 18))
def test_wrong_length_is_reported_with_the_length(text):
    with pytest.raises(NIPError, match=f"18 digit \\(tertulis {len(text)}\\)"):
        validate_nip(text)


@pytest.mark.parametrize(
    ("nip", "pppk", "message"),
    [
        ("19800101200501100A", False, "hanya boleh berisi angka"),
        # Arabic-Indic digits pass str.isdigit(); a NIP is ASCII digits only.
        ("١٩٨٠٠١٠١٢٠٠٥٠١١٠٠١", False, "hanya boleh berisi angka"),
        ("19800231200501 1001", False, "digit 1–8 (tanggal lahir 1980-02-31)"),
        ("19200101200501 1001", False, "tahun lahir 1920"),
        ("20300101205001 1001", False, "tahun lahir 2030"),
        ("19800101200500 1001", False, "bulan TMT CPNS '00'"),
        ("19800101202121 1001", False, "penanda NI PPPK"),
        ("19800101209901 1001", False, "digit 9–14: TMT 2099-01 tidak sah"),
        ("19900101200501 1001", False, "tidak sesuai dengan tanggal lahir pada digit 1–8"),
        ("19800101200501 3001", False, "digit 15 (jenis kelamin) harus 1 atau 2"),
        ("19800101200501 1000", False, "digit 16–18 (nomor urut)"),
        ("19850312202103 2001", True, "NI PPPK digit 13–14 harus '21'"),
        ("19850312209921 2001", True, "NI PPPK digit 9–14"),
        ("", False, "18 digit (tertulis 0)"),
    ],
)
def test_wrong_nip_messages_name_the_part(nip, pppk, message):
    with pytest.raises(NIPError) as exc:
        validate_nip(nip, pppk=pppk, today=TODAY)
    assert message in str(exc.value)


def test_spaces_and_numbers_are_accepted_as_written_on_paper():
    assert validate_nip("19800101 200501 1 001", today=TODAY) == dt.date(1980, 1, 1)
    assert validate_nip(198001012005011001, today=TODAY) == dt.date(1980, 1, 1)
    assert normalize_nip(" 19800101 200501 1 001 ") == "198001012005011001"


def test_nip_error_requires_a_number_for_pns_and_pppk():
    assert nip_error("", pppk=False) == "NIP wajib diisi untuk PNS."
    assert nip_error(None, pppk=True) == "NI PPPK wajib diisi untuk PPPK."
    assert nip_error("198001012005011001") is None


@pytest.mark.django_db
def test_model_clean_reports_the_nip_message_on_the_nip_field(org):
    p = org.rekan
    p.nip = "198001012005013001"
    with pytest.raises(ValidationError) as exc:
        p.full_clean()
    assert exc.value.message_dict["nip"] == [
        "NIP digit 15 (jenis kelamin) harus 1 atau 2, tertulis '3'."
    ]


@pytest.mark.django_db
def test_model_clean_checks_pppk_numbers_as_ni_pppk(org):
    p = org.pegawai  # PPPK
    p.nip = "198001012005011001"  # a PNS-shaped number
    with pytest.raises(ValidationError) as exc:
        p.full_clean()
    assert "NI PPPK digit 13–14 harus '21'" in exc.value.message_dict["nip"][0]


@pytest.mark.django_db
def test_model_clean_rejects_unknown_golongan_and_foreign_positions(org):
    p = org.rekan
    p.golongan = "V/z"
    p.jabatan = org.kepala_b.jabatan
    with pytest.raises(ValidationError) as exc:
        p.full_clean()
    assert "golongan" in exc.value.message_dict
    assert exc.value.message_dict["jabatan"] == ["Jabatan bukan bagian dari instansi pegawai."]
