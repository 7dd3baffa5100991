"""Check or rebuild the kept predikat counts (evaluasi.hitung_predikat): after a restore, a
load with triggers off, or to verify them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from evaluasi import hitung_predikat


class Command(BaseCommand):
    help = "Periksa (bawaan) atau bangun ulang hitungan predikat yang disimpan."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bangun-ulang", action="store_true", help="hitung ulang dan simpan")
        parser.add_argument("--periode", type=int, help="hanya periode ini (id)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not hitung_predikat.dipelihara():
            raise CommandError("Hitungan predikat hanya disimpan di PostgreSQL.")
        if opts["bangun_ulang"]:
            n = hitung_predikat.bangun_ulang(opts["periode"])
            self.stdout.write(f"{n} baris hitungan dibangun ulang.")
            return
        beda = hitung_predikat.selisih(opts["periode"])
        for row in beda[:50]:
            self.stdout.write(f"berbeda: {row}")
        if beda:
            raise CommandError(f"{len(beda)} hitungan berbeda; jalankan --bangun-ulang.")
        self.stdout.write("Hitungan predikat sesuai.")
