# PolicyRadar service image: `radar serve` (scheduler: crawls + weekly/daily digests).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY radar radar
COPY spiders spiders
COPY pipeline pipeline
COPY alerts alerts
COPY storage storage
COPY demo demo
COPY web web
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
# CJK fonts for the digest chart; LibreOffice Writer reads DOC/WPS attachments (without it a Word-97 fallback reader is used).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk libreoffice-writer-nogui \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 radar
COPY --from=build /opt/venv /opt/venv
COPY config /app/config
COPY demo /app/demo
ENV PATH=/opt/venv/bin:$PATH \
    RADAR_CONFIG_DIR=/app/config \
    RADAR_DEMO_DIR=/app/demo \
    RADAR_DATA_DIR=/data \
    PYTHONUNBUFFERED=1
RUN mkdir -p /data && chown radar:radar /data
USER radar
WORKDIR /app
VOLUME ["/data"]
CMD ["radar", "serve"]
