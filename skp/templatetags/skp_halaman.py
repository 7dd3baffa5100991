"""The SKP page's fixed parts (templates/skp/detail.html) drawn in Python.

The page's template walked ±150 nodes per request around its rows: `{% url %}` reversals,
`{% csrf_token %}`, filters, the seven BerAKHLAK rows; 1 ms of CPU at 100,000 pegawai
(bench/temuan.md, "Putaran kedelapan"). These tags give the bytes the template gave:
tests/skp/test_halaman_python.py renders the page and the template before the change
(tests/skp/detail_lama.html) with the same context, over the states and readers of an SKP.
Change both together. What is rare stays in the template (tugas belajar, the lampiran form).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import Textarea
from django.template.defaultfilters import date as _date
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.timezone import template_localtime

from kinerja import url_pola
from kinerja.templatetags.kinerja_nav import badge, pangkat_golongan
from skp.templatetags.skp_baris import _br, _csrf, _v, rhk_baris_semua

register = template.Library()


def _u(name: str, *args: int) -> str:
    """`{% url name *args %}` for ids: reversed once per name (kinerja.url_pola), each call
    puts its ids in their places."""
    bagian = url_pola.pola(name, (url_pola.ISI,) * len(args))
    if bagian is None:
        return conditional_escape(reverse(name, args=args))
    out = [conditional_escape(bagian[0])]
    for arg, rest in zip(args, bagian[1:], strict=True):
        out += (str(int(arg)), conditional_escape(rest))
    return "".join(out)


def _tgl(value: Any, fmt: str) -> str:
    """`{{ value|date:fmt }}` (the filter expects local time: the engine converts first)."""
    return _v(_date(template_localtime(value), fmt))


def _dl_orang(p: Any) -> str:
    return (
        '<dl class="kv">\n'
        f"      <dt>Nama</dt><dd>{_v(p.nama)}</dd>\n"
        f"      <dt>NIP</dt><dd>{_v(p.nip or '-')}</dd>\n"
        f"      <dt>Pangkat/Gol.</dt><dd>{_v(pangkat_golongan(p) or '-')}</dd>\n"
        f"      <dt>Jabatan</dt><dd>{_v(p.jabatan or '-')}</dd>\n"
        f"      <dt>Unit kerja</dt><dd>{_v(p.unit_kerja or '-')}</dd>\n"
        "    </dl>"
    )


def _penilai_nama(skp: Any) -> str:
    p = skp.pejabat_penilai
    return _v((p.nama if p is not None else "") or "-")


@register.simple_tag(takes_context=True)
def skp_atas(context: template.Context) -> SafeString:
    """From the breadcrumb to the end of the three cards (pegawai, penilai, actions)."""
    skp = context["skp"]
    pk = skp.pk
    tahun = _v(skp.periode.tahun)
    versi = _v(skp.versi)
    out = [
        f'<p class="muted"><a href="{_u("skp:index")}">SKP</a> › {_v(skp.pegawai.nama)} › '
        f"{tahun}</p>\n<h1>Sasaran Kinerja Pegawai {tahun}\n  "
        f"{badge(skp.status, skp.get_status_display())}\n"
        f'  <span class="badge">Versi {versi}{"" if skp.terkini else " (lama)"}</span>\n'
        f'  <span class="badge">{_v(skp.get_jenis_display())}</span>\n'
        f'  <span class="badge">Pendekatan {_v(skp.get_pendekatan_display().lower())}</span>\n'
        "</h1>\n\n"
    ]
    add = out.append
    if skp.berlaku_sampai:
        mulai = _tgl(skp.berlaku_mulai, "j F Y") if skp.berlaku_mulai else "sejak awal tahun"
        add(
            f'\n<p class="warning" id="skp-ditutup">SKP ini berlaku {mulai} sampai '
            f"{_tgl(skp.berlaku_sampai, 'j F Y')} dengan pejabat penilai {_penilai_nama(skp)}; "
            "ditutup karena pejabat penilai berganti dan tetap dapat dibaca untuk jendela yang "
            "dicakupnya.</p>\n"
        )
    elif skp.berlaku_mulai:
        add(
            f'\n<p class="muted" id="skp-berlaku">SKP ini berlaku sejak '
            f"{_tgl(skp.berlaku_mulai, 'j F Y')} dengan pejabat penilai "
            f"{_penilai_nama(skp)}.</p>\n"
        )
    add("\n")
    versi_list = context.get("versi")
    if not skp.terkini and not skp.berlaku_sampai:
        add(f'\n<p class="warning">Ini versi lama (versi {versi}). ')
        for v in versi_list:
            if v.terkini:
                add(
                    f'<a href="{_u("skp:detail", v.pk)}">Buka versi terkini (versi '
                    f"{_v(v.versi)})</a>."
                )
        add("</p>\n")
    add("\n")
    if skp.versi > 1:
        alasan = f" — alasan perubahan: {_v(skp.alasan_perubahan)}" if skp.alasan_perubahan else ""
        add(
            f'\n<p class="muted" id="perubahan-versi">Versi {versi}{alasan}. '
            f'<a href="{_u("skp:versi", pk)}#perubahan">Lihat apa yang berubah dari versi '
            "sebelumnya</a>.</p>\n"
        )
    add("\n")
    if skp.status == "draft" and skp.catatan_penilai:
        add(
            '\n<div class="warning" id="catatan-penilai" role="status"><strong>Catatan '
            "pejabat penilai:</strong> "
            f"{linebreaksbr(skp.catatan_penilai, autoescape=True)}</div>\n"
        )
    add("\n")
    if skp.status == "disetujui":
        add(
            f'\n<p class="muted">Disetujui {_tgl(skp.disetujui_pada, "j F Y H:i")}. Versi yang '
            "disetujui tidak dapat diubah; perubahan dilakukan pada versi baru.</p>\n"
        )
    elif skp.status == "diajukan":
        add(
            f'\n<p class="muted">Diajukan {_tgl(skp.diajukan_pada, "j F Y H:i")}; menunggu '
            "keputusan pejabat penilai.</p>\n"
        )
    add(
        '\n\n<div class="grid skp-atas">\n  <section class="card">\n'
        "    <h2>Pegawai yang dinilai</h2>\n"
        f"    {_dl_orang(skp.pegawai)}\n  </section>\n"
        '  <section class="card">\n    <h2>Pejabat penilai kinerja</h2>\n    '
    )
    if skp.pejabat_penilai:
        add(f"\n    {_dl_orang(skp.pejabat_penilai)}\n    ")
    else:
        add('<p class="warning">Pejabat penilai belum ditetapkan. Hubungi admin BKD.</p>')
    add('\n  </section>\n  <section class="card" id="aksi">\n    <h2>Tindakan</h2>\n    ')
    _aksi(context, skp, add)
    add(
        f'\n    <p><a href="{_u("skp:versi", pk)}">Riwayat versi ({_v(len(versi_list))})</a>'
        '</p>\n    <div id="dokumen">\n'
    )
    pdf = _u("skp:pdf", pk)
    add(
        f'      <form method="post" action="{pdf}" hx-post="{pdf}" hx-target="#pdf-progres" '
        'hx-swap="innerHTML" hx-indicator="#pdf-tunggu" novalidate>'
        f"{_csrf(context)}\n"
        '        <button type="submit">Buat PDF SKP</button>\n'
        '        <span id="pdf-tunggu" class="htmx-indicator muted kecil" role="status">'
        "Menyiapkan PDF… biasanya beberapa detik.</span>\n      </form>\n"
        '      <div id="pdf-progres">'
    )
    if context.get("job"):
        tpl = context.template.engine.get_template("kinerja/partials/job_progres.html")
        add(tpl.render(context))
    add("</div>\n      ")
    dokumen = context.get("dokumen")
    if dokumen:
        add(
            f'<p class="kecil"><a href="{_u("skp:pdf_unduh", pk, dokumen.pk)}">Unduh PDF '
            f'terakhir</a> <span class="muted">({_tgl(dokumen.dibuat, "j M Y H:i")})</span></p>'
        )
    add("\n    </div>\n  </section>\n</div>")
    return mark_safe("".join(out))


def _aksi(context: template.Context, skp: Any, add: Any) -> None:
    """The actions card's forms, each when the reader may."""
    pk = skp.pk
    csrf = _csrf(context)
    rv = f'      <input type="hidden" name="row_version" value="{_v(skp.row_version)}">\n'
    if context.get("boleh_ubah"):
        kual = skp.is_kualitatif
        add(
            f'\n    <form method="post" action="{_u("skp:pendekatan", pk)}" class="pendekatan" '
            f"novalidate>{csrf}\n{rv}"
            "      <fieldset><legend>Pendekatan hasil kerja</legend>\n"
            '        <label class="pilihan"><input type="radio" name="pendekatan" '
            f'value="kuantitatif"{"" if kual else " checked"}> Kuantitatif</label>\n'
            '        <label class="pilihan"><input type="radio" name="pendekatan" '
            f'value="kualitatif"{" checked" if kual else ""}> Kualitatif</label>\n'
            "      </fieldset>\n"
            '      <button type="submit">Ganti pendekatan</button>\n    </form>\n    '
        )
    add("\n    ")
    if context.get("boleh_ajukan"):
        add(
            f'\n    <form method="post" action="{_u("skp:ajukan", pk)}" novalidate>{csrf}\n{rv}'
            '      <button class="primary" type="submit">Ajukan kepada pejabat penilai</button>\n'
            "    </form>\n    "
        )
    add("\n    ")
    if context.get("boleh_setujui"):
        add(
            f'\n    <form method="post" action="{_u("skp:setujui", pk)}" novalidate>{csrf}\n{rv}'
            '      <button class="primary" type="submit">Setujui SKP</button>\n    </form>\n'
            f'    <form method="post" action="{_u("skp:kembalikan", pk)}" class="kembalikan" '
            f'id="form-kembalikan" novalidate>{csrf}\n{rv}'
            '      <label for="catatan">Catatan perbaikan (umum)</label>\n'
            '      <textarea name="catatan" id="catatan" rows="3" '
            'placeholder="Mis. lengkapi lampiran"></textarea>\n'
            '      <p class="muted kecil">Catatan per rencana hasil kerja dapat ditulis di bawah '
            "setiap baris; semuanya ikut terkirim.</p>\n"
            '      <button type="submit">Kembalikan dengan catatan</button>\n    </form>\n    '
        )
    add("\n    ")
    if context.get("boleh_versi_baru"):
        add(
            f'\n    <form method="post" action="{_u("skp:versi_baru", pk)}" novalidate>{csrf}\n'
            '      <label for="alasan">Alasan perubahan</label>\n'
            '      <input name="alasan" id="alasan" required placeholder="Mis. klarifikasi '
            'ekspektasi triwulan II">\n'
            '      <button type="submit">Buka versi baru</button>\n    </form>\n    '
        )


