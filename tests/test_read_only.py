"""Read paths are read-only: `obligations sql` and `from pipeline import connect` refuse every
statement that would write a file, reach another database, install or load an extension, touch the
network or change the connection's settings. Each hostile statement below is run against both, with
a local HTTP listener counting connections and the scratch folder, the database file, a hard link
to it and DuckDB's home folder compared before and after."""
from __future__ import annotations

import hashlib
import os
import socket
import threading
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import connect
from pipeline.cli.main import app
from pipeline.store.readonly import refusal

# {db} the database, {link} a hard link to it, {other} another database, {scratch} a folder,
# {victim} a file in it, {port} a local listener that must see no connection
HOSTILE = [
    # writing files
    ("copy to a file", "COPY (SELECT 'x') TO '{victim}'"),
    ("copy a table to parquet", "COPY documents TO '{scratch}/documents.parquet' (FORMAT parquet)"),
    ("copy into the spill folder", "COPY (SELECT 'x') TO '{db}.tmp/x.csv'"),
    ("export the database", "EXPORT DATABASE '{scratch}/exported'"),
    # other databases
    ("attach another database read-write", "ATTACH '{other}' AS o (READ_WRITE)"),
    ("attach and write", "ATTACH '{other}' AS o (READ_WRITE); INSERT INTO o.t VALUES (2)"),
    ("attach another database read-only", "ATTACH '{other}' AS o (READ_ONLY)"),
    ("attach a hard link to the database", "ATTACH '{link}' AS w (READ_WRITE); DELETE FROM w.obligations"),
    ("attach a new database file", "ATTACH '{scratch}/new.duckdb' AS n"),
    ("attach in memory", "ATTACH ':memory:' AS m; CREATE TABLE m.t AS SELECT 1"),
    ("write the database itself", "DELETE FROM obligations"),
    ("drop a table", "DROP TABLE documents"),
    ("create a table", "CREATE TABLE t AS SELECT 1"),
    # extensions
    ("install an extension", "INSTALL httpfs"),
    ("force install", "FORCE INSTALL httpfs"),
    ("install from a repository", "INSTALL httpfs FROM 'http://127.0.0.1:{port}'"),
    ("load an extension", "LOAD httpfs"),
    ("load a file as an extension", "LOAD '{victim}'"),
    ("persistent secret", "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')"),
    # settings
    ("re-enable external access", "SET enable_external_access = true"),
    ("unlock the configuration", "SET lock_configuration = false"),
    ("autoinstall extensions", "SET autoinstall_known_extensions = true"),
    ("move the spill folder", "SET temp_directory = '{scratch}'"),
    ("profile into a file", "PRAGMA enable_profiling = 'json'"),
    ("profiling output", "SET profiling_output = '{scratch}/profile.json'"),
    ("pragma setting", "PRAGMA threads = 1"),
    ("reset a setting", "RESET threads"),
    ("global setting", "SET GLOBAL memory_limit = '100MB'"),
    ("log to a file", "CALL enable_logging(storage = 'file', storage_path = '{scratch}')"),
    # reading files: refused too (docs/LIMITS.md "Security": the database and nothing else)
    ("read_csv of a file", "SELECT * FROM read_csv('{victim}')"),
    ("read_text of a file", "SELECT * FROM read_text('{victim}')"),
    ("read_blob of a file", "SELECT * FROM read_blob('{victim}')"),
    ("a file as a table", "SELECT * FROM '{victim}'"),
    ("list a folder", "SELECT * FROM glob('{scratch}/*')"),
    ("copy from a file", "COPY obligations FROM '{victim}'"),
    ("import a database", "IMPORT DATABASE '{scratch}'"),
    ("read a system file", "SELECT * FROM read_csv('/etc/passwd')"),
    ("read_json of a file", "SELECT * FROM read_json_auto('{victim}')"),
    ("read_parquet of a file", "SELECT * FROM read_parquet('{scratch}/*.parquet')"),
    ("sniff a file", "SELECT * FROM sniff_csv('/etc/passwd')"),
    ("a file URL", "SELECT * FROM read_blob('file:///etc/passwd')"),
    ("a prepared copy", "PREPARE p AS COPY (SELECT 'x') TO '{victim}'"),
    # other databases, extensions and settings: the other spellings
    ("attach through an extension", "ATTACH '{scratch}/x.sqlite' AS s (TYPE sqlite)"),
    ("install from the nightly repository", "INSTALL sqlite FROM core_nightly"),
    ("update extensions", "UPDATE EXTENSIONS"),
    ("list stored secrets", "SELECT * FROM duckdb_secrets()"),
    ("widen the allowed paths", "SET allowed_paths = ['/']"),
    ("move the extension folder", "SET extension_directory = '{scratch}'"),
    ("a custom extension repository", "SET custom_extension_repository = 'http://127.0.0.1:{port}'"),
    ("logging on", "CALL enable_logging()"),
    ("a persistent macro", "CREATE MACRO m(x) AS x"),
    # the network
    ("read a URL", "SELECT * FROM read_csv('http://127.0.0.1:{port}/x.csv')"),
    ("a URL as a table", "SELECT * FROM 'http://127.0.0.1:{port}/x.parquet'"),
    ("an s3 URL", "SELECT * FROM read_csv('s3://bucket/x.csv')"),
]


