"""`manage.py demo`: a realistic provincial government with a year of performance work.

The organisation comes from `kinerja.demo`; each later stage adds its part through its own
`<app>/demo.py` (function `seed(ctx)`), found through the app registry so the kernel never
imports a later stage. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Isi data contoh (pemerintah provinsi, pegawai, SKP, umpan balik, evaluasi)."

    def add_arguments(self, parser):
        parser.add_argument("--pegawai", type=int, default=150, help="jumlah pegawai (kira-kira)")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **opts):
        if opts["pegawai"] >= 2000:  # provincial scale: the COPY generator of the bench
            try:
                from bench.generate import generate
            except ImportError:
                raise CommandError(
                    "data skala (--pegawai 2000 ke atas) dibuat oleh paket bench, yang tidak ada "
                    "di instalasi ini (image produksi); jalankan dari repositori"
                ) from None

            generate(pegawai=opts["pegawai"], seed=opts["seed"], out=self.stderr)
            # Written with triggers off at this size: the kept counts built once, as the bench.
            from bench.basis_data import bangun_simpanan

            bangun_simpanan()
            return
        from kinerja import demo

        # The seeded notifications stay in the app; their emails (to example addresses) are
        # kept in memory so the console shows the logins, not thousands of messages.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            ctx = demo.seed(pegawai=opts["pegawai"], seed=opts["seed"], out=self.stdout)
            for cfg in apps.get_app_configs():
                if cfg.name == "kinerja":
                    continue
                try:
                    mod = import_module(f"{cfg.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{cfg.name}.demo":
                        raise
                    continue
                mod.seed(ctx)
            # Changes of position last: the stages' year exists, and they hear of each change
            # (penilai_berubah) like any other.
            from kinerja import demo_org

            demo_org.seed(ctx, out=self.stdout)
        demo.print_logins(ctx, self.stdout)
