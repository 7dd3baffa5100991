"""The bench's report: the machine, the table, bench/results.md."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from pathlib import Path

from django.db import connection

from bench.dasar import BASE_DIR


class LaporanMixin:
    """Part of Bench (bench.runner): The bench's report: the machine, the table, bench/results.md."""

    # -- output ---------------------------------------------------------------------------------
    def machine(self) -> dict[str, str]:
        cpu = platform.processor() or ""
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        mem = ""
        with contextlib.suppress(OSError):
            kb = int(Path("/proc/meminfo").read_text().split()[1])
            mem = f"{kb / 1024 / 1024:.1f} GiB"
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
        ).stdout.strip()
        with connection.cursor() as c:
            c.execute("SHOW server_version")
            pg = c.fetchone()[0]
        return {
            "cpu": cpu or "?",
            "nproc": str(os.cpu_count()),
            "mem": mem or "?",
            "commit": commit + (" (+ perubahan belum di-commit)" if dirty else ""),
            "python": platform.python_version(),
            "postgres": pg,
        }

    def table(self) -> str:
        lines = [
            "| pekerjaan | Kinerja | batas (limit) | rasio | sasaran | hasil |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in self.rows:
            lines.append(
                f"| {r.work} | {r.kinerja} | {r.limit} | {r.ratio} | {r.goal} | {r.status} |"
            )
        return "\n".join(lines)

    def markdown(self) -> str:
        m = self.machine()
        info = self.data_info
        gen = (
            f"dibuat dalam run ini: {info.get('seconds', 0):.0f} s"
            if info.get("generated")
            else "dipakai ulang dari run sebelumnya (sidik data sama)"
        )
        head = [
            "# Kinerja — hasil `make bench`",
            "",
            f"- Tanggal: {self.started:%Y-%m-%d %H:%M} UTC (selesai {self.finished:%H:%M} UTC)",
            f"- Commit: {m['commit']}",
            f"- Mesin: {m['nproc']} CPU ({m['cpu']}), memori {m['mem']}, Python {m['python']}, PostgreSQL {m['postgres']}",
            f"- Beban mesin (loadavg 1/5/15 menit) awal {self._load(self.load_before)}, akhir {self._load(self.load_after)}",
            f"- Data: {self.opts.pegawai:,} pegawai, seed {self.opts.seed} — {gen}",
            f"- wrk: {self.opts.wrk_seconds:.0f} s per ukuran, {self.opts.wrk_connections} koneksi, 2 thread; gunicorn {os.cpu_count()} worker sync (bench.settings)",
            "",
            self.table(),
            "",
        ]
        notes = [f"- **{r.work}**: {r.note}" for r in self.rows if r.note]
        if notes:
            head += ["## Catatan", "", *notes, ""]
        temuan = Path(__file__).with_name("temuan.md")
        if temuan.exists():
            head += [temuan.read_text(), ""]
        profiles = [r for r in self.rows if r.profile]
        if profiles:
            head += ["## Profil baris yang tidak mencapai sasaran", ""]
            for r in profiles:
                head += [f"### {r.work}", "", "```", r.profile, "```", ""]
        # Hand-run measurements of earlier sessions (each dated, with its machine load) are
        # kept below every new table instead of being lost when the file is rewritten.
        riwayat = Path(__file__).with_name("riwayat.md")
        if riwayat.exists():
            head += [riwayat.read_text(), ""]
        return "\n".join(head)

    @staticmethod
    def _load(t: tuple[float, float, float]) -> str:
        return "/".join(f"{x:.1f}" for x in t)

    def write(self) -> str:
        md = self.markdown()
        if self.opts.results:
            self.opts.results.parent.mkdir(parents=True, exist_ok=True)
            self.opts.results.write_text(md)
        return md
