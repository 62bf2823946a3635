"""gunicorn's settings for wako-collections. gunicorn reads ./gunicorn.conf.py from the folder it is
started in: the Docker image's /app (Dockerfile, docker-compose.yml) and a checkout (the load run of
benchmarks/load.py). Options on the command line (--bind, --workers, …) override these.

- workers: WEB_CONCURRENCY (gunicorn's own variable), 5 by default: 2 × cores + 1 for 2 cores.
- threads: WEB_THREADS per worker, 4 by default (gunicorn's gthread worker). A request waiting on
  PostgreSQL or on a sign-in's password hash (run at low priority: wako_collections/priority.py)
  no longer holds one of only five places; the others go on.
- keepalive: a browser's connection is kept 15 s between requests instead of a new TCP and TLS
  handshake for every page (the sync worker closed each one; a page's assets came over new ones).

post_worker_init: once a worker has loaded Django (models, apps, settings), the objects it made are
moved out of the garbage collector's sight (gc.freeze): they live as long as the worker, and each
full collection walked them all again (~0.2 s in a loaded worker, a pause for every thread of it;
measured in one process over 230 requests of the load mix on a loaded machine: the collector's share
of CPU 3.5 % → 2.5 %, a full collection 0.22 s → 0.04 s).

PostgreSQL connections: each thread keeps its own for DATABASE_CONN_MAX_AGE seconds (60 in
production), so the server holds at most workers × threads (20 by default) — bounded, unlike
runserver's thread per request; keep it under the server's max_connections with the worker's.
"""

import gc
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "5"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
keepalive = 15


def post_worker_init(worker):
    gc.freeze()
