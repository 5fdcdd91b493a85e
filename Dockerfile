# One image for web, worker, beat and the release step (migrate). Built FROM Debian's own Python:
# BASE_IMAGE is Docker Hub's debian:bookworm-slim by default, or on a closed network the image
# deploy/base-image.sh makes with debootstrap from a Debian mirror (README, "Closed network").
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LANG=C.UTF-8 VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv postgresql-client ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/venv \
    && useradd --create-home --uid 1000 app
# A network's own certificate authorities (deploy/ca/*.crt), trusted by apt, pip and the app.
COPY deploy/ca/ /usr/local/share/ca-certificates/network/
RUN update-ca-certificates >/dev/null
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /app
# A PyPI mirror on a closed network: --build-arg PIP_INDEX_URL=https://pypi.mirror.local/simple
ARG PIP_INDEX_URL
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=app:app . .
# collectstatic needs a secret only to import the settings; it is not the runtime secret.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/media /app/private_media /app/secrets /backups \
    && chown app:app /app/media /app/private_media /app/secrets /backups
USER app
EXPOSE 8000
ENTRYPOINT ["deploy/app-entrypoint.sh"]
CMD ["gunicorn", "-c", "contest_site/gunicorn.conf.py", "contest_site.wsgi:application"]