@register.simple_tag(takes_context=True)
def skp_hasil_kerja(context: template.Context) -> SafeString:
    """The Hasil kerja section with both groups of rows: what its template gave with
    `{% include "skp/partials/grup.html" %}` twice (that partial stays the htmx answer of one
    group, and the reference: tests/skp/test_baris_python.py)."""
    skp = context["skp"]
    grup = context.get("grup") or {}
    jpt = ", dengan perspektif" if skp.is_jpt else ""
    out = [
        '<section class="card" id="hasil-kerja">\n'
        f'  <h2>Hasil kerja <small class="muted">— pendekatan '
        f"{_v(skp.get_pendekatan_display().lower())}{jpt}</small></h2>\n  "
    ]
    if context.get("boleh_penilai_tambah"):
        out.append(
            '<p class="muted">Sebagai pejabat penilai, Anda dapat menambahkan tugas lain melalui '
            "penugasan.</p>"
        )
    out.append("\n  ")
    out.append(rhk_grup(context, grup.get("utama") or [], "utama"))
    out.append("\n  ")
    out.append(rhk_grup(context, grup.get("tambahan") or [], "tambahan"))
    out.append("\n</section>")
    return mark_safe("".join(out))


def rhk_grup(context: template.Context, rows: Any, jenis: str) -> str:
    """skp/partials/grup.html for `rows` of `jenis` ("utama" or "tambahan")."""
    judul = "A. Hasil Kerja Utama" if jenis == "utama" else "B. Hasil Kerja Tambahan"
    j = _v(jenis)
    out = [
        f'<section class="rhk-grup" id="grup-{j}">\n  <h3>{judul}</h3>\n'
        f'  <div class="rhk-daftar" id="daftar-{j}">\n  {rhk_baris_semua(context, rows)}\n'
        "  </div>\n  "
    ]
    if not rows:
        out.append(f'<p class="muted" id="kosong-{j}">Belum ada hasil kerja {j}.</p>')
    out.append("\n  ")
    if context.get("boleh_ubah"):
        u = f"{_u('skp:rhk_tambah', context['skp'].pk)}?jenis={j}"
        out.append(
            f'\n  <div id="tambah-{j}"></div>\n  <a class="button" href="{u}" hx-get="{u}" '
            f'hx-target="#tambah-{j}" hx-swap="beforeend">+ Tambah hasil kerja {j}</a>\n  '
        )
    out.append("\n</section>\n")
    return "".join(out)


