import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")
application = get_wsgi_application()

# What the worker imported so far (Django, the libraries, the apps: ~170,000 objects) lives as
# long as the process: out of the cyclic collector's sight, so the full collection that a request
# now and then triggers scans what requests made, not all of that (a single 68 ms pause measured
# on the pegawai API at 100k before, 8 ms after: bench/temuan.md, "Lantai per permintaan").
gc.freeze()
