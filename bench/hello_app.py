"""The floor of the benchmark: a bare Flask route served by the same gunicorn settings as the
app. No page of the app can be faster than this on the same machine."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"


@app.get("/health")
def health() -> str:
    return "ok"