class Listener:
    """A TCP listener on loopback that counts the connections made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


def snapshot(*folders: Path) -> dict[str, str]:
    """Every file under the folders with the sha256 of its bytes (folders as such)."""
    out = {}
    for folder in folders:
        if not folder.exists():
            continue
        for p in sorted(folder.rglob("*")):
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
    return out


@pytest.fixture(scope="module")
def place(corpus_db, tmp_path_factory):
    """A copy of the corpus database with a hard link to it, another database, and a scratch folder
    holding a file to overwrite."""
    root = tmp_path_factory.mktemp("hostile")
    db = root / "db" / "policy.duckdb"
    db.parent.mkdir()
    db.write_bytes(corpus_db.read_bytes())
    link = root / "db" / "link.duckdb"
    os.link(db, link)
    other = root / "other.duckdb"
    with duckdb.connect(str(other)) as c:
        c.execute("CREATE TABLE t AS SELECT 1 AS a")
    scratch = root / "scratch"
    scratch.mkdir()
    (scratch / "victim.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    listener = Listener()
    values = {"db": db, "link": link, "other": other, "scratch": scratch, "victim": scratch / "victim.csv",
              "port": listener.port, "root": root}
    yield values
    listener.close()
    assert listener.connections == 0, "a read-only statement reached the network"


def watched(place) -> dict[str, str]:
    return snapshot(place["root"], Path.home() / ".duckdb")


@pytest.mark.parametrize("name,statement", HOSTILE, ids=[n for n, _ in HOSTILE])
def test_sql_command_refuses(place, name, statement):
    before = watched(place)
    result = CliRunner().invoke(app, ["sql", statement.format(**place), "--db", str(place["db"])])
    assert result.exit_code == 2, result.output
    assert "refused" in result.output and "read-only" in result.output, result.output
    assert "Traceback" not in result.output
    assert watched(place) == before


@pytest.mark.parametrize("name,statement", HOSTILE, ids=[n for n, _ in HOSTILE])
def test_connect_refuses(place, name, statement):
    before = watched(place)
    con = connect(place["db"])
    try:
        with pytest.raises(duckdb.Error) as caught:
            con.execute(statement.format(**place))
        assert refusal(caught.value), caught.value  # one of the refusals, said plainly
    finally:
        con.close()
    assert watched(place) == before


def test_the_read_paths_still_read(place):
    """What the locks leave: queries, temporary views, registered Python objects."""
    import pyarrow as pa

    con = connect(place["db"])
    try:
        assert con.execute("SELECT count(*) FROM v_obligations").fetchone()[0] > 0
        con.execute("CREATE TEMP VIEW mine AS SELECT doc_id FROM documents")
        con.register("ids", pa.table({"doc_id": [r[0] for r in con.execute("SELECT doc_id FROM mine").fetchall()]}))
        assert con.execute("SELECT count(*) FROM ids JOIN documents USING (doc_id)").fetchone()[0] > 0
    finally:
        con.close()
    result = CliRunner().invoke(app, ["sql", "SELECT count(*) AS n FROM documents", "--db", str(place["db"]),
                                      "--format", "csv"])
    assert result.exit_code == 0 and result.output.splitlines()[0] == "n", result.output
