"""The bad-input corpus generator writes what its manifest promises, with the intended defect."""
from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import re
import sys
import zipfile
import zlib
from pathlib import Path

import docx
import pdfplumber
import pytest
from pdfplumber.utils.exceptions import PdfminerException

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATOR = REPO_ROOT / "tests" / "data" / "make_bad_corpus.py"
if str(REPO_ROOT) not in sys.path:  # pytest's rootdir is not on sys.path without a conftest
    sys.path.insert(0, str(REPO_ROOT))

from pipeline import errors  # noqa: E402


def load_generator():
    """tests/data is no package: load the script by path (registered so dataclasses resolve)."""
    spec = importlib.util.spec_from_file_location("make_bad_corpus", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = load_generator()
CJK = re.compile(r"[\u4e00-\u9fff]")
MiB = 1 << 20


def read_error_kinds() -> set[str]:
    """Every specific kind a reader can report (the generic `read_error` base excluded)."""
    kinds, pending = set(), [errors.ReadError]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        kinds.add(cls.kind)
    return kinds - {errors.ReadError.kind}


def digest(path: Path) -> tuple[int, str]:
    """Size and hash of the first MiB: enough to tell files apart without reading 100 MiB holes."""
    with path.open("rb") as handle:
        return path.stat().st_size, hashlib.sha256(handle.read(MiB)).hexdigest()


def digests(root: Path) -> dict[str, tuple[int, str]]:
    return {
        path.relative_to(root).as_posix(): digest(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink() and "self" not in path.relative_to(root).parts
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("bad")
    gen.generate(outdir)
    return outdir


@pytest.fixture(scope="module")
def control_text(corpus) -> str:
    return pdf_text(corpus / "control.pdf")


@pytest.fixture(scope="module")
def manifest(corpus) -> dict[str, dict]:
    return {entry["path"]: entry for entry in gen.load_manifest(corpus)}


def pdf_text(path: Path, password: str = "") -> str:
    with pdfplumber.open(path, password=password) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


def chinese_share(text: str) -> float:
    return len(CJK.findall(text)) / max(len(text), 1)


# --- the manifest ------------------------------------------------------------------------------


def test_manifest_lists_exactly_the_generated_files(corpus, manifest):
    on_disk = set()
    for folder, subfolders, files in os.walk(corpus):  # followlinks=False: the loop is not entered
        for name in files + [d for d in subfolders if (Path(folder) / d).is_symlink()]:
            # a name that is not UTF-8 is listed with its bytes escaped (the manifest is UTF-8 JSON)
            on_disk.add(os.fsencode((Path(folder) / name).relative_to(corpus).as_posix())
                        .decode("utf-8", "backslashreplace"))
    assert on_disk - {gen.MANIFEST_NAME} == set(manifest)


def test_manifest_entries_are_well_formed(manifest):
    for path, entry in manifest.items():
        assert entry["what"], path
        if entry["expect"] == "error":
            assert entry["kind"] in read_error_kinds(), path
        else:
            assert entry["expect"] in {"ingested", "skipped"} and "kind" not in entry, path


def test_every_read_error_kind_has_an_entry(manifest):
    covered = {entry["kind"] for entry in manifest.values() if entry["expect"] == "error"}
    assert covered == read_error_kinds()


def test_regenerating_over_the_corpus_gives_identical_bytes(corpus):
    before = digests(corpus)
    assert gen.main([str(corpus)]) == 0  # the command line's entry point, in-process to stay fast
    assert digests(corpus) == before


# --- PDF ---------------------------------------------------------------------------------------


def test_empty_files_are_zero_bytes(corpus, manifest):
    empties = [path for path, entry in manifest.items() if entry.get("kind") == "empty"]
    assert sorted(Path(p).suffix for p in empties) == [".pdf", ".txt"]
    assert all((corpus / p).stat().st_size == 0 for p in empties)


def test_random_bytes_pdf_has_no_pdf_header(corpus):
    data = (corpus / "random-bytes.pdf").read_bytes()
    assert len(data) > 1000 and not data.startswith(b"%PDF")


def test_control_pdf_carries_seed_paragraphs_over_several_pages(corpus, control_text):
    with pdfplumber.open(corpus / "control.pdf") as pdf:
        assert len(pdf.pages) >= 3
    assert chinese_share(control_text) > 0.7
    first_paragraph = gen.policy_paragraphs()[0]
    assert first_paragraph[:20] in control_text.replace("\n", "")


def test_truncated_pdfs_are_prefixes_of_the_control(corpus):
    control = (corpus / "control.pdf").read_bytes()
    half = (corpus / "truncated-half.pdf").read_bytes()
    no_xref = (corpus / "truncated-no-xref.pdf").read_bytes()
    no_startxref = (corpus / "truncated-no-startxref.pdf").read_bytes()
    assert half == control[: len(control) // 2]
    for cut in (half, no_xref, no_startxref):
        assert control.startswith(cut) and cut.startswith(b"%PDF-") and b"%%EOF" not in cut
    assert b"trailer" not in no_xref and b"/Root" not in half
    assert b"trailer" in no_startxref and b"startxref" not in no_startxref


def test_truncated_pdfs_behave_as_measured_under_pdfplumber(corpus, control_text):
    for name in ("truncated-half.pdf", "truncated-no-xref.pdf"):
        with pytest.raises(PdfminerException):
            pdf_text(corpus / name)
    assert pdf_text(corpus / "truncated-no-startxref.pdf") == control_text


def test_user_password_pdf_is_encrypted_and_refuses_an_empty_password(corpus, control_text):
    path = corpus / "encrypted-user-password.pdf"
    assert b"/Encrypt" in path.read_bytes()
    with pytest.raises(PdfminerException):
        pdf_text(path)
    assert pdf_text(path, password="user-secret") == control_text


def test_owner_only_pdf_is_encrypted_yet_readable_without_a_password(corpus, control_text):
    path = corpus / "encrypted-owner-password-only.pdf"
    assert b"/Encrypt" in path.read_bytes()
    # Equal to the control: the CID font strings are encrypted too, so no "(cid:N)" garbage.
    assert pdf_text(path) == control_text


def test_no_text_layer_pdf_has_pages_and_shapes_but_no_characters(corpus):
    with pdfplumber.open(corpus / "no-text-layer.pdf") as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert page.chars == [] and len(page.rects) > 10


# --- DOCX and legacy office ----------------------------------------------------------------------


def test_not_a_zip_docx_is_not_a_zip(corpus):
    path = corpus / "not-a-zip.docx"
    assert not zipfile.is_zipfile(path)
    assert chinese_share(path.read_text(encoding="utf-8")) > 0.5


def test_control_docx_from_the_same_zip_writer_opens_in_python_docx(corpus):
    paragraphs = [p.text for p in docx.Document(corpus / "control.docx").paragraphs]
    assert paragraphs == gen.policy_paragraphs()[12:20]


def test_zip_bomb_is_small_on_disk_and_huge_inflated(corpus):
    path = corpus / "zip-bomb.docx"
    assert path.stat().st_size < 4 * MiB
    with zipfile.ZipFile(path) as archive:
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(archive.namelist())
        assert sum(info.file_size for info in archive.infolist()) > 1024 * MiB
        with archive.open("word/document.xml") as part:
            head = part.read(4096)
    assert head.startswith(b"<?xml") and b"<w:body>" in head


def test_whitespace_member_inflates_to_exactly_its_declared_bytes():
    """The bomb's repeated-block deflate stream, checked end to end at a small size."""
    head, tail = b"<w:body>", b"</w:body>"
    member = gen.whitespace_member("word/document.xml", head, 3 * MiB + 17, tail)
    inflated = zlib.decompress(member.deflated, -15)
    assert inflated == head + b" " * (3 * MiB + 17) + tail
    assert member.size == len(inflated) and member.crc32 == zlib.crc32(inflated)
    archive = zipfile.ZipFile(io.BytesIO(gen.zip_bytes([member])))
    assert archive.read("word/document.xml") == inflated  # zipfile checks the CRC on read


def test_legacy_office_files_have_the_ole2_magic(corpus, manifest):
    for name in ("legacy-word.doc", "kingsoft.wps"):
        assert (corpus / name).read_bytes().startswith(bytes.fromhex("D0CF11E0A1B11AE1"))
        assert manifest[name]["kind"] == "unsupported_format"


# --- text encodings ----------------------------------------------------------------------------


def test_gb18030_file_decodes_as_gb18030_and_not_as_utf8(corpus):
    data = (corpus / "gb18030.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert chinese_share(data.decode("gb18030")) > 0.6


def test_bom_files_carry_their_bom_and_decode(corpus):
    utf16 = (corpus / "utf16le-bom.txt").read_bytes()
    utf8 = (corpus / "utf8-bom.txt").read_bytes()
    assert utf16.startswith(b"\xff\xfe") and chinese_share(utf16[2:].decode("utf-16-le")) > 0.6
    assert utf8.startswith(b"\xef\xbb\xbf") and chinese_share(utf8.decode("utf-8-sig")) > 0.6


def test_utf8_with_invalid_bytes_loses_only_those_bytes(corpus):
    data = (corpus / "utf8-invalid-bytes.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("utf-8", errors="replace")
    assert text.count("\ufffd") == 3 and chinese_share(text) > 0.6


def test_english_only_file_has_no_chinese(corpus):
    text = (corpus / "english-only.txt").read_bytes().decode("ascii")
    assert len(text) > 1000 and not CJK.search(text)


def test_binary_junk_decodes_in_no_text_encoding(corpus):
    data = (corpus / "binary-junk.txt").read_bytes()
    assert b"\x00" in data
    for encoding in ("utf-8", "gb18030", "utf-16"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)


# --- sizes, names, links, vanishing ------------------------------------------------------------


def test_over_limit_file_exceeds_64_mb_either_way_and_starts_with_chinese(corpus):
    path = corpus / "over-limit-sparse.txt"
    assert path.stat().st_size > max(64 * 10**6, 64 * MiB)
    with path.open("rb") as handle:
        head = handle.read(4096)
    text, hole = head.rstrip(b"\x00").decode("utf-8"), head[-100:]
    assert chinese_share(text) > 0.6 and hole == bytes(100)


def test_big_file_is_written_only_on_request_and_stays_under_the_limit(tmp_path):
    paragraphs = gen.policy_paragraphs()
    entries = gen.make_size_limits(tmp_path, paragraphs, big=True)
    big = tmp_path / "big-50mib.txt"
    assert [e.path for e in entries if e.expect == "ingested"] == ["big-50mib.txt"]
    assert 49 * MiB < big.stat().st_size < min(64 * 10**6, 64 * MiB)
    text = big.read_bytes().decode("utf-8")  # strict: the cut never splits a character
    assert chinese_share(text[:5000]) > 0.6 and chinese_share(text[-5000:]) > 0.6
    entries = gen.make_size_limits(tmp_path, paragraphs, big=False)
    assert not big.exists() and all(e.path != "big-50mib.txt" for e in entries)


def test_chinese_name_with_spaces_exists_and_holds_chinese(corpus, manifest):
    name = "关于 印发 方案 的通知.txt"
    assert manifest[name]["expect"] == "ingested"
    assert chinese_share((corpus / name).read_text(encoding="utf-8")) > 0.6


def test_symlink_loop_points_at_its_own_folder_and_walking_ends(corpus, manifest):
    link = corpus / "loop" / "self"
    assert link.is_symlink() and link.resolve() == (corpus / "loop").resolve()
    assert manifest["loop/self"]["expect"] == "skipped"
    found = [Path(folder, name) for folder, _, files in os.walk(corpus) for name in files]
    assert sum(1 for path in found if path.name == "通知.txt") == 1


def test_vanishing_path_is_a_listed_dynamic_entry(corpus, manifest):
    path = gen.vanishing_path(corpus)
    entry = manifest[path.relative_to(corpus).as_posix()]
    assert entry == {**entry, "expect": "error", "kind": "vanished", "dynamic": True}
    assert chinese_share(path.read_text(encoding="utf-8")) > 0.6
