"""gunicorn settings read from this folder automatically (`gunicorn 'improve:create_app()'`).

After a worker has loaded the app, everything loaded so far (Flask, SQLAlchemy, pandas, the
compiled templates: about a million objects) is moved out of the garbage collector's way with
gc.freeze(). Without it every full collection walks all of them again, and the pages that build
large frames (the panel and coordinator views) trigger several: at 200 teams the panel view took
about 300 ms in-process, 240 ms with the freeze (bench/results.json has the served figures).
"""

import gc


def post_worker_init(worker):  # noqa: ARG001 - gunicorn's hook signature
    gc.freeze()
