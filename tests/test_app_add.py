"""The Add articles page (AppTest, no browser): pasted text becomes a background job
whose summary the page shows, and whose places the map then has; a running job is shown
to every visitor; an interrupted one can be run again; a read-only store has no Add
page."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from geo.store import Store
from geo.store.jobs import JobState, create_job, get_job, recent_jobs, set_pid, start_job
from geo.store.jobs import update_progress

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
CORK = ("Storm in Cork\n\nA storm hit Cork, Ireland, on Monday, and roads near Kinsale"
        " flooded.")


@pytest.fixture()
def app(dashboard_db, monkeypatch):
    """AppTest on the Add page. AppTest starts each run in Streamlit's old pages/-folder
    mode (the page alone; ``ui.require_router`` then reruns it through the router), and
    that extra run swallows a button's click: start every run in st.navigation mode, as
    a served app after its first run."""
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    init = PagesManager.__init__

    def navigation_mode(self, *args, **kwargs):
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", navigation_mode)

    def make(**state) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        at.switch_page("pages/add.py").run()
        return at
    return make


def _text(at: AppTest) -> str:
    return "\n".join([*(m.value for m in at.markdown), *(h.proto.body for h in at.html)])


def _until_summary(at: AppTest, timeout: float = 300) -> AppTest:
    deadline = time.monotonic() + timeout
    while not at.metric:
        assert time.monotonic() < deadline, _text(at)
        time.sleep(0.5)
        at.run()
    return at


@pytest.mark.gazetteer
@pytest.mark.model
def test_pasted_text_becomes_a_job_its_summary_then_map_places(app, dashboard_db):
    at = app()
    assert not at.exception and at.title[0].value == "Add articles"
    at.button(key="add_paste").click().run()
    assert [e.value for e in at.error] == ["Paste the article's text first."]
    at.text_input(key="add_title").input("Storm in Cork")
    at.text_input(key="add_source").input("<b>Irish</b> Examiner")
    at.text_area(key="add_text").input(CORK)
    at.button(key="add_paste").click().run()
    assert not at.exception
    job_id = at.session_state["add_job"]
    with Store.open(dashboard_db) as store:
        assert get_job(store, job_id).kind == "ingest"
    _until_summary(at)
    assert [(m.label, m.value) for m in at.metric] == [
        ("Added", "1"), ("Already present", "0"), ("Failed", "0")]
    assert [s.value for s in at.success] == ["Done."]
    with Store.open(dashboard_db) as store:
        row = store.conn.execute("SELECT title, source FROM articles WHERE title = ?",
                                 ("Storm in Cork",)).fetchone()
        assert tuple(row) == ("Storm in Cork", "<b>Irish</b> Examiner")
    at.switch_page("pages/map.py").run()
    assert not at.exception
    assert "Cork" in set(at.dataframe[0].value["name"])


@pytest.mark.gazetteer
@pytest.mark.model
def test_the_add_pages_ingest_analyses_in_the_processes_the_setting_names(
        app, dashboard_db, monkeypatch):
    for setting, expected in ((None, b"1"), ("3", b"3")):
        if setting:
            monkeypatch.setenv("NEWS_ATLAS_ADD_WORKERS", setting)
        at = app()
        at.text_area(key="add_text").input(CORK + f" Take {expected.decode()}.")
        at.button(key="add_paste").click().run()
        with Store.open(dashboard_db) as store:
            pid = get_job(store, at.session_state["add_job"]).pid
        # read while it loads the model (seconds): one process unless the setting says
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert argv[argv.index(b"--workers") + 1] == expected
        _until_summary(at)
        assert [m.value for m in at.metric][0] == "1"


@pytest.mark.gazetteer
@pytest.mark.model
def test_the_same_text_again_is_already_present(app):
    for expected in ("1", "0"):
        at = app()
        at.text_area(key="add_text").input(CORK)
        at.button(key="add_paste").click().run()
        _until_summary(at)
        assert at.metric[0].value == expected
    assert at.metric[1].value == "1"
    [present] = [e for e in at.expander if e.label == "Already present (1)"]
    assert present.dataframe[0].value.to_dict("records") == [
        {"file": "pasted.json", "line": "", "reason": "already in the store"}]


def test_a_running_job_is_shown_to_another_visitor(app, dashboard_db):
    with Store.open(dashboard_db) as store:
        job_id = create_job(store, "ingest", ["a.jsonl"])
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                               "ingest", "--job", str(job_id)])
    try:
        with Store.open(dashboard_db) as store:
            start_job(store, job_id, worker.pid)
            update_progress(store, job_id, total=10, done=4, added=3, skipped=1,
                            current="<script>x</script> Storm")
        at = app()
        assert not at.exception
        text = _text(at)
        assert "article 5 of 10" in text and "3 added, 1 already present, 0 failed" in text
        assert "&lt;script&gt;x&lt;/script&gt; Storm" in text and "<script>x" not in text
        assert len(at.get("progress")) == 1
    finally:
        worker.kill()
        worker.wait()


@pytest.mark.gazetteer
@pytest.mark.model
def test_an_interrupted_job_says_so_and_runs_again(app, dashboard_db, tmp_path):
    source = tmp_path / "cork.txt"
    source.write_text(CORK, encoding="utf-8")
    with Store.open(dashboard_db) as store:
        job_id = create_job(store, "ingest", [str(source)])
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    with Store.open(dashboard_db) as store:
        set_pid(store, job_id, int(gone.stdout))
    at = app(add_job=job_id)
    assert [e.value for e in at.error] == ["This job stopped before it finished."]
    assert "interrupted: the ingest process" in _text(at)
    at.button(key=f"add_rerun_{job_id}").click().run()
    assert at.session_state["add_job"] != job_id
    _until_summary(at)
    assert at.metric[0].value == "1"
    with Store.open(dashboard_db) as store:
        states = {j.id: j.state for j in recent_jobs(store)}
    assert states[job_id] is JobState.FAILED and states[job_id + 1] is JobState.DONE


def test_a_read_only_store_has_no_add_page(dashboard_db, monkeypatch):
    monkeypatch.setenv("NEWS_ATLAS_DB", f"sqlite:///{dashboard_db}?mode=ro")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page") as missing:
        at.switch_page("pages/add.py")
    assert "pages/map.py" in str(missing.value)


def test_the_add_page_and_jobs_do_not_import_spacy():
    code = ("import sys; import dashboard_add, geo.jobs, geo.ingest, geo.uploads;"
            " print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')))")
    run = subprocess.run([sys.executable, "-c", code], cwd=Path(APP).parent,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
