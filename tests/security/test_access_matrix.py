"""The access matrix: every URL the project serves x every persona x every method.

HOW TO READ A ROW
    T(url name, object builder, method, "anon peg rek ksb kbd fng kds admA admB pegB su")

    The object builder (tests/security/objects.py) makes the object whose id fills the URL;
    unless its name says otherwise it belongs to org.pegawai of instansi A. The eleven cells are
    the expected outcome per persona, in this order:

        anon  anonymous                      fng   ketua tim (org.fungsional)
        peg   the pegawai herself            kds   assigning official of another unit (kadis)
        rek   her peer (org.rekan)           admA  admin of her instansi
        ksb   her pejabat penilai            admB  admin of another instansi
        kbd   her atasan pejabat penilai     pegB  pegawai of another instansi
                                             su    superuser

    Codes: 200/201/204/400/401/403/404/405 exact status; L = 302 to /masuk/; AL = 302 to the
    admin login; 302 = any other redirect; - = not checked (say why in `note`).
    An object a persona may not see is 404; a visible object it may not act on is 403.
    Every refused write (L AL 400 401 403 404 405) must leave every project table unchanged.

HOW TO ADD A URL
    `test_every_url_is_in_the_table` fails for a URL that has no row. Add rows below; run
    `MATRIX_DISCOVER=1 pytest tests/security/test_access_matrix.py -k discover -s` to print
    what the URL currently answers (a starting point to judge, never to copy blindly).
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

from tests.security import objects
from tests.security.harness import (
    PERSONAS,
    SHORT,
    T,
    all_patterns,
    build_kwargs,
    fill_route,
    format_mismatches,
    inline_offences,
    play,
)

ALL = " ".join


def cells(anon: str, others: str, su: str | None = None) -> str:
    """anon, then the same code for the nine signed-in personas, then the superuser."""
    return " ".join([anon, *[others] * 9, su or others])


def _bad_login(org, obj):
    return {"username": "tidak-ada", "password": "salah"}


def _empty(org, obj):
    return {}


def _token_baru(org, obj):
    import datetime as dt

    from django.utils import timezone

    sampai = timezone.now() + dt.timedelta(days=30)
    return {
        "nama": "Sinkron",
        "cakupan": "baca",
        "berlaku_sampai": sampai.isoformat(),
        "instansi": org.instansi_a.pk,
    }


# Admin pages of one model: what the Django admin generates for it.
_NS = "AL  AL  AL  AL  AL  AL  AL"  # the seven non-staff columns before admin_a


def admin_model(
    app: str,
    model: str,
    obj: str,
    *,
    staff: str,
    add: str | None = None,
    view: str | None = None,
    history: str | None = None,
    delete: str | None = None,
    simple_history: bool = True,
    note: str = "",
    change_post: str | None = None,
    history_xfail: str = "",
) -> list:
    """Rows for admin:<app>_<model>_{changelist,add,change,history,delete,simple_history} and
    the bare <object_id>/ redirect. Cells are given for the admin_a, admin_b and superuser
    columns only: every non-staff persona is sent to the admin login."""

    def c(last3: str) -> str:
        a, b, su = last3.split()
        return f"{_NS} {a} {b} AL {su}"

    view = view or staff
    base = f"admin:{app}_{model}"
    rows = [
        T(f"{base}_changelist", None, "GET", c(staff), note=note),
        T(f"{base}_add", None, "GET", c(add or staff), note=note),
        T(f"{base}_change", obj, "GET", c(view), note=note),
        T(f"{base}_change", obj, "POST", c(change_post or view), data=_empty, note=note),
        T(f"{base}_history", obj, "GET", c(history or view), note=note, xfail=history_xfail),
        T(f"{base}_delete", obj, "GET", c(delete or view), note=note),
        T(
            f"{base}_delete",
            obj,
            "POST",
            c(delete or view),
            data=_empty,
            note="an empty POST shows the confirmation again; refused ones change nothing",
        ),
        T(
            f"route:admin/{app}/{model}/<path:object_id>/",
            obj,
            "GET",
            c("302 302 302"),
            note="redirects to the change page (checked above)",
        ),
    ]
    if simple_history:
        rows.append(T(f"{base}_simple_history", obj, "GET", c(history or view), note=note))
    return rows


# The admin BKD manages her instansi's organisation in the admin; instansi B's admin finds
# nothing there (the admin's "does not exist" redirect, R; its history 404 like a missing id)
# and every write is refused.
ORG_ADMIN = {"staff": "200 200 200", "view": "200 R 200", "history": "200 404 200"}
# Stage records are the superuser's to read in the admin (read-only); admins BKD use the pages.
SU_READ = {
    "staff": "403 403 200",
    "add": "403 403 403",
    "view": "403 403 200",
    "delete": "403 403 403",
    "change_post": "403 403 403",
    # B: like a missing id (a foreign one was 403, a missing one 404: issue 15, finding 9).
    "history": "403 404 200",
}


# fmt: off
TABLE = [
    # url name                      object          method   anon peg rek ksb kbd fng kds admA admB pegB su
    # --- kernel pages ---------------------------------------------------------------------------
    T("beranda",                       None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("login",                         None,           "GET",  "200 302 302 302 302 302 302 302 302 302 302"),
    T("login",                         None,           "POST", "200 302 302 302 302 302 302 302 302 302 302",
      data=_bad_login, note="anonymous with a wrong password: the form again"),
    T("logout",                        None,           "GET",  "405 405 405 405 405 405 405 405 405 405 405"),
    T("logout",                        None,           "POST", "L   L   L   L   L   L   L   L   L   L   L"),
    T("password_change",               None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("password_change",               None,           "POST", "L   200 200 200 200 200 200 200 200 200 200",
      data=_empty, note="an empty form is shown again with errors"),
    T("password_change_done",          None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("organisasi",                    None,           "GET",  "L   302 302 302 302 302 302 200 200 302 200",
      note="not an admin: sent back to beranda"),
    T("impor_pegawai",                 None,           "GET",  "L   403 403 403 403 403 403 200 200 403 403"),
    # --- Kelola organisasi (issue 16): admin pages; a page about an object of instansi A is 404 for
    # B, 403 for A's own people (they see the object elsewhere, they may not change it). ----------
    T("org_pilih",                     "pilih_jabatan", "GET", "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_pilih",                     "pilih_jabatan", "POST", "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_unit_list",                 None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_unit_list",                 None,           "POST", "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_unit_tambah",               None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_unit_tambah",               None,           "POST", "L   403 403 403 403 403 403 200 200 403 200",
      data=_empty, note="no 'simpan': the form again (the search without JavaScript)"),
    T("org_unit",                      "unit",         "GET",  "L   403 403 403 403 403 403 200 404 404 200"),
    T("org_unit",                      "unit",         "POST", "L   403 403 403 403 403 403 200 404 404 200",
      data=_empty),
    T("org_unit_anak",                 "unit",         "GET",  "L   403 403 403 403 403 403 200 404 404 200",
      htmx=True),
    T("org_unit_anak",                 "unit",         "POST", "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_unor_impor",                None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_unor_impor",                None,           "POST", "L   403 403 403 403 403 403 400 400 403 400",
      data=_empty, note="no file: the form again with the error"),
    T("org_jabatan_list",              None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_jabatan_list",              None,           "POST", "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_jabatan_tambah",            None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_jabatan_tambah",            None,           "POST", "L   403 403 403 403 403 403 200 200 403 200",
      data=_empty),
    T("org_jabatan",                   "jabatan",      "GET",  "L   403 403 403 403 403 403 200 404 404 200"),
    T("org_jabatan",                   "jabatan",      "POST", "L   403 403 403 403 403 403 400 404 404 400",
      data=lambda org, obj: {"simpan": "1", "nama": ""}, note="a refused save: 400, nothing written"),
    T("org_pegawai_tambah",            None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_pegawai_tambah",            None,           "POST", "L   403 403 403 403 403 403 400 400 403 400",
      data=lambda org, obj: {"simpan": "1"}),
    T("org_pegawai",                   "pegawai",      "GET",  "L   403 403 403 403 403 403 200 404 404 200"),
    T("org_pegawai",                   "pegawai",      "POST", "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_pegawai_ubah",              "pegawai",      "GET",  "L   403 403 403 403 403 403 200 404 404 200"),
    T("org_pegawai_ubah",              "pegawai",      "POST", "L   403 403 403 403 403 403 400 404 404 400",
      data=lambda org, obj: {"simpan": "1", "nama": ""}),
    T("org_mutasi_catat",              "pegawai",      "GET",  "L   403 403 403 403 403 403 200 404 404 200"),
    T("org_mutasi_catat",              "pegawai",      "POST", "L   403 403 403 403 403 403 400 404 404 400",
      data=lambda org, obj: {"simpan": "1", "jenis": "mutasi"}),
    T("org_mutasi_list",               None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_mutasi_list",               None,           "POST", "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_mutasi_batalkan",           "mutasi_terjadwal", "GET", "L 403 404 403 404 404 404 200 404 404 200",
      note="the pegawai and her penilai see the change; only the admin cancels"),
    T("org_mutasi_batalkan",           "mutasi_terjadwal", "POST", "L 403 404 403 404 404 404 400 404 404 400",
      data=_empty, note="no reason: refused, nothing written"),
    T("org_periode_list",              None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_periode_list",              None,           "POST", "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_periode_tambah",            None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_periode_tambah",            None,           "POST", "L   403 403 403 403 403 403 400 400 403 400",
      data=_empty),
    T("org_periode",                   "periode",      "GET",  "L   403 403 403 403 403 403 200 404 404 200"),
    T("org_periode",                   "periode",      "POST", "L   403 403 403 403 403 403 400 404 404 400",
      data=_empty),
    T("org_hak_akses",                 None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200",
      note="explicit grants (guardian): each admin her own instansi's"),
    T("org_hak_akses",                 None,           "POST", "L   403 403 403 403 403 403 400 400 403 400",
      data=_empty, note="an empty form: refused, nothing granted"),
    T("org_hak_akses_cabut",           "hak_akses",    "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_hak_akses_cabut",           "hak_akses",    "POST", "L   404 404 404 404 404 404 302 404 404 302",
      note="only the admin of the grant's instansi takes it back; elsewhere it does not exist"),
    T("org_pengaturan",                None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_pengaturan",                None,           "POST", "L   403 403 403 403 403 403 200 200 403 200",
      data=_empty),
    T("org_sotk_list",                 None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_sotk_list",                 None,           "POST", "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_sotk_tambah",               None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("org_sotk_tambah",               None,           "POST", "L   403 403 403 403 403 403 400 400 403 400",
      data=_empty),
    T("org_sotk",                      "restrukturisasi", "GET", "L  404 404 404 404 404 404 200 404 404 200",
      note="a draft is the admin's working paper: nobody else sees it"),
    T("org_sotk",                      "restrukturisasi", "POST", "L 405 405 405 405 405 405 405 405 405 405"),
    T("org_sotk_ubah",                 "restrukturisasi", "GET", "L  404 404 404 404 404 404 200 404 404 200"),
    T("org_sotk_ubah",                 "restrukturisasi", "POST", "L 404 404 404 404 404 404 400 404 404 400",
      data=_empty),
    T("org_sotk_langkah",              "restrukturisasi", "GET", "L  405 405 405 405 405 405 405 405 405 405"),
    T("org_sotk_langkah",              "restrukturisasi", "POST", "L 404 404 404 404 404 404 302 404 404 302",
      data=_empty, note="an unknown kind of step: back to the draft with a message, nothing added"),
    T("org_sotk_langkah_hapus",        "langkah",      "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("org_sotk_langkah_hapus",        "langkah",      "POST", "L   404 404 404 404 404 404 302 404 404 302"),
    T("org_sotk_pratinjau",            "restrukturisasi", "GET", "L  404 404 404 404 404 404 200 404 404 200"),
    T("org_sotk_pratinjau",            "restrukturisasi", "POST", "L 405 405 405 405 405 405 405 405 405 405"),
    T("org_sotk_terapkan",             "restrukturisasi", "GET", "L  405 405 405 405 405 405 405 405 405 405"),
    T("org_sotk_terapkan",             "restrukturisasi", "POST", "L 404 404 404 404 404 404 302 404 404 302",
      data=_empty, note="without the previewed version: back to the preview, nothing applied"),
    T("org_sotk_batalkan",             "restrukturisasi", "GET", "L  405 405 405 405 405 405 405 405 405 405"),
    T("org_sotk_batalkan",             "restrukturisasi", "POST", "L 404 404 404 404 404 404 302 404 404 302",
      data=_empty, note="no reason: back with a message, nothing written"),
    T("notifikasi_list",               None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("notifikasi_list",               None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200",
      htmx=True),
    T("notifikasi_lonceng",            None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200",
      htmx=True),
    T("notifikasi_baca",               "notifikasi",   "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("notifikasi_baca",               "notifikasi",   "POST", "L   302 404 404 404 404 404 404 404 404 404"),
    T("job_list",                      None,           "GET",  "L   302 302 302 302 302 302 200 200 302 200"),
    T("job_status",                    "job",          "GET",  "L   200 404 404 404 404 404 404 404 404 200"),
    T("job_status",                    "job",          "GET",  "L   200 404 404 404 404 404 404 404 404 200",
      htmx=True),
    # --- API kernel ------------------------------------------------------------------------------
    T("api_token",                     None,           "GET",  "401 405 405 405 405 405 405 405 405 405 405",
      note="only POST (the sign-in) goes without a credential"),
    T("api_token",                     None,           "POST", "400 400 400 400 400 400 400 400 400 400 400",
      data=_bad_login, json=True),
    T("api_token",                     None,           "DELETE", "401 204 204 204 204 204 204 204 204 204 204",
      note="revokes the caller's own personal token (none yet: still 204)"),
    T("api_saya",                      None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("api_saya",                      None,           "POST", "401 405 405 405 405 405 405 405 405 405 405",
      data=_empty, json=True),
    # --- integration tokens (admin instansi): API and page ---------------------------------------
    T("token-integrasi-list",          None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200",
      note="everyone gets a list; only an admin's holds rows (of her instansi)"),
    T("token-integrasi-list",          None,           "POST", "401 403 403 403 403 403 403 201 403 403 201",
      data=_token_baru, json=True, note="a token for instansi A: its admin (or the superuser)"),
    T("token-integrasi-list",          None,           "POST", "401 400 400 400 400 400 400 400 400 400 400",
      data=_empty, json=True),
    T("token-integrasi-detail",        "token_integrasi", "GET", "401 404 404 404 404 404 404 200 404 404 200"),
    T("token-integrasi-detail",        "token_integrasi", "PATCH", "401 405 405 405 405 405 405 405 405 405 405",
      data=lambda org, obj: {"cakupan": "baca_tulis"}, json=True,
      note="a token's scope and expiry never change: revoke it and make another"),
    T("token-integrasi-detail",        "token_integrasi", "DELETE", "401 405 405 405 405 405 405 405 405 405 405"),
    T("token-integrasi-cabut",         "token_integrasi", "GET", "401 405 405 405 405 405 405 405 405 405 405"),
    T("token-integrasi-cabut",         "token_integrasi", "POST", "401 404 404 404 404 404 404 200 404 404 200",
      data=_empty, json=True),
    T("token_integrasi",               None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("token_integrasi",               None,           "POST", "L   403 403 403 403 403 403 200 200 403 200",
      data=_empty, note="admins: the form again with errors, nothing made"),
    T("token_integrasi_cabut",         "token_integrasi", "GET", "L 405 405 405 405 405 405 405 405 405 405"),
    T("token_integrasi_cabut",         "token_integrasi", "POST", "L 404 404 404 404 404 404 302 404 404 302"),
    # --- single sign-on (off unless OIDC_RP_CLIENT_ID is set; tests/e2e/test_sso.py turns it on) --
    T("sso_mulai",                     None,           "GET",  "404 404 404 404 404 404 404 404 404 404 404"),
    T("sso_callback",                  None,           "GET",  "404 404 404 404 404 404 404 404 404 404 404"),
    T("sso_ditolak",                   None,           "GET",  "404 404 404 404 404 404 404 404 404 404 404"),
    T("api_schema",                    None,           "GET",  "200 200 200 200 200 200 200 200 200 200 200",
      note="the schema is public: it describes the API, no data"),
    T("api_docs",                      None,           "GET",  "200 200 200 200 200 200 200 200 200 200 200"),
    # --- notifications, jobs (kernel) ------------------------------------------------------------
    T("notifikasi_baca_semua",         None,           "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("notifikasi_baca_semua",         None,           "POST", "L   302 302 302 302 302 302 302 302 302 302",
      note="marks the caller's own notifications only"),
    T("notifikasi_preferensi",         None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("notifikasi_pengaturan",         None,           "GET",  "L   403 403 403 403 403 403 200 200 403 200"),
    T("notifikasi_pengaturan",         None,           "POST", "L   403 403 403 403 403 403 200 200 403 200",
      data=_empty, note="admins: the empty form again"),
    T("job_ulang",                     "job",          "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("job_ulang",                     "job",          "POST", "L   403 404 404 404 404 404 404 404 404 302"),
    # --- public verification of issued documents ------------------------------------------------
    T("verifikasi_cari",               None,           "GET",  "200 200 200 200 200 200 200 200 200 200 200"),
    T("verifikasi_cari",               None,           "POST", "405 405 405 405 405 405 405 405 405 405 405"),
    T("verifikasi_dokumen",            "verifikasi",   "GET",  "200 200 200 200 200 200 200 200 200 200 200",
      note="public by design: header and hash only, no NIP"),
    # --- dialog (stage 2) ------------------------------------------------------------------------
    T("dialog:beranda",                None,           "GET",  "302 302 302 302 302 302 302 302 302 302 302",
      note="a redirect to the real first page (which requires login)"),
    T("dialog:umpan_balik_list",       None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("dialog:umpan_balik_beri",       None,           "GET",  "L   200 200 200 200 200 200 404 404 200 404",
      note="not a pegawai: 404"),
    T("dialog:umpan_balik_beri",       None,           "POST", "L   200 200 200 200 200 200 404 404 200 404",
      data=_empty, note="empty form: shown again, nothing saved"),
    T("dialog:umpan_balik_minta",      None,           "GET",  "L   200 200 200 200 200 200 404 404 200 404"),
    T("dialog:umpan_balik_minta",      None,           "POST", "L   200 200 200 200 200 200 404 404 200 404",
      data=_empty),
    T("dialog:umpan_balik_detail",     "umpan_balik",  "GET",  "L   200 404 200 200 404 404 404 404 404 200",
      note="from her penilai: she, the penilai and the atasan penilai"),
    T("dialog:tim",                    None,           "GET",  "L   200 200 200 200 200 200 404 404 200 404"),
    T("dialog:penugasan_list",         None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("dialog:penugasan_usulkan",      None,           "GET",  "L   403 403 200 200 200 200 404 404 403 404",
      note="only officials (a position that leads) propose work"),
    T("dialog:penugasan_usulkan",      None,           "POST", "L   403 403 200 200 200 200 404 404 403 404",
      data=_empty),
    T("dialog:penugasan_cari_nip",     None,           "GET",  "L   403 403 200 200 200 200 404 404 403 404",
      note="only who may propose an assignment looks a NIP up (issue 15, #5)"),
    T("dialog:penugasan_detail",       "penugasan",    "GET",  "L   404 404 200 200 404 200 200 404 404 200",
      note="proposed by kadis for the pegawai; goes to her penilai first"),
    T("dialog:penugasan_setujui",      "penugasan",    "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("dialog:penugasan_setujui",      "penugasan",    "POST", "L   404 404 400 403 404 403 403 404 404 403",
      data=_empty, note="only her pejabat penilai decides (400: the empty form)"),
    T("dialog:penugasan_tolak",        "penugasan",    "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("dialog:penugasan_tolak",        "penugasan",    "POST", "L   404 404 400 403 404 403 403 404 404 403",
      data=_empty, note="a rejection needs a reason"),
    T("dialog:peluang_list",           None,           "GET",  "L   200 200 200 200 200 200 404 404 200 404"),
    T("dialog:peluang_buka",           None,           "GET",  "L   403 403 200 200 200 200 404 404 403 404"),
    T("dialog:peluang_buka",           None,           "POST", "L   403 403 200 200 200 200 404 404 403 404",
      data=_empty),
    T("dialog:peluang_ikuti",          "peluang",      "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("dialog:peluang_ikuti",          "peluang",      "POST", "L   302 302 R   302 302 302 403 404 404 403",
      data=_empty, note="the opener cannot volunteer for her own opportunity"),
    T("dialog:peluang_tutup",          "peluang",      "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("dialog:peluang_tutup",          "peluang",      "POST", "L   403 403 302 403 403 403 403 404 404 403",
      note="only its opener closes it"),
    T("dialog:dokumentasi",            None,           "GET",  "L   200 200 200 200 200 200 404 404 200 404"),
    T("dialog:realisasi_rhk",          "rhk_disetujui", "GET",  "L  200 404 200 200 404 404 404 404 404 200"),
    T("dialog:realisasi_rhk",          "rhk_disetujui", "POST", "L 200 404 403 403 404 404 404 404 404 403",
      data=_empty, note="only the owner records realisasi"),
    T("dialog:bukti_unduh",            "bukti",        "GET",  "L   200 404 200 200 404 404 404 404 404 200"),
    T("dialog:bukti_hapus",            "bukti",        "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("dialog:bukti_hapus",            "bukti",        "POST", "L   302 404 403 403 404 404 404 404 404 403"),
    T("dialog:dialog_list",            None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("dialog:dialog_baru",            None,           "GET",  "L   403 403 200 200 200 200 404 404 403 404"),
    T("dialog:dialog_baru",            None,           "POST", "L   403 403 200 200 200 200 404 404 403 404",
      data=_empty),
    T("dialog:dialog_detail",          "dialog_kinerja", "GET",  "L 200 404 200 200 404 404 404 404 404 200"),
    T("dialog:dialog_detail",          "dialog_kinerja", "POST", "L 403 404 400 403 404 404 404 404 404 403",
      data=_empty, note="only the leader who held it edits it"),
    T("dialog:tindak_lanjut_selesai",  "tindak_lanjut", "GET",  "L 405 405 405 405 405 405 405 405 405 405"),
    T("dialog:tindak_lanjut_selesai",  "tindak_lanjut", "POST", "L 302 404 302 403 404 404 404 404 404 403"),
    T("dialog:tahun_saya",             None,           "GET",  "L   302 302 302 302 302 302 404 404 302 404"),
    T("dialog:tahun",                  "pegawai_tahun", "GET",  "L  200 404 200 200 404 404 404 404 404 200"),
    # --- evaluasi (stage 3) ----------------------------------------------------------------------
    T("evaluasi:beranda",              None,           "GET",  "L   302 302 302 302 302 302 302 302 302 302"),
    T("evaluasi:tim",                  None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("evaluasi:saya",                 None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("evaluasi:kuadran",              None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200",
      htmx=True),
    T("evaluasi:pratinjau",            "evaluasi",     "GET",  "L   404 404 200 404 404 404 404 404 404 404",
      htmx=True, note="the rating page's live suggestion and quadrant: who may rate it only"),
    T("evaluasi:pratinjau",            "evaluasi",     "POST", "L   405 405 405 405 405 405 405 405 405 405"),
    T("evaluasi:nilai",                "evaluasi_nilai", "GET",  "L   404 404 200 404 404 404 404 404 404 404",
      note="the rating form is the penilai's; others with a view are sent to the detail"),
    T("evaluasi:nilai",                "evaluasi_nilai", "POST", "L   404 404 200 404 404 404 404 404 404 404",
      data=_empty, note="not started yet: 404 for all but the penilai (the form again)"),
    T("evaluasi:mulai",                "evaluasi_nilai", "GET",  "L 405 405 405 405 405 405 405 405 405 405"),
    T("evaluasi:mulai",                "evaluasi_nilai", "POST", "L   403 403 302 403 403 403 403 404 404 403",
      note="only her pejabat penilai starts the evaluation"),
    T("evaluasi:detail",               "evaluasi",     "GET",  "L   404 404 200 200 404 404 200 404 404 200",
      note="a draft is not shown to the pegawai until final"),
    T("evaluasi:finalisasi",           "evaluasi",     "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("evaluasi:finalisasi",           "evaluasi",     "POST", "L   404 404 R   403 404 404 403 404 404 403",
      note="penilai: refused with a message while unrated"),
    T("evaluasi:buka_kembali",         "evaluasi",     "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("evaluasi:buka_kembali",         "evaluasi",     "POST", "L   404 404 403 403 404 404 403 404 404 403"),
    T("evaluasi:pdf",                  "evaluasi",     "GET",  "L   404 404 200 200 404 404 404 404 404 404",
      note="a GET shows the render state and never writes (the job is asked for by POST)"),
    T("evaluasi:dokumen",              "evaluasi_dokumen", "GET",  "L 404 404 200 200 404 404 200 404 404 200",
      note="the document of a draft evaluation is not the pegawai's yet"),
    T("evaluasi:distribusi",           None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("evaluasi:justifikasi",          None,           "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("evaluasi:justifikasi",          None,           "POST", "L   R   R   R   R   R   R   R   R   R   R",
      data=_empty, note="an empty justification is refused with a message"),
    T("evaluasi:kinerja_organisasi",   None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("evaluasi:kinerja_organisasi",   None,           "POST", "L   404 404 404 404 404 404 404 404 404 404",
      data=_empty),
    T("evaluasi:tutup_tahun",          None,           "GET",  "L   404 404 404 404 404 404 200 200 404 200"),
    T("evaluasi:tutup_tahun",          None,           "POST", "L   404 404 404 404 404 404 302 302 404 302",
      data=_empty),
    T("evaluasi:tindak_lanjut",        None,           "GET",  "L   404 404 404 404 404 404 200 200 404 200"),
    T("evaluasi:tindak_lanjut",        None,           "POST", "L   404 404 404 404 404 404 R   R   404 R",
      data=_empty),
    T("evaluasi:sanksi",               "kasus_sanksi", "GET",  "L   200 404 200 200 404 404 200 404 404 200"),
    T("evaluasi:sanksi",               "kasus_sanksi", "POST", "L  403 404 403 403 404 404 200 404 404 200",
      data=_empty, note="admin of her instansi: the form again"),
    # --- keberatan (objection to a final evaluation) ---------------------------------------------
    #     seen by the pegawai, her penilai, the pemutus (kabid, her atasan penilai), her admin
    T("evaluasi:keberatan_list",       None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("evaluasi:keberatan_ajukan",     "evaluasi_final", "GET",  "L   200 404 403 403 404 404 403 404 404 403",
      note="only the pegawai files; others who see the evaluation are refused"),
    T("evaluasi:keberatan_ajukan",     "evaluasi_final", "POST", "L   200 404 403 403 404 404 403 404 404 403",
      data=_empty, note="pegawai: the form again (reasons required), nothing filed"),
    T("evaluasi:keberatan_detail",     "keberatan",    "GET",  "L   200 404 200 200 404 404 200 404 404 200"),
    T("evaluasi:keberatan_minta_penjelasan", "keberatan", "GET",  "L 405 405 405 405 405 405 405 405 405 405"),
    T("evaluasi:keberatan_minta_penjelasan", "keberatan", "POST", "L 403 404 403 200 404 404 403 404 404 403",
      data=_empty, note="only the pemutus asks (the form again with errors)"),
    T("evaluasi:keberatan_jelaskan",   "keberatan",    "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("evaluasi:keberatan_jelaskan",   "keberatan",    "POST", "L   200 404 200 403 404 404 403 404 404 403",
      data=_empty, note="the parties answer (nothing asked yet: the page with the message)"),
    T("evaluasi:keberatan_putuskan",   "keberatan",    "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("evaluasi:keberatan_putuskan",   "keberatan",    "POST", "L   403 404 403 200 404 404 403 404 404 403",
      data=_empty, note="only the pemutus decides; the admin of her instansi only reads"),
    T("evaluasi:keberatan_lampiran",   "keberatan_lampiran", "GET", "L 200 404 200 200 404 404 200 404 404 200"),
    T("evaluasi:keberatan_pemutus",    "keberatan",    "GET",  "L   403 404 403 403 404 404 200 404 404 403",
      note="the admin of her instansi names (or changes) who decides; the parties only see"),
    T("evaluasi:keberatan_pemutus",    "keberatan",    "POST", "L   403 404 403 403 404 404 400 404 404 403",
      data=_empty, note="admin: the form again (NIP and reason required), nothing changed"),
    # --- SIASN (evaluasi/siasn): the admin instansi's pages; everyone else: not found ----------
    T("siasn:rekaman",                 None,           "GET",  "L   404 404 404 404 404 404 200 200 404 200"),
    T("siasn:kirim_tahun",             None,           "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("siasn:kirim_tahun",             None,           "POST", "L   404 404 404 404 404 404 R   R   404 R",
      data=_empty, note="the push is off in tests: refused with a message"),
    T("siasn:referensi",               None,           "GET",  "L   404 404 404 404 404 404 200 200 404 200"),
    T("siasn:referensi",               None,           "POST", "L   404 404 404 404 404 404 R   R   404 R",
      data=_empty, note="no action chosen: refused with a message"),
    T("siasn:referensi_impor",         None,           "GET",  "L   404 404 404 404 404 404 200 200 404 200"),
    T("siasn:referensi_impor",         None,           "POST", "L   404 404 404 404 404 404 400 400 404 400",
      data=_empty, note="no file: the form again"),
    T("siasn:kiriman",                 None,           "GET",  "L   404 404 404 404 404 404 200 200 404 200"),
    T("siasn:kiriman_ulang",           "siasn_kiriman", "GET",  "L  405 405 405 405 405 405 405 405 405 405"),
    T("siasn:kiriman_ulang",           "siasn_kiriman", "POST", "L  404 404 404 404 404 404 R   404 404 R",
      note="the push is off in tests: refused with a message"),
    # --- pohon kinerja ---------------------------------------------------------------------------
    T("pohon:instansi",                None,           "GET",  "L   404 404 200 200 200 200 200 200 404 200",
      note="leaders and admins; each sees their own instansi's tree"),
    T("pohon:unit",                    "pohon_unit",   "GET",  "L   404 404 404 200 404 404 200 404 404 200"),
    T("pohon:simpul",                  "pohon_simpul", "GET",  "L   404 404 200 200 200 404 200 404 404 200",
      htmx=True),
    T("pohon:unduh",                   None,           "GET",  "L   404 404 200 200 200 200 200 200 404 200"),
    # --- SKP (stage 1): a draft SKP of the pegawai unless the object says otherwise ---------------
    #     readers: she, her penilai, her atasan penilai, her ketua tim, her admin, superuser
    T("skp:index",                     None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("skp:persetujuan",               None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("skp:buat",                      None,           "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("skp:buat",                      None,           "POST", "L   302 302 302 302 302 302 403 403 302 403",
      data=_empty, note="a pegawai opens her own SKP; admins are not pegawai"),
    T("skp:detail",                    "skp",          "GET",  "L   200 404 200 200 200 404 200 404 404 200"),
    T("skp:ajukan",                    "skp",          "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("skp:ajukan",                    "skp",          "POST", "L   302 404 403 403 403 404 403 404 404 403",
      note="only the owner submits; readers are refused with a message"),
    T("skp:setujui",                   "skp_diajukan", "POST", "L   403 404 302 403 403 404 403 404 404 403",
      note="only her pejabat penilai approves"),
    T("skp:kembalikan",                "skp_diajukan", "POST", "L   403 404 R   403 403 404 403 404 404 403",
      data=_empty, note="a return needs a catatan (penilai: refused with a message)"),
    T("skp:versi_baru",                "skp",          "POST", "L   R   404 R   403 403 404 403 404 404 403",
      data=_empty, note="a draft needs no new version"),
    T("skp:versi",                     "skp",          "GET",  "L   200 404 200 200 200 404 200 404 404 200"),
    T("skp:pendekatan",                "skp",          "POST", "L   302 404 403 403 403 404 403 404 404 403",
      data=_empty),
    T("skp:lampiran",                  "skp",          "POST", "L   302 404 403 403 403 404 403 404 404 403",
      data=_empty),
    T("skp:perilaku",                  "skp",          "POST", "L   403 404 302 403 403 404 403 404 404 403",
      data=_empty, note="the penilai sets the ekspektasi khusus"),
    T("skp:tugas_belajar",             "skp",          "POST", "L   400 404 403 403 403 404 403 404 404 403",
      data=_empty),
    T("skp:tugas_belajar",             "skp",          "POST", "L   400 404 403 403 403 404 403 404 404 403",
      data=lambda org, obj: {"perguruan_tinggi": "Undana", "program_studi": "Manajemen",
                             "jenjang": "s2", "lokasi": "dalam_negeri"},
      note="only the owner sets tugas belajar details"),
    T("skp:tugas_belajar_pita",        "skp",          "GET",  "L   200 404 200 200 200 404 200 404 404 200",
      htmx=True),
    T("skp:pdf",                       "skp",          "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("skp:pdf",                       "skp",          "POST", "L   302 404 302 302 302 404 302 404 404 302",
      note="a reader may ask for the PDF (a background job)"),
    T("skp:pdf_unduh",                 "skp_dokumen",  "GET",  "L   200 404 200 200 404 404 200 404 404 200"),
    T("skp:rhk_tambah",                "skp",          "GET",  "L   200 404 403 403 403 404 403 404 404 403"),
    T("skp:rhk_tambah",                "skp",          "POST", "L   200 404 403 403 403 404 403 404 404 403",
      data=_empty),
    T("skp:rhk_baris",                 "rhk",          "GET",  "L   200 404 200 200 200 404 200 404 404 200",
      htmx=True),
    T("skp:rhk_ubah",                  "rhk",          "GET",  "L   200 404 403 403 403 404 403 404 404 403"),
    T("skp:rhk_ubah",                  "rhk",          "POST", "L   200 404 403 403 403 404 403 404 404 403",
      data=_empty),
    T("skp:rhk_hapus",                 "rhk",          "POST", "L   302 404 403 403 403 404 403 404 404 403"),
    T("skp:rhk_pindah",                "rhk",          "POST", "L   302 404 403 403 403 404 403 404 404 403"),
    T("skp:matriks_index",             None,           "GET",  "L   200 200 200 200 200 200 200 200 200 200"),
    T("skp:matriks_buka",              None,           "POST", "L   302 302 302 302 302 302 403 403 302 403",
      data=_empty),
    T("skp:matriks",                   "matriks_kw",   "GET",  "L   404 404 200 200 404 404 200 404 404 200",
      note="the kasubbid's matriks: she, her atasan, the admin"),
    T("skp:matriks_baris",             "matriks_kw",   "GET",  "L   405 405 405 405 405 405 405 405 405 405"),
    T("skp:matriks_baris",             "matriks_kw",   "POST", "L   404 404 R   403 404 404 403 404 404 403",
      data=_empty),
    T("skp:matriks_kolom",             "matriks_kw",   "POST", "L   404 404 302 403 404 404 403 404 404 403",
      data=_empty),
    T("skp:matriks_sel",               "matriks_kw",   "GET",  "L   404 404 404 404 404 404 404 404 404 404",
      note="without its cell parameters nothing is found"),
    T("skp:matriks_sel",               "matriks_kw",   "POST", "L   404 404 404 404 404 404 404 404 404 404",
      data=_empty),
    T("skp:matriks_sel_hapus",         "matriks_sel",  "POST", "L   404 404 404 404 404 404 404 404 404 404"),
    T("skp:matriks_na",                "matriks_kw",   "POST", "L   404 404 404 404 404 404 404 404 404 404",
      data=_empty),
    T("skp:matriks_terapkan",          "matriks_kw",   "POST", "L   404 404 302 403 404 404 403 404 404 403"),
    T("skp-detail",                    "skp",          "GET",  "401 200 404 200 200 200 404 200 404 404 200"),
    T("skp-detail",                    "skp",          "PATCH", "401 200 404 403 403 403 404 403 404 404 403",
      data=lambda org, obj: {"pendekatan": "kuantitatif", "row_version": obj.row_version},
      json=True),
    T("skp-ajukan",                    "skp",          "POST", "401 200 404 403 403 403 404 403 404 404 403",
      data=_empty, json=True),
    T("skp-setujui",                   "skp_diajukan", "POST", "401 403 404 200 403 403 404 403 404 404 403",
      data=_empty, json=True),
    T("skp-kembalikan",                "skp_diajukan", "POST", "401 403 404 400 403 403 404 403 404 404 403",
      data=_empty, json=True, note="the penilai must give a catatan"),
    T("skp-versi-baru",                "skp",          "POST", "401 201 404 201 403 403 404 403 404 404 403",
      data=lambda org, obj: {"alasan": "Perubahan jabatan"}, json=True,
      note="a draft needs no new version (400 for the owner)"),
    T("skp-pdf",                       "skp",          "GET",  "401 409 404 409 409 409 404 409 404 404 409",
      note="a GET only reads: 409 until a render was asked for (issue 15 item 8)"),
    T("skp-pdf",                       "skp",          "POST", "401 202 404 202 202 202 404 202 404 404 202",
      writes=True, note="a reader asks for the render (202, the job)"),
    T("rencana-hasil-kerja-detail",    "rhk_obj",      "GET",  "401 200 404 200 200 200 404 200 404 404 200"),
    T("rencana-hasil-kerja-detail",    "rhk_obj",      "PATCH", "401 200 404 403 403 403 404 403 404 404 403",
      data=lambda org, obj: {"rencana": "Diubah", "row_version": obj.row_version}, json=True),
    # --- API: organisation ---------------------------------------------------------------------
    T("instansi-list",                 None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("instansi-list",                 None,           "POST", "401 405 405 405 405 405 405 405 405 405 405",
      data=_empty, json=True),
    T("instansi-detail",               "instansi",     "GET",  "401 200 200 200 200 200 200 200 404 404 200"),
    T("unit-kerja-list",               None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("unit-kerja-detail",             "unit",         "GET",  "401 200 200 200 200 200 200 200 404 404 200"),
    T("jabatan-list",                  None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("jabatan-detail",                "jabatan",      "GET",  "401 200 200 200 200 200 200 200 404 404 200"),
    T("pegawai-list",                  None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("pegawai-detail",                "pegawai",      "GET",  "401 200 200 200 200 200 200 200 404 404 200"),
    T("pegawai-detail",                "pegawai",      "PATCH", "401 405 405 405 405 405 405 405 405 405 405",
      data=lambda org, obj: {"nama": "Diubah"}, json=True),
    T("pegawai-upsert",                None,           "GET",  "401 405 405 405 405 405 405 405 405 405 405"),
    T("pegawai-upsert",                None,           "POST", "401 403 403 403 403 403 403 200 400 403 403",
      data=lambda org, obj: {"nip": org.rekan.nip, "nama": "Nama Diubah"}, json=True,
      note="only an admin upserts; instansi B's admin cannot take instansi A's NIP"),
    T("periode-list",                  None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("periode-detail",                "periode",      "GET",  "401 200 200 200 200 200 200 200 404 404 200"),
    # --- API: deletions for incremental sync --------------------------------------------------
    T("perubahan-list",                None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200",
      note="each sees only deletions of rows they could see (tests/kinerja/test_sinkron.py)"),
    T("perubahan-list",                None,           "GET",  "401 400 400 400 400 400 400 400 400 400 400",
      query="diubah_sejak=kemarin", note="an invalid time is a 400 naming the parameter"),
    T("perubahan-list",                None,           "POST", "401 405 405 405 405 405 405 405 405 405 405",
      data=_empty, json=True),
    T("perubahan-ringkasan",           None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200",
      query="diubah_sejak=2026-01-01T00:00:00Z&jenis=pegawai,evaluasi",
      note="counts over what each may see (tests/kinerja/test_sinkron.py)"),
    T("perubahan-ringkasan",           None,           "GET",  "401 400 400 400 400 400 400 400 400 400 400",
      note="without diubah_sejak: a 400 naming it"),
    T("perubahan-ringkasan",           None,           "POST", "401 405 405 405 405 405 405 405 405 405 405",
      data=_empty, json=True),
    # --- API: the organisation over time (issue 16) ------------------------------------------
    T("mutasi-list",                   None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200",
      note="each sees only what the policy scopes: her own, her team's, the admin's instansi"),
    T("mutasi-list",                   None,           "POST", "401 400 400 400 400 400 400 400 400 400 400",
      data=_empty, json=True),
    T("mutasi-list",                   None,           "POST", "401 403 403 403 403 403 403 201 400 400 201",
      data=lambda org, obj: {"pegawai": org.rekan.pk, "jenis": "rotasi",
                             "jabatan_baru": org.pegawai.jabatan_id,
                             "tmt": "2099-01-01"}, json=True,
      note="only the admin of the pegawai's instansi records; B cannot name A's pegawai (400)"),
    T("mutasi-list",                   None,           "DELETE", "401 405 405 405 405 405 405 405 405 405 405"),
    T("mutasi-detail",                 "mutasi_terjadwal", "GET", "401 200 404 200 404 404 404 200 404 404 200"),
    T("mutasi-detail",                 "mutasi_terjadwal", "PATCH", "401 405 405 405 405 405 405 405 405 405 405",
      data=lambda org, obj: {"tmt": "2099-01-02"}, json=True, note="a recorded change is not edited"),
    T("mutasi-detail",                 "mutasi_terjadwal", "DELETE", "401 405 405 405 405 405 405 405 405 405 405"),
    T("mutasi-batalkan",               "mutasi_terjadwal", "GET", "401 405 405 405 405 405 405 405 405 405 405"),
    T("mutasi-batalkan",               "mutasi_terjadwal", "POST", "401 403 404 403 404 404 404 200 404 404 200",
      data=lambda org, obj: {"alasan": "SK dibatalkan", "row_version": obj.row_version}, json=True),
    T("mutasi-batalkan",               "mutasi_terjadwal", "POST", "401 403 404 403 404 404 404 400 404 404 400",
      data=_empty, json=True, note="row_version and alasan are required"),
    T("riwayat-jabatan-list",          "pegawai_riwayat", "GET", "401 200 200 200 200 200 200 200 404 404 200"),
    T("riwayat-jabatan-list",          "pegawai_riwayat", "POST", "401 405 405 405 405 405 405 405 405 405 405"),
    # --- API: notifications --------------------------------------------------------------------
    T("notifikasi-list",               None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("notifikasi-detail",             "notifikasi",   "GET",  "401 200 404 404 404 404 404 404 404 404 404"),
    T("notifikasi-baca",               "notifikasi",   "GET",  "401 405 405 405 405 405 405 405 405 405 405"),
    T("notifikasi-baca",               "notifikasi",   "POST", "401 200 404 404 404 404 404 404 404 404 404"),
    T("notifikasi-baca-semua",         None,           "POST", "401 200 200 200 200 200 200 200 200 200 200"),
    T("notifikasi-belum-dibaca",       None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    # --- API: dialog ---------------------------------------------------------------------------
    T("umpan-balik-list",              None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("umpan-balik-list",              None,           "POST", "401 400 400 400 400 400 400 400 400 400 400",
      data=_empty, json=True),
    T("umpan-balik-detail",            "umpan_balik",  "GET",  "401 200 404 200 200 404 404 404 404 404 200"),
    T("umpan-balik-detail",            "umpan_balik",  "DELETE", "401 405 405 405 405 405 405 405 405 405 405",
      note="feedback is never deleted"),
    T("penugasan-list",                None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("penugasan-detail",              "penugasan",    "GET",  "401 404 404 200 200 404 200 200 404 404 200"),
    T("penugasan-setujui",             "penugasan",    "POST", "401 404 404 200 403 404 403 403 404 404 403",
      data=_empty, json=True),
    T("penugasan-tolak",               "penugasan",    "POST", "401 404 404 400 403 404 403 403 404 404 403",
      data=_empty, json=True),
    # --- API: evaluasi -------------------------------------------------------------------------
    T("kinerja-organisasi-list",       None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("kinerja-organisasi-list",       None,           "POST", "401 400 400 400 400 400 400 400 400 400 400",
      data=_empty, json=True),
    T("kinerja-organisasi-detail",     "kinerja_organisasi", "GET",  "401 200 200 200 200 200 200 200 404 404 200"),
    T("kinerja-organisasi-detail",     "kinerja_organisasi", "PATCH", "401 403 403 403 403 403 403 200 404 404 200",
      data=lambda org, obj: {"predikat": "istimewa", "row_version": obj.row_version}, json=True,
      note="the admin of the instansi sets the unit's predikat"),
    T("kinerja-organisasi-detail",     "kinerja_organisasi", "PATCH", "401 403 403 403 403 403 403 400 404 404 400",
      data=lambda org, obj: {"predikat": "istimewa"}, json=True,
      note="without row_version: 400 for who may set it, 403 for who may not (asked first)"),
    T("evaluasi-list",                 None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("evaluasi-detail",               "evaluasi",     "GET",  "401 404 404 200 200 404 404 200 404 404 200"),
    T("evaluasi-detail",               "evaluasi",     "PATCH", "401 404 404 200 403 404 404 403 404 404 403",
      data=lambda org, obj: {"rating_hasil_kerja": "sesuai_ekspektasi",
                             "row_version": obj.row_version},
      json=True),
    T("evaluasi-finalisasi",           "evaluasi",     "POST", "401 404 404 400 403 404 404 403 404 404 403",
      data=_empty, json=True),
    T("keberatan-list",                None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("keberatan-list",                None,           "POST", "401 400 400 400 400 400 400 400 400 400 400",
      data=_empty, json=True),
    T("keberatan-list",                None,           "POST", "401 201 404 403 403 404 404 403 404 404 403",
      data=lambda org, obj: {"evaluasi": objects.build("evaluasi_final", org).pk,
                             "alasan": "Tidak sesuai bukti"},
      json=True, note="only the pegawai files on her own final evaluation"),
    T("keberatan-detail",              "keberatan",    "GET",  "401 200 404 200 200 404 404 200 404 404 200"),
    T("keberatan-minta-penjelasan",    "keberatan",    "POST", "401 403 404 403 400 404 404 403 404 404 403",
      data=_empty, json=True),
    T("keberatan-jelaskan",            "keberatan",    "POST", "401 400 404 400 403 404 404 403 404 404 403",
      data=_empty, json=True),
    T("keberatan-putuskan",            "keberatan",    "POST", "401 403 404 403 400 404 404 403 404 404 403",
      data=_empty, json=True, note="the admin of her instansi sees it but does not decide"),
    T("api-distribusi",                None,           "GET",  "401 400 400 400 400 400 400 400 400 400 400",
      note="unit_kerja and periode are required"),
    T("api-distribusi",                None,           "GET",  "401 403 403 200 200 403 403 200 404 404 200",
      query="unit_kerja=__unit__&periode=__periode__"),
    # --- API: SIASN records (scoped: the admin's instansi, a pegawai's own) and the send log ----
    T("siasn-skp22-list",              None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("siasn-skp22-list",              None,           "GET",  "401 400 400 400 400 400 400 400 400 400 400",
      query="tahunnya=2025", note="an unknown parameter"),
    T("siasn-kinerja-periodik-list",   None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("siasn-kiriman-list",            None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("siasn-kiriman-detail",          "siasn_kiriman", "GET", "401 404 404 404 404 404 404 200 404 404 200"),
    T("siasn-kiriman-kirim-ulang",     "siasn_kiriman", "POST", "401 404 404 404 404 404 404 400 404 404 400",
      data=_empty, json=True, note="the push is off in tests: 400 naming why"),
    # --- API: SKP ------------------------------------------------------------------------------
    T("skp-list",                      None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("skp-list",                      None,           "POST", "401 400 400 400 400 400 400 400 400 400 400",
      data=_empty, json=True),
    T("rencana-hasil-kerja-list",      None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("matriks-peran-hasil-list",      None,           "GET",  "401 200 200 200 200 200 200 200 200 200 200"),
    T("matriks-peran-hasil-detail",    "matriks",      "GET",  "401 404 404 200 200 404 404 200 404 404 200",
      note="the kasubbid's matriks"),
    T("matriks-peran-hasil-sel",       "matriks",      "POST", "401 404 404 400 400 404 404 400 404 404 400",
      data=_empty, json=True),
    T("matriks-peran-hasil-terapkan",  "matriks",      "POST", "401 404 404 200 403 404 404 403 404 404 403",
      data=_empty, json=True),
    # --- Django admin: site pages -------------------------------------------------------------
    T("admin:index",                   None,           "GET",  "AL  AL  AL  AL  AL  AL  AL  200 200 AL  200"),
    T("admin:login",                   None,           "GET",  "200 200 200 200 200 200 200 302 302 200 302",
      note="a signed-in non-staff user sees the 'not authorised' login form"),
    T("admin:logout",                  None,           "GET",  "302 302 302 302 302 302 302 405 405 302 405"),
    T("admin:password_change",         None,           "GET",  "AL  AL  AL  AL  AL  AL  AL  200 200 AL  200"),
    T("admin:password_change_done",    None,           "GET",  "AL  AL  AL  AL  AL  AL  AL  200 200 AL  200"),
    T("admin:autocomplete",            None,           "GET",  "AL  AL  AL  AL  AL  AL  AL  403 403 AL  403",
      note="without app/model/field parameters it is refused even for the superuser"),
    T("admin:jsi18n",                  None,           "GET",  "AL  AL  AL  AL  AL  AL  AL  200 200 AL  200"),
    T("admin:view_on_site",            "pegawai_ct",   "GET",  "AL  AL  AL  AL  AL  AL  AL  404 404 AL  404",
      note="no model of ours defines get_absolute_url"),
    T("admin:app_list",                "app_label_auth", "GET",  "AL AL AL  AL  AL  AL  AL  404 404 AL  200",
      note="admin BKD has no auth model: app page is 404 for them"),
    T("route:admin/(?P<url>.*)$",      "admin_url",    "GET",  "AL  AL  AL  AL  AL  AL  AL  404 404 AL  404"),
    # --- Django admin: third-party models, superuser only -------------------------------------
    *admin_model("auth", "group", "group", staff="403 403 200", simple_history=False),
    *admin_model("authtoken", "tokenproxy", "token_pegawai", staff="403 403 200",
                 simple_history=False),
    *admin_model("axes", "accessattempt", "axes_attempt", staff="403 403 200", change_post="403 403 302",
                 add="403 403 403", simple_history=False),
    *admin_model("axes", "accesslog", "axes_log", staff="403 403 200", change_post="403 403 302", add="403 403 403",
                 simple_history=False),
    *admin_model("axes", "accessfailurelog", "axes_failure", staff="403 403 200", change_post="403 403 302",
                 add="403 403 403", simple_history=False),
    # --- Django admin: the organisation (kinerja/admin.py) --------------------------------------
    *admin_model("kinerja", "instansi", "instansi", **ORG_ADMIN, add="403 403 200",
                 delete="403 403 200", note="an instansi is created and deleted by the superuser"),
    *admin_model("kinerja", "unitkerja", "unit", **ORG_ADMIN),
    *admin_model("kinerja", "jabatan", "jabatan", **ORG_ADMIN),
    *admin_model("kinerja", "pegawai", "pegawai", **ORG_ADMIN),
    *admin_model("kinerja", "timkerja", "tim", **ORG_ADMIN),
    *admin_model("kinerja", "periode", "periode", **ORG_ADMIN),
    *admin_model("kinerja", "user", "user_pegawai", staff="200 200 200", view="200 R 200",
                 add="403 403 200", history="200 R 200", delete="403 403 200",
                 change_post="302 R 200", simple_history=False,
                 note="an empty form is a valid one here (it deactivates the login)"),
    T("admin:auth_user_password_change", "user_pegawai", "GET",  f"{_NS} 200 404 AL  200",
      note="the admin BKD sets passwords of her own instansi's pegawai only"),
    T("admin:auth_user_password_change", "user_pegawai", "POST", f"{_NS} 200 404 AL  200",
      data=_empty),
    # --- Django admin: stage records, read-only for the superuser -------------------------------
    # History of a record the admin BKD does not see at all (feedback, dialogue, realisasi) is
    # 404 like a missing id; of one she sees but may not open here, 403.
    *admin_model("skp", "skp", "skp", **SU_READ),
    *admin_model("skp", "rencanahasilkerja", "rhk_obj", **SU_READ),
    *admin_model("skp", "matriksperanhasil", "matriks", **SU_READ),
    *admin_model("dialog", "penugasan", "penugasan", **SU_READ),
    *admin_model("dialog", "umpanbalik", "umpan_balik", **{**SU_READ, "history": "404 404 200"}),
    *admin_model("dialog", "dialogkinerja", "dialog_kinerja", **{**SU_READ, "history": "404 404 200"}),
    # No HistoricalRecords: a plain read-only ModelAdmin, so no simple_history URL exists.
    *admin_model("dialog", "permintaanumpanbalik", "permintaan_umpan_balik",
                 **{**SU_READ, "history": "403 403 200"},
                 simple_history=False),
    *admin_model("dialog", "peluang", "peluang", **SU_READ),
    *admin_model("dialog", "klarifikasiekspektasi", "klarifikasi", **SU_READ),
    *admin_model("dialog", "realisasi", "realisasi", **{**SU_READ, "history": "404 404 200"}),
    *admin_model("dialog", "buktidukung", "bukti", **{**SU_READ, "history": "404 404 200"}),
    *admin_model("dialog", "tindaklanjut", "tindak_lanjut", **{**SU_READ, "history": "404 404 200"}),
    # --- Django admin: SIASN (evaluasi/siasn/admin.py), scoped to the admin's instansi ---------
    *admin_model("evaluasi", "referensisiasn", "siasn_referensi", staff="200 200 200",
                 view="200 R 200", history="200 404 200", delete="403 403 403",
                 change_post="302 R 302",
                 note="the admin instansi edits its own table (through the service); an empty "
                      "form is valid (it empties the code, to be filled again)"),
    *admin_model("evaluasi", "identitassiasn", "siasn_identitas", staff="200 200 200",
                 add="403 403 403", view="200 R 200", history="200 404 200",
                 delete="403 403 403", change_post="403 403 403",
                 note="written by the push; read-only"),
    *admin_model("evaluasi", "kiriman", "siasn_kiriman", staff="200 200 200", add="403 403 403",
                 view="200 R 200", delete="403 403 403", change_post="403 403 403",
                 simple_history=False, note="the send log: read-only"),
]
# fmt: on


ROWS = defaultdict(list)
for _row in TABLE:
    ROWS[_row.name].append(_row)


def test_every_url_is_in_the_table():
    """A URL nobody wrote expectations for is a URL nobody checked: add it to TABLE."""
    missing = sorted(set(all_patterns()) - set(ROWS))
    assert not missing, (
        "These URL patterns have no row in tests/security/test_access_matrix.py TABLE "
        "(add one row per method with the expected status for each persona):\n  "
        + "\n  ".join(f"{k}  ({all_patterns()[k].route})" for k in missing)
    )


def test_table_has_no_stale_rows():
    stale = sorted(set(ROWS) - set(all_patterns()))
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


def _known_rows():
    patterns = all_patterns()
    out = []
    for k in ROWS:
        if k not in patterns:
            continue
        reasons = [r.xfail for r in ROWS[k] if r.xfail]
        marks = [pytest.mark.xfail(strict=True, reason=reasons[0])] if reasons else []
        out.append(pytest.param(k, id=k, marks=marks))
    return out


_PAGES: list[tuple[str, str, str]] = []


@pytest.mark.parametrize("key", _known_rows())
def test_access(key, matrix_org, db):
    org = matrix_org
    pattern = all_patterns()[key]
    rows = ROWS[key]
    by_obj = defaultdict(list)
    for row in rows:
        by_obj[row.obj].append(row)
    problems = []
    for obj_name, obj_rows in by_obj.items():
        obj = objects.build(obj_name, org)
        kwargs = build_kwargs(pattern, obj)
        played = play(org, pattern, obj_rows, obj, kwargs)
        _PAGES.extend(played.html_pages)
        if played.mismatches:
            problems.append(format_mismatches(key, fill_route(pattern, kwargs), played.mismatches))
    assert not problems, "\n".join(problems)


# Pages exempt from the inline-script/style scan, with the reason.
CSP_EXEMPT = {
    "api_docs": "Swagger UI bootstraps inline; it has its own relaxed CSP (kinerja/middleware.py)",
}
# Third-party markup the CSP blocks harmlessly (cosmetic only), so it is tolerated.
CSP_TOLERATED = ('class="paginator" style="border-top: 0"',)  # django-simple-history list


def test_pages_have_no_inline_script_or_style():
    """CSP forbids inline code; every HTML page the matrix rendered (admin included) must do
    without it. Runs after test_access (same module, in order) over the pages it collected."""
    if not _PAGES:
        pytest.skip("run together with test_access")
    offenders = defaultdict(set)
    for name, _persona, html in _PAGES:
        if name in CSP_EXEMPT:
            continue
        for tolerated in CSP_TOLERATED:
            html = html.replace(tolerated, "")
        for off in inline_offences(html):
            offenders[name].add(off)
    assert not offenders, "Inline script/style in pages (CSP blocks them):\n" + "\n".join(
        f"  {k}: {sorted(v)}" for k, v in sorted(offenders.items())
    )


@pytest.mark.skipif(not os.environ.get("MATRIX_DISCOVER"), reason="MATRIX_DISCOVER=1 to run")
def test_discover(matrix_org, db):
    """Print what the URLs missing from the table answer now, in table format (a draft)."""
    from tests.security.harness import Row, play

    org = matrix_org
    guess = os.environ.get("MATRIX_DISCOVER_OBJ", "")  # e.g. "skp-detail=skp,skp_lihat=skp"
    objmap = dict(x.split("=") for x in guess.split(",") if "=" in x)
    only = os.environ.get("MATRIX_DISCOVER_ONLY", "")
    for key, pattern in sorted(all_patterns().items()):
        if key in ROWS and key not in objmap:
            continue
        if only and only not in key:
            continue
        if key.startswith(("admin:", "route:admin")) and not only:
            continue
        obj_name = objmap.get(key)
        try:
            obj = objects.build(obj_name, org) if obj_name else None
            kwargs = build_kwargs(pattern, obj)
        except Exception as e:  # noqa: BLE001
            print(f"# {key}: needs an object ({e})")
            continue
        for method in os.environ.get("MATRIX_DISCOVER_METHODS", "GET,POST").split(","):
            row = Row(key, obj_name, method, tuple("?" for _ in PERSONAS), data=_empty)
            try:
                played = play(org, pattern, [row], obj, kwargs)
            except Exception as e:  # noqa: BLE001
                print(f"# {key} {method}: {type(e).__name__} {e}")
                continue
            got = {m.persona: m.got for m in played.mismatches}
            line = " ".join(f"{got.get(p, '?'):3}" for p in PERSONAS)
            print(f'    T("{key}", {obj_name!r}, "{method}", "{line}"),')
    print("columns:", " ".join(SHORT))
