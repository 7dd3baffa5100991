"""Check or rebuild who belonged to an instansi in a year (evaluasi.anggota_tahun), the rows the
completeness page reads: after a restore, a load with triggers off, or to verify them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from evaluasi import anggota_tahun


class Command(BaseCommand):
    help = "Periksa (bawaan) atau bangun ulang daftar anggota instansi per tahun yang disimpan."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bangun-ulang", action="store_true", help="hitung ulang dan simpan")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not anggota_tahun.dipelihara():
            raise CommandError("Daftar anggota per tahun hanya disimpan di PostgreSQL.")
        if opts["bangun_ulang"]:
            n = anggota_tahun.bangun_ulang()
            self.stdout.write(f"{n} baris anggota dibangun ulang.")
            return
        beda = anggota_tahun.selisih()
        for row in beda[:50]:
            self.stdout.write(f"berbeda: {row}")
        if beda:
            raise CommandError(f"{len(beda)} baris berbeda; jalankan --bangun-ulang.")
        self.stdout.write("Daftar anggota per tahun sesuai.")