@register.simple_tag(takes_context=True)
def skp_perilaku(context: template.Context) -> SafeString:
    """The BerAKHLAK section: the seven values, their guides, the leader's expectations."""
    skp = context["skp"]
    boleh = context.get("boleh_perilaku")
    out = [
        '<section class="card" id="perilaku">\n'
        "  <h2>Perilaku kerja — Core Values ASN BerAKHLAK</h2>\n"
        '  <p class="muted">Tanpa level. Pimpinan dapat menambahkan ekspektasi khusus untuk '
        "setiap nilai.</p>\n  "
    ]
    add = out.append
    if boleh:
        add(
            f'<form method="post" action="{_u("skp:perilaku", skp.pk)}" novalidate>{_csrf(context)}'
            f'<input type="hidden" name="perilaku_versi" value="{_v(context["perilaku_versi"])}">'
        )
    add(
        '\n  <table class="table perilaku">\n'
        "    <thead><tr><th>No</th><th>Perilaku kerja dan panduan perilaku</th><th>Ekspektasi "
        "khusus pimpinan</th></tr></thead>\n    <tbody>\n    "
    )
    for n, p in enumerate(context.get("perilaku") or (), 1):
        if boleh:
            isi = (
                f'<textarea name="ekspektasi-{_v(p["kode"])}" rows="3" aria-label="Ekspektasi '
                f'khusus {_v(p["label"])}">{_v(p["ekspektasi_khusus"])}</textarea>'
            )
        else:
            isi = _br(p["ekspektasi_khusus"])
        add(
            f"\n    <tr>\n      <td>{n}</td>\n      <td>{_v(p['kepala'])}</td>\n"
            f"      <td>{isi}</td>\n    </tr>\n    "
        )
    add("\n    </tbody>\n  </table>\n  ")
    if boleh:
        add('<button class="primary" type="submit">Simpan ekspektasi khusus</button></form>')
    add("\n</section>")
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def skp_lampiran_baca(context: template.Context) -> SafeString:
    """The lampiran as read (no form): three texts."""
    skp = context["skp"]
    return mark_safe(
        '\n  <dl class="kv">\n'
        f"    <dt>Dukungan sumber daya</dt><dd>{_br(skp.dukungan_sumber_daya)}</dd>\n"
        "    <dt>Skema pertanggungjawaban</dt>"
        f"<dd>{_br(skp.skema_pertanggungjawaban)}</dd>\n"
        f"    <dt>Konsekuensi</dt><dd>{_br(skp.konsekuensi)}</dd>\n  </dl>\n  "
    )


