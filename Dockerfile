# syntax=docker/dockerfile:1
#
# One image for every process of Smarketing: the web server (the default CMD), the Celery
# worker, Celery beat and one-off commands such as `python manage.py migrate`.
# docker-compose.yml shows how they are run together.

# --- Stage 1: the front-end libraries, exactly as package-lock.json pins them -------------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# The packages are only served as static files: none of their install scripts has to run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

# --- Stage 2: the application -------------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# The processes run as this unprivileged user; the code stays owned by root, read-only to it.
RUN groupadd --system --gid 10001 smarketing \
 && useradd --system --uid 10001 --gid smarketing --create-home \
        --home-dir /home/smarketing --shell /usr/sbin/nologin smarketing

WORKDIR /app

# The pinned dependencies first, in their own layer: it is rebuilt only when pyproject.toml
# changes. The project itself declares no packages (`[tool.setuptools] packages = []`), so
# this installs the dependencies and nothing of the code.
COPY pyproject.toml ./
RUN pip install --no-cache-dir .

COPY . .
COPY --from=assets /build/node_modules ./node_modules

# Static files are collected once, at build time, with whitenoise's compressed manifest
# storage (DEBUG off). The SECRET_KEY here only lets the settings load for this command; it
# is not stored in the image, and a real one must be given at run time.
# var/ is the one folder the application writes to (MEDIA_ROOT lives there).
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput \
 && python -m compileall -q -x '/node_modules/' /app \
 && mkdir -p /app/var \
 && chown smarketing:smarketing /app/var

# Numeric, so that orchestrators enforcing "run as non-root" can verify it.
USER 10001:10001

EXPOSE 8000

CMD ["gunicorn", "smarketing.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
