# syntax=docker/dockerfile:1
# PolicyRadar service image. One image, several roles (see compose.yaml):
#   radar serve    web UI + scheduler (the default command)
#   radar worker   Celery worker running crawls when RADAR_EXECUTOR=celery
#   radar db upgrade   schema migrations, once per deployment
#
# Build args:
#   EXTRAS=ocr             also install RapidOCR for scanned PDFs (+~150 MB: onnxruntime, OpenCV)
#   WITH_LIBREOFFICE=1     install LibreOffice Writer (+~350 MB) so DOC/WPS/RTF attachments are converted by
#                          LibreOffice; without it the built-in Word-97 reader (olefile) handles DOC/WPS text,
#                          which covers plain government notices but loses tables and complex layouts, and RTF
#                          attachments are recorded as extraction errors. Off by default to keep the image small.

# ---- build: compile/collect every wheel once; nothing of this stage reaches the runtime image ----
FROM python:3.11-slim AS build
ARG EXTRAS=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# gcc builds the classifier's optional C passes (pipeline/_textprep.c); without it the wheel still builds, slower.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY core core
COPY storage storage
COPY pipeline pipeline
COPY spiders spiders
COPY alerts alerts
COPY crawl crawl
COPY workers workers
COPY web web
COPY radar radar
COPY demo demo
RUN pip wheel --wheel-dir /wheels ".${EXTRAS:+[$EXTRAS]}"

# ---- runtime: slim Python, the wheels installed into a venv, a non-root user ----
FROM python:3.11-slim AS runtime
ARG EXTRAS=""
ARG WITH_LIBREOFFICE=0
# WITH_CHROMIUM=1: Debian's chromium for sources with fetch: browser (caict-bps); without it they fail with a message.
ARG WITH_CHROMIUM=0
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# No font package: the digest's chart is an HTML table the reader's mail client draws (alerts/chart.py).
# All runtime libraries (libpq, libxml2, pdfium, Pillow's codecs) ship inside the wheels, so no -dev packages.
RUN if [ "$WITH_LIBREOFFICE" = "1" ] || [ "$WITH_CHROMIUM" = "1" ]; then apt-get update; fi \
    && if [ "$WITH_LIBREOFFICE" = "1" ]; then apt-get install -y --no-install-recommends libreoffice-writer-nogui; fi \
    && if [ "$WITH_CHROMIUM" = "1" ]; then apt-get install -y --no-install-recommends chromium; fi \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --user-group radar
# The wheels are bind-mounted from the build stage, so they never become a layer of this image.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-index --find-links /wheels "policyradar${EXTRAS:+[$EXTRAS]}"
COPY config /app/config
COPY demo /app/demo
ENV PATH=/opt/venv/bin:$PATH \
    RADAR_CONFIG_DIR=/app/config \
    RADAR_DEMO_DIR=/app/demo \
    RADAR_DATA_DIR=/data \
    RADAR_WEB_HOST=0.0.0.0 \
    RADAR_WEB_PORT=8000 \
    PYTHONUNBUFFERED=1
# Mount points exist and belong to the user, so fresh named volumes (compose.yaml) start out writable by it.
RUN mkdir -p /data /archive && chown radar:radar /data /archive
USER radar
WORKDIR /app
VOLUME ["/data"]
EXPOSE 8000
# slim has no curl: the standard library asks the web UI's /healthz, which answers 200 only while the
# database answers too (urlopen raises on 503 or a refused connection, so the exit code is non-zero).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('RADAR_WEB_PORT', '8000'), timeout=4)"
CMD ["radar", "serve"]
