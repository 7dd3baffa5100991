"""The OpenAPI schema as integrators and client generators need it (issue 18, item 6).

- `KinerjaAutoSchema`: an operation's description is the user-facing text given with
  `extend_schema(description=...)`, else the viewset's `deskripsi[action]`, else a sentence built
  from its `nama_sumber` for the standard actions. Never a code docstring.
- `postprocess`: request bodies are JSON only (a true file upload: multipart only); every
  operation documents its error statuses with the one error shape; GETs document `ETag`,
  `If-None-Match` and 304.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

GENERIK = {
    "list": "Daftar {nama} yang boleh Anda lihat (data instansi lain tidak pernah ikut). "
    "Semua filter tercantum di bawah; parameter yang tidak dikenal atau nilai yang salah "
    "dijawab 400 yang menyebut parameternya. Untuk sinkronisasi malam hari kirim "
    "`diubah_sejak`.",
    "retrieve": "Satu {nama} menurut `id`. Id yang tidak boleh Anda lihat dijawab 404, sama "
    "dengan id yang tidak ada.",
    "create": "Membuat {nama} baru. Tidak pernah menimpa: bila sudah ada, jawabannya 400 yang "
    "menyebut id yang sudah ada.",
    "update": "Mengubah {nama} (seluruh kolom yang dapat diubah). Kirim `row_version` dari data "
    "yang Anda ubah; tanpa itu atau bila sudah basi: 400.",
    "partial_update": "Mengubah sebagian kolom {nama}. Kirim `row_version` dari data yang Anda "
    "ubah; tanpa itu atau bila sudah basi: 400.",
    "destroy": "Menghapus {nama}. Penghapusan tercatat dan muncul di `perubahan/`.",
}

# Operations outside the viewsets that another part of the code may not describe yet.
CADANGAN = {
    ("/api/v1/auth/token/", "post"): "Menukar nama pengguna (NIP) dan kata sandi dengan token "
    "API. Kirim token sebagai `Authorization: Token <token>`.",
}


class KinerjaAutoSchema(AutoSchema):
    def get_description(self) -> str:
        view = self.view
        action = getattr(view, "action", None)
        teks = getattr(view, "deskripsi", None) or {}
        if action in teks:
            return teks[action]
        nama = getattr(view, "nama_sumber", "")
        if nama and action in GENERIK:
            return GENERIK[action].format(nama=nama)
        return getattr(view, "deskripsi_api", "") or ""


GALAT = {
    "type": "object",
    "description": "Galat: `detail` berisi pesan dalam Bahasa Indonesia.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
GALAT_VALIDASI = {
    "type": "object",
    "description": 'Data atau parameter salah: `{"kolom": ["pesan", ...]}`; '
    '`non_field_errors` untuk yang lain (kadang `{"detail": "pesan"}`).',
    "additionalProperties": {},
}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _galat(desc: str, ref: str = "Galat", headers: dict | None = None) -> dict:
    out = {"description": desc, "content": _json(ref)}
    if headers:
        out["headers"] = headers
    return out


RESPONSES = {
    "400": lambda: _galat("Data atau parameter salah (pesan per kolom).", "GalatValidasi"),
    "401": lambda: _galat("Belum masuk: token tidak ada, salah, atau kedaluwarsa."),
    "403": lambda: _galat("Terlihat, tetapi Anda tidak berwenang melakukan ini."),
    "404": lambda: _galat("Tidak ditemukan, atau tidak boleh Anda lihat."),
    "429": lambda: _galat(
        "Terlalu banyak permintaan; coba lagi setelah `Retry-After` detik.",
        headers={"Retry-After": {"schema": {"type": "integer"}, "description": "Detik."}},
    ),
}


def _has_binary(schema: dict, components: dict, depth: int = 0) -> bool:
    if depth > 8 or not isinstance(schema, dict):
        return False
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _has_binary(components.get(name, {}), components, depth + 1)
    if schema.get("format") == "binary":
        return True
    parts = [*schema.get("properties", {}).values(), schema.get("items", {})]
    for key in ("allOf", "oneOf", "anyOf"):
        parts += schema.get(key, [])
    return any(_has_binary(p, components, depth + 1) for p in parts)


def _public(op: dict) -> bool:
    """No credentials needed: `security: []` (auth=[]) or an empty requirement among them."""
    sec = op.get("security", [{}])
    return sec == [] or any(s == {} for s in sec)


def postprocess(result: dict, generator, request, public) -> dict:
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Galat"] = GALAT
    schemas["GalatValidasi"] = GALAT_VALIDASI
    for path, ops in result.get("paths", {}).items():
        for method, op in ops.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if not op.get("description") and (path, method) in CADANGAN:
                op["description"] = CADANGAN[(path, method)]
            body = op.get("requestBody")
            if body:
                content = body.get("content", {})
                unggah = any(_has_binary(c.get("schema", {}), schemas) for c in content.values())
                keep = "multipart/form-data" if unggah else "application/json"
                if keep in content:
                    body["content"] = {keep: content[keep]}
            responses = op.setdefault("responses", {})
            codes = ["400", "404", "429"]
            if not _public(op):
                codes += ["401", "403"]
            for code in codes:
                responses.setdefault(code, RESPONSES[code]())
            for code, resp in responses.items():
                # A status a view documented by description only gets the one error shape.
                if code.startswith("4") and code != "409" and not resp.get("content"):
                    resp["content"] = _json("GalatValidasi" if code == "400" else "Galat")
                if code == "409" and not resp.get("content"):
                    resp["content"] = _json("Galat")
            if body:
                responses.setdefault(
                    "415", _galat("Jenis isi (Content-Type) tidak didukung; kirim JSON.")
                )
            if method == "get" and "200" in responses:
                ok = responses["200"]
                if "application/json" in ok.get("content", {}):
                    ok.setdefault("headers", {})["ETag"] = {
                        "schema": {"type": "string"},
                        "description": "Sidik isi jawaban; kirim kembali di `If-None-Match`.",
                    }
                    responses.setdefault(
                        "304",
                        {"description": "Tidak berubah sejak ETag yang dikirim di If-None-Match."},
                    )
                    params = op.setdefault("parameters", [])
                    if not any(p.get("name") == "If-None-Match" for p in params):
                        params.append(
                            {
                                "in": "header",
                                "name": "If-None-Match",
                                "required": False,
                                "schema": {"type": "string"},
                                "description": "ETag dari jawaban sebelumnya: bila sama, 304.",
                            }
                        )
    return result
