# News Atlas: the dashboard, read-only for visitors, in one image.
#
#   docker build -t news-atlas .
#   docker compose up -d            # compose.yaml: the store in a named volume
#
# tests/test_dockerfile.py runs these steps as a shell script (a fresh folder, a fresh
# venv) and health-checks the result, since the CI machine has no Docker engine;
# docs/deploy.md says what that covers and what a real `docker build` adds.
FROM python:3.11-slim

# The store lives in the volume /data; the gazetteer is built into the image, outside
# the volume (it belongs to the code's version, not to the data). Visitors only read;
# an editor signs in with the password whose hash NEWS_ATLAS_EDITOR_PASSWORD_HASH holds
# (given when the container starts, never baked in here).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWS_ATLAS_DB=/data/news_atlas.sqlite \
    NEWS_ATLAS_GAZETTEER=/opt/news-atlas/gazetteer.sqlite \
    NEWS_ATLAS_READ_ONLY=1

RUN useradd --create-home --uid 10001 atlas && mkdir -p /data && chown atlas /data

WORKDIR /app

# Pinned with hashes (pip checks every download); the image keeps no pip cache.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The library first: the gazetteer build depends on it only, so a change to the
# dashboard's pages does not rebuild the gazetteer.
COPY geo/ geo/
RUN python -m geo gazetteer build >/dev/null && \
    python -m geo gazetteer info >/dev/null

COPY .streamlit/ .streamlit/
COPY dashboard.py dashboard_*.py ./
COPY pages/ pages/
# Leaflet & co copied into ./static/vendor now, so the app writes nothing here at start
RUN python -c "from geo.assets import install_vendor; install_vendor()"

USER atlas
VOLUME /data
EXPOSE 8501

# slim has no curl: Python asks Streamlit's own health endpoint
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

# Create the store in the volume (or upgrade its schema) once, read-write, then serve
# it read-only to visitors.
CMD ["sh", "-c", "python -c 'from geo.store import Store; Store.open().close()' && exec streamlit run dashboard.py --server.address=0.0.0.0 --server.port=8501 --server.headless=true"]
