"""Tests for samlinger.files.storage: the same behaviour suite runs against a local folder and a real S3 server.

The S3 backend is tested against moto's S3 server running in this process on a free port, reached over
HTTP by an ordinary boto3 client, so request signing, streaming bodies and error codes are all real.
"""

import contextlib
import io
import os
import uuid

import pytest

from samlinger.files.storage import LocalStorage, S3Storage, Storage, new_key, storage_from_config, validate_key

try:
    import boto3
    from moto.server import ThreadedMotoServer
except ImportError as error:  # pragma: no cover - depends on the environment
    boto3 = None
    ThreadedMotoServer = None
    MOTO_MISSING = f"moto[server] and boto3 are needed for the S3 storage tests ({error})"
else:
    MOTO_MISSING = ""

BAD_KEYS = ["", "../x", "a/b", "..", "/etc/passwd", "abcdefgh/../../x", "..\\abcdefgh", "short",
            "abcdefgh.", "abcdefgh.PDF", "abcdefgh.toolongext", "abcdefgh.tar.gz", "abcdefgh\n",
            "abc defgh", "abcdefgh\x00.pdf", "x" * 129, ".abcdefgh", "æøåæøåæø"]


def read(storage, key: str) -> bytes:
    with contextlib.closing(storage.open(key)) as stored:
        return stored.read()


def exists(storage, key: str) -> bool:
    try:
        storage.open(key).close()
    except FileNotFoundError:
        return False
    return True


def require_moto():
    """Skip when moto is missing, unless SAMLINGER_REQUIRE_ALL=1 says every test must really run."""
    if not MOTO_MISSING:
        return
    if os.environ.get("SAMLINGER_REQUIRE_ALL") == "1":
        pytest.fail(MOTO_MISSING + "; SAMLINGER_REQUIRE_ALL=1 forbids skipping", pytrace=False)
    pytest.skip(MOTO_MISSING)


@pytest.fixture(scope="module")
def s3_endpoint():
    """Run moto's S3 server on a free local port for this module and return its URL."""
    require_moto()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Dummy credentials, and no real AWS configuration files or metadata lookups."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def bucket(s3_endpoint, aws_env):
    """A fresh, empty bucket on the moto server for one test."""
    name = f"samlinger-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


# The project's "slow" marker means "starts servers": every test touching moto's server carries it.
slow = pytest.mark.slow


@pytest.fixture(params=["local", pytest.param("s3", marks=slow)])
def storage(request, tmp_path):
    """Each backend in turn; the behaviour tests below must hold for both."""
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    bucket = request.getfixturevalue("bucket")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Storage(bucket, endpoint_url=endpoint, region="us-east-1", prefix="uploads/")


# --- keys ---------------------------------------------------------------------------------------------

def test_new_key_is_random_valid_and_keeps_the_extension():
    keys = {new_key("pdf") for _ in range(100)}
    assert len(keys) == 100
    for key in keys:
        assert validate_key(key) == key
        assert key.endswith(".pdf")
        assert len(key) >= 8 + 4
    assert new_key(".PPTX").endswith(".pptx")
    assert "." not in new_key("")


@pytest.mark.parametrize("extension", ["tar.gz", "p/df", "../x", "toolongext", "p df", "æ"])
def test_new_key_refuses_odd_extensions(extension):
    with pytest.raises(ValueError):
        new_key(extension)


@pytest.mark.parametrize("key", [*BAD_KEYS, None, 12345678, b"abcdefgh"])
def test_validate_key_refuses_anything_but_generated_names(key):
    with pytest.raises(ValueError):
        validate_key(key)


@pytest.mark.parametrize("key", ["abcdefgh", "AbC-_123", "x" * 128, "abcdefgh.pdf", "-_-_-_-_.pptx"])
def test_validate_key_accepts_generated_shapes(key):
    assert validate_key(key) == key


# --- behaviour shared by every backend ----------------------------------------------------------------

def test_backend_satisfies_the_protocol(storage):
    assert isinstance(storage, Storage)


def test_save_read_exists_delete(storage):
    key = new_key("pdf")
    assert not exists(storage, key)
    storage.save(key, b"%PDF-1.4 first", "application/pdf")
    assert exists(storage, key)
    assert read(storage, key) == b"%PDF-1.4 first"
    storage.delete(key)
    assert not exists(storage, key)


def test_save_replaces_existing_content(storage):
    key = new_key("pdf")
    storage.save(key, b"old", "application/pdf")
    storage.save(key, b"new and longer", "application/pdf")
    assert read(storage, key) == b"new and longer"


def test_save_accepts_a_binary_stream_and_open_returns_one(storage):
    key = new_key("pptx")
    payload = os.urandom(300_000) + "æøå".encode()
    storage.save(key, io.BytesIO(payload), "application/octet-stream")
    with storage.open(key) as stream:
        assert stream.read() == payload


