# Kinerja: one image for web (gunicorn), worker and beat (celery). See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders the SKP and evaluation PDFs with Pango/HarfBuzz and needs real fonts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
      libjpeg62-turbo libopenjp2-7 shared-mime-info fonts-dejavu fonts-liberation \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .

# Static files are collected at build time (whitenoise serves them); the key is only a
# placeholder for this step and never used at run time.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 kinerja \
 && mkdir -p /data/media /data/beat \
 && chown -R kinerja:kinerja /data /app/staticfiles
USER kinerja

EXPOSE 8000
CMD ["gunicorn", "kinerja.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