@register.simple_tag(takes_context=True)
def skp_lampiran_isian(context: template.Context, form: Any) -> SafeString:
    """The lampiran form's fields (templates/skp/partials/lampiran_isian.html). The owner's draft
    shows it on every request, unbound: drawn here, the bytes Django's widget templates give
    (±1 ms of form machinery at 100,000 pegawai, bench/temuan.md "skp"). A bound form (the
    POST's errors) or a field this does not draw renders through the partial."""
    isian = _lampiran_isian(form)
    if isian is None:
        with context.push(lampiran_form=form):
            partial = context.template.engine.get_template("skp/partials/lampiran_isian.html")
            return partial.render(context)
    return mark_safe(isian)


def _lampiran_isian(form: Any) -> str | None:
    """An unbound form's `{% for f in form %}<label …>{{ f }}{% endfor %}` for plain textareas
    (no required, disabled, help text or errors: the attributes Django would add); else None."""
    if form.is_bound or form.prefix:
        return None
    out = ["\n    "]  # what `{{ form.non_field_errors }}` (empty) and the line break left
    for name, field in form.fields.items():
        w = field.widget
        if type(w) is not Textarea or field.required or field.disabled or field.help_text:
            return None
        bf = form[name]
        attrs = {**w.attrs, "id": bf.auto_id} if "id" not in w.attrs else dict(w.attrs)
        teks = w.format_value(bf.value())
        out += (
            f'<label for="{_v(bf.id_for_label)}">{_v(capfirst(bf.label))}</label>',
            f'<textarea name="{_v(bf.html_name)}"{_atribut(attrs)}>\n',
            _v(teks) if teks else "",
            "</textarea>",
        )
    return "".join(out)


def _atribut(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(f" {_v(name)}" if value is True else f' {_v(name)}="{_v(str(value))}"')
    return "".join(out)
