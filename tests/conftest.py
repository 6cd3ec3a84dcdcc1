"""Fixtures shared by every test module.

Heavy services (the full gazetteer, the spaCy pipeline) are built once per session and
only for tests that ask for them; ``../shared`` is optional and its tests skip cleanly.
"""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared``, or skip the test when it is not there."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED


@pytest.fixture(scope="session")
def seed_article_path(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "seed-article.txt"
    if not path.exists():
        pytest.skip("../shared/corpus/seed-article.txt is absent")
    return path


def build_fixture_gazetteer(tmp_path_factory: pytest.TempPathFactory, csv: Path):
    """A small real gazetteer index built from a fixture CSV (curated-file format)."""
    from geo.gazetteer import Gazetteer, build_gazetteer

    path = tmp_path_factory.mktemp("gaz") / f"{csv.stem}.sqlite"
    build_gazetteer(path, progress=False, sources=[csv])
    return Gazetteer.open(path)


@pytest.fixture(scope="session")
def tiny_gazetteer(tmp_path_factory):
    """tests/data/gazetteer/tiny_places.csv as an index."""
    gaz = build_fixture_gazetteer(tmp_path_factory, DATA / "gazetteer" / "tiny_places.csv")
    yield gaz
    gaz.close()


@pytest.fixture(scope="session")
def places_gazetteer(tmp_path_factory):
    """tests/data/resolve/places.csv (ambiguous names) as an index."""
    gaz = build_fixture_gazetteer(tmp_path_factory, DATA / "resolve" / "places.csv")
    yield gaz
    gaz.close()


@pytest.fixture(scope="session")
def full_gazetteer():
    """The real gazetteer index (built at its default path on first use)."""
    from geo.gazetteer import ensure_gazetteer

    gaz = ensure_gazetteer(progress=False)
    yield gaz


@pytest.fixture(scope="session")
def pipeline(full_gazetteer):
    """The English pipeline users run: full gazetteer + spaCy sm model (a
    :class:`geo.pipeline.Pipeline`; ``default_pipeline`` adds a language choice)."""
    from geo.pipeline import default_pipeline

    return default_pipeline(gazetteer=full_gazetteer).pipeline("en")


# --- the store's two back ends (tests/pg.py) -------------------------------------------

@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the session (skips, or fails under CI, when
    PostgreSQL is not installed)."""
    from tests.pg import start_cluster

    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture()
def pg_url(pg_cluster) -> str:
    """A fresh, empty PostgreSQL store (its own database); its URL."""
    url = pg_cluster.new_database()
    yield url
    pg_cluster.drop(url)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``store_url`` runs a test on both back ends; ``dashboard_db`` (and
    ``dashboard_store``) and ``sample_db`` on those its module names in ``BACKENDS`` (default: SQLite,
    for the modules whose tests also read the file with sqlite3), or those a test's
    ``@pytest.mark.backends("sqlite")`` names."""
    if "store_url" in metafunc.fixturenames:
        metafunc.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
    for name in ("dashboard_db", "sample_db"):
        if name in metafunc.fixturenames:
            only = metafunc.definition.get_closest_marker("backends")
            backends = only.args if only else getattr(metafunc.module, "BACKENDS",
                                                      ("sqlite",))
            metafunc.parametrize(name, list(backends), indirect=True)


@pytest.fixture()
def store_url(request, tmp_path: Path) -> str:
    """A new, empty store on each back end: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return request.getfixturevalue("pg_url")


# --- dashboard (geo.query, geo.maps, pages) -------------------------------------------

@pytest.fixture()
def dashboard_db(request, tmp_path: Path) -> str:
    """A new store holding the dashboard's fixture articles (seed-like, follow-up,
    hostile), on the back end the test is run for (``pytest_generate_tests``); see
    tests/data/dashboard/fixture_articles.py."""
    from tests.data.dashboard.fixture_articles import build_store

    if request.param == "postgresql":
        return build_store(request.getfixturevalue("pg_url"))
    return build_store(tmp_path / "dashboard.sqlite")


@pytest.fixture()
def dashboard_store(dashboard_db: str):
    from geo.store import Store

    with Store.open(dashboard_db) as store:
        yield store


@pytest.fixture(scope="session")
def mixed_db(tmp_path_factory, full_gazetteer) -> str:
    """Dated and undated articles ingested together by ``python -m geo ingest`` (full
    gazetteer and spaCy model), plus Markdown-named places and actors; see
    tests/data/dashboard/mixed_store.py."""
    from tests.data.dashboard.mixed_store import build_mixed_store

    return build_mixed_store(tmp_path_factory.mktemp("mixed"))


@pytest.fixture
def sample_db(request, tmp_path) -> str:
    """A new store holding the built-in sample (on the back end the test is run for)."""
    from geo.sample import ensure_sample
    from geo.store import Store

    db = str(tmp_path / "sample.sqlite")
    if request.param == "postgresql":
        db = request.getfixturevalue("pg_url")
    with Store.open(db) as store:
        ensure_sample(store)
    return db
