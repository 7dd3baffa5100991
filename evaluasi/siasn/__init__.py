"""SIASN: final evaluation results in the shape BKN's SIASN takes (follow-up of stage 3).

    rules.py      pure: SIASN's payload schemas, reference keys and their shipped defaults,
                  jenjang of a jabatan fungsional, ASN / NON ASN, golongan spelling
    models.py     ReferensiSiasn (codes the admin keeps), IdentitasSiasn (SIASN's id of a
                  pegawai), RekamanSiasn (what SIASN holds of one evaluation), Kiriman (each send)
    rekaman.py    reads: one record per final evaluation, in SIASN's field names, through the policy
    services.py   state changes: reference tables (edit, check, import), kirim ulang, kirim semua
    impor.py      SIASN's reference export (.xlsx/.csv) -> a preview plan
    ekspor.py     the records as .xlsx/.csv for a manual upload
    klien.py      the HTTP client: OAuth2 client credentials + SSO token, JSON POST, timeouts
    kirim.py      the push: scheduled from a final evaluation, run by the outbox job `siasn.kirim`
    api.py, views.py, forms.py, urls.py, admin.py, tasks.py: thin layers over the above

What is confirmed about SIASN and what is a guess is written next to each rule in rules.py and
klien.py (sources: public clients of BKN's web service, see rules.py).
"""
