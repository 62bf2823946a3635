# wako-collections: web (gunicorn) and worker (db_worker) images are the same build.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-ipaexfont libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 postgresql-client \
 && rm -rf /var/lib/apt/lists/*

# WEB_CONCURRENCY: gunicorn workers (gunicorn reads it); 5 suits 2 cores, as measured in docs/performance.md.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 WAKO_ENV=production WEB_CONCURRENCY=5
WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir . \
 && SECRET_KEY=build-only-collectstatic-key-0123456789-abcdefghijklmnopqrstuvwxyz \
    INDIVIDUAL_NUMBER_KEYS="build:$(head -c 32 /dev/urandom | base64),hmac:$(head -c 32 /dev/urandom | base64)" \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input -v 0 \
 && useradd --system --uid 1000 wako && chown -R wako /app \
 && install -d -o wako -m 700 /spool \
 && install -d -o wako -m 750 /exchange-outbound \
 && install -d -o wako -m 700 /files
USER wako
EXPOSE 8000
CMD ["gunicorn", "wako_collections.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