def test_empty_file_round_trips(storage):
    key = new_key()
    storage.save(key, b"", "application/octet-stream")
    assert exists(storage, key)
    assert read(storage, key) == b""


def test_missing_key_raises_file_not_found(storage):
    key = new_key("pdf")
    with pytest.raises(FileNotFoundError):
        read(storage, key)
    with pytest.raises(FileNotFoundError):
        storage.open(key)


def test_delete_of_missing_key_is_quiet(storage):
    storage.delete(new_key("pdf"))


def test_keys_are_independent(storage):
    first, second = new_key("pdf"), new_key("pdf")
    storage.save(first, b"one", "application/pdf")
    storage.save(second, b"two", "application/pdf")
    storage.delete(first)
    assert read(storage, second) == b"two"
    assert not exists(storage, first)


@pytest.mark.parametrize("key", BAD_KEYS)
def test_every_operation_refuses_bad_keys(storage, key):
    with pytest.raises(ValueError):
        storage.save(key, b"x", "text/plain")
    with pytest.raises(ValueError):
        read(storage, key)
    with pytest.raises(ValueError):
        storage.open(key)
    with pytest.raises(ValueError):
        storage.delete(key)
    with pytest.raises(ValueError):
        exists(storage, key)


# --- backend specifics --------------------------------------------------------------------------------

def test_local_storage_writes_only_the_named_file(tmp_path):
    root = tmp_path / "uploads"
    storage = LocalStorage(root)
    key = new_key("pdf")
    storage.save(key, b"data", "application/pdf")
    # No temporary file is left behind, and nothing escapes the folder.
    assert [p.name for p in root.iterdir()] == [key]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]


def test_local_storage_leaves_no_temporary_file_when_the_stream_fails(tmp_path):
    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            raise OSError("connection reset")

    storage = LocalStorage(tmp_path)
    key = new_key("pdf")
    storage.save(key, b"previous", "application/pdf")
    with pytest.raises(OSError, match="connection reset"):
        storage.save(key, Broken(), "application/pdf")
    assert [p.name for p in tmp_path.iterdir()] == [key]
    assert read(storage, key) == b"previous"


@slow
def test_s3_storage_keeps_prefix_and_content_type(s3_endpoint, bucket):
    storage = S3Storage(bucket, endpoint_url=s3_endpoint, region="us-east-1", prefix="samlinger/uploads/")
    key = new_key("pdf")
    storage.save(key, b"%PDF-1.4", "application/pdf")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    head = client.head_object(Bucket=bucket, Key=f"samlinger/uploads/{key}")
    assert head["ContentType"] == "application/pdf"
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in listed] == [f"samlinger/uploads/{key}"]


@slow
def test_s3_storage_reports_other_errors_instead_of_hiding_them(s3_endpoint, aws_env):
    storage = S3Storage(f"missing-{uuid.uuid4().hex[:8]}", endpoint_url=s3_endpoint, region="us-east-1")
    with pytest.raises(Exception) as raised:
        read(storage, new_key("pdf"))
    assert not isinstance(raised.value, (FileNotFoundError, ValueError))


# --- configuration ------------------------------------------------------------------------------------

def test_config_defaults_to_local_storage(tmp_path):
    storage = storage_from_config({"UPLOAD_FOLDER": str(tmp_path / "up")})
    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path / "up"
    assert (tmp_path / "up").is_dir()
    assert isinstance(storage_from_config({"UPLOAD_STORAGE": " Local ", "UPLOAD_FOLDER": str(tmp_path)}),
                      LocalStorage)


@slow
def test_config_builds_working_s3_storage(s3_endpoint, bucket, monkeypatch):
    # Credentials come from the config here, not the environment.
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    storage = storage_from_config({
        "UPLOAD_STORAGE": "s3",
        "UPLOAD_FOLDER": "/unused",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "config-key",
        "S3_SECRET_ACCESS_KEY": "config-secret",
        "S3_PREFIX": "p/",
    })
    assert isinstance(storage, S3Storage)
    assert storage.prefix == "p/"
    key = new_key("odp")
    storage.save(key, b"odp", "application/vnd.oasis.opendocument.presentation")
    assert read(storage, key) == b"odp"


@pytest.mark.parametrize("config", [
    {"UPLOAD_STORAGE": "ftp", "UPLOAD_FOLDER": "/tmp"},
    {"UPLOAD_STORAGE": "s3"},
    {"UPLOAD_STORAGE": "s3", "S3_BUCKET": "  "},
    {"UPLOAD_STORAGE": "local"},
    {"UPLOAD_STORAGE": "local", "UPLOAD_FOLDER": ""},
])
def test_config_errors_are_value_errors(config):
    with pytest.raises(ValueError):
        storage_from_config(config)
