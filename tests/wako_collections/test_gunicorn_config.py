"""gunicorn.conf.py: what the Docker image, docker-compose and the load run start gunicorn with."""

from pathlib import Path

from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[2]


def loaded(monkeypatch, **environment):
    for name in ("WEB_CONCURRENCY", "WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = Config()
    namespace: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_threads_keep_alive_and_a_bounded_number_of_database_connections(monkeypatch):
    config = loaded(monkeypatch)
    assert config.worker_class_str == "gthread"
    assert (config.workers, config.threads) == (5, 4)
    assert config.keepalive >= 5  # a browser's next page reuses its connection
    # each thread keeps one PostgreSQL connection (CONN_MAX_AGE): bounded, and under the default
    # max_connections (100) with room for the worker, psql and a backup
    assert config.workers * config.threads <= 50


def test_a_worker_freezes_what_it_loaded_out_of_the_collectors_sight(monkeypatch):
    import gc

    config = loaded(monkeypatch)
    gc.unfreeze()
    try:
        config.post_worker_init(object())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_environment_sets_workers_and_threads(monkeypatch):
    config = loaded(monkeypatch, WEB_CONCURRENCY="3", WEB_THREADS="8")
    assert (config.workers, config.threads) == (3, 8)


def test_the_image_and_compose_start_gunicorn_where_the_file_is():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "WORKDIR /app" in dockerfile and "COPY . ." in dockerfile
    assert "--workers" not in dockerfile and "--threads" not in dockerfile  # not overridden
    assert "--workers" not in (ROOT / "docker-compose.yml").read_text()
