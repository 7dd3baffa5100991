"""Kelola organisasi: the instansi admin's pages (kinerja.views_org, views_sotk, views_impor)."""

from __future__ import annotations

from django.urls import path

from kinerja import views_hibah, views_impor, views_org, views_sotk

urlpatterns = [
    # explicit grants (guardian): Plh, auditor, keberatan designee
    path("hak-akses/", views_hibah.hak_akses, name="org_hak_akses"),
    path("hak-akses/<int:pk>/cabut/", views_hibah.hak_akses_cabut, name="org_hak_akses_cabut"),
    path("impor/", views_impor.impor_pegawai, name="impor_pegawai"),
    path("pilih/<str:jenis>/", views_org.pilih, name="org_pilih"),
    # units, as a tree
    path("unit/", views_org.unit_list, name="org_unit_list"),
    path("unit/tambah/", views_org.unit_tambah, name="org_unit_tambah"),
    path("unit/impor-siasn/", views_sotk.unor_impor, name="org_unor_impor"),
    path("unit/<int:pk>/", views_org.unit_ubah, name="org_unit"),
    path("unit/<int:pk>/anak/", views_org.unit_anak, name="org_unit_anak"),
    # positions
    path("jabatan/", views_org.jabatan_list, name="org_jabatan_list"),
    path("jabatan/tambah/", views_org.jabatan_tambah, name="org_jabatan_tambah"),
    path("jabatan/<int:pk>/", views_org.jabatan_ubah, name="org_jabatan"),
    # pegawai and their changes of position
    path("pegawai/tambah/", views_org.pegawai_tambah, name="org_pegawai_tambah"),
    path("pegawai/<int:pk>/", views_org.pegawai_detail, name="org_pegawai"),
    path("pegawai/<int:pk>/ubah/", views_org.pegawai_ubah, name="org_pegawai_ubah"),
    path("pegawai/<int:pk>/mutasi/", views_org.mutasi_catat, name="org_mutasi_catat"),
    path("mutasi/", views_org.mutasi_list, name="org_mutasi_list"),
    path("mutasi/<int:pk>/batalkan/", views_org.mutasi_batalkan, name="org_mutasi_batalkan"),
    # the year, the instansi's settings
    path("periode/", views_org.periode_list, name="org_periode_list"),
    path("periode/tambah/", views_org.periode_tambah, name="org_periode_tambah"),
    path("periode/<int:pk>/", views_org.periode_ubah, name="org_periode"),
    path("pengaturan/", views_org.pengaturan, name="org_pengaturan"),
    # restructuring (SOTK)
    path("restrukturisasi/", views_sotk.sotk_list, name="org_sotk_list"),
    path("restrukturisasi/tambah/", views_sotk.sotk_tambah, name="org_sotk_tambah"),
    path("restrukturisasi/<int:pk>/", views_sotk.sotk_detail, name="org_sotk"),
    path("restrukturisasi/<int:pk>/ubah/", views_sotk.sotk_ubah, name="org_sotk_ubah"),
    path("restrukturisasi/<int:pk>/langkah/", views_sotk.langkah_tambah, name="org_sotk_langkah"),
    path(
        "restrukturisasi/<int:pk>/langkah/<int:langkah>/hapus/",
        views_sotk.langkah_hapus,
        name="org_sotk_langkah_hapus",
    ),
    path(
        "restrukturisasi/<int:pk>/pratinjau/", views_sotk.sotk_pratinjau, name="org_sotk_pratinjau"
    ),
    path("restrukturisasi/<int:pk>/terapkan/", views_sotk.sotk_terapkan, name="org_sotk_terapkan"),
    path("restrukturisasi/<int:pk>/batalkan/", views_sotk.sotk_batalkan, name="org_sotk_batalkan"),
]
