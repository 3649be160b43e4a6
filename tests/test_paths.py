"""course_utils.paths: the artifacts folder, writability checked up front, atomic writes."""

import pytest

from course_utils import paths


def test_atomic_path_renames_into_place_and_keeps_the_suffixes(tmp_path):
    target = tmp_path / "model.weights.h5"
    with paths.atomic_path(target) as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.endswith(".weights.h5") and ".partial-" in temporary.name
        assert not target.exists()  # nothing visible under the real name while writing
        temporary.write_bytes(b"weights")
    assert target.read_bytes() == b"weights"
    assert list(tmp_path.iterdir()) == [target]


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path):
    target = tmp_path / "record.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="killed"):
        with paths.atomic_path(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError("killed half-way")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_writing_nothing_is_an_error_not_an_empty_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing was written"):
        with paths.atomic_path(tmp_path / "a.keras"):
            pass
    assert not list(tmp_path.iterdir())


def test_write_text_atomic(tmp_path):
    assert paths.write_text_atomic(tmp_path / "x" / "a.json", "{}").read_text() == "{}"
    with pytest.raises(TypeError, match="text"):
        paths.write_text_atomic(tmp_path / "b.json", {"not": "text"})
    with pytest.raises(TypeError, match="path"):
        with paths.atomic_path(3):
            pass


def test_check_writable_names_the_folder_and_the_way_out(tmp_path):
    assert paths.check_writable(tmp_path / "new") == tmp_path / "new"
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    # A folder that cannot exist (its parent is a file) fails the same way a read-only one
    # does, also when the tests run as root, for whom permissions do not apply.
    with pytest.raises(PermissionError, match="COURSE_ARTIFACTS") as raised:
        paths.check_writable(blocker / "models")
    assert "a_file" in str(raised.value)
    with pytest.raises(TypeError, match="folder"):
        paths.check_writable(None)


def test_artifacts_dir_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_ARTIFACTS", str(tmp_path / "models"))
    assert paths.artifacts_dir() == tmp_path / "models"
    assert (tmp_path / "models").is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("COURSE_ARTIFACTS", str(blocker / "models"))
    with pytest.raises(PermissionError, match="COURSE_ARTIFACTS"):
        paths.artifacts_dir()
    monkeypatch.delenv("COURSE_ARTIFACTS")
    assert paths.artifacts_dir().name == "artifacts"  # a source checkout
