"""The container deployment files say what the deployment relies on.

No Docker engine is needed: docker-compose.yml is read as YAML, the Dockerfile and the
postgres init script as text.
"""

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
POSTGRES_INIT = ROOT / "deploy" / "postgres" / "init-app-role.sh"

APP_SERVICES = ("web", "worker", "beat", "migrate")
LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _command(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def _image_major(image: str) -> int:
    return int(image.rpartition(":")[2].split(".")[0].split("-")[0])


def _conditions(service: dict) -> dict[str, str]:
    depends_on = service.get("depends_on", {})
    if isinstance(depends_on, list):  # the short form waits for nothing but the start
        return dict.fromkeys(depends_on, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in depends_on.items()}


def _instructions(dockerfile: list[str], keyword: str) -> list[str]:
    return [line.split(None, 1)[1] for line in dockerfile if line.split()[0].upper() == keyword]


# --- docker-compose.yml --------------------------------------------------------------------


def test_compose_file_uses_the_compose_specification_without_a_version_key(compose):
    assert "version" not in compose


def test_compose_runs_every_part_of_the_application(services):
    assert set(services) >= {"postgres", "redis", "migrate", "web", "worker", "beat"}


def test_database_is_postgres_16_and_broker_is_redis_7(services):
    assert services["postgres"]["image"].startswith("postgres:")
    assert _image_major(services["postgres"]["image"]) == 16
    assert services["redis"]["image"].startswith("redis:")
    assert _image_major(services["redis"]["image"]) == 7


def test_database_and_broker_keep_their_data_in_named_volumes(compose, services):
    for name in ("postgres", "redis"):
        sources = [str(volume).split(":")[0] for volume in services[name].get("volumes", [])]
        assert any(source in compose.get("volumes", {}) for source in sources), name


def test_web_worker_beat_and_migrate_run_one_shared_image(services):
    images = {services[name]["image"] for name in APP_SERVICES}
    builds = {str(services[name]["build"]) for name in APP_SERVICES}
    assert images == {"smarketing:latest"}
    assert builds == {"."}


def test_worker_can_be_scaled_without_port_or_name_clashes(services):
    worker = services["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker.get("network_mode") != "host"


def test_only_web_publishes_a_port_and_it_is_8000(services):
    assert services["web"]["ports"] == ["8000:8000"]
    for name, service in services.items():
        if name != "web":
            assert "ports" not in service, f"{name} should not be reachable from the host"


def test_every_long_running_service_has_a_healthcheck(services):
    for name in LONG_RUNNING:
        healthcheck = services[name].get("healthcheck", {})
        assert healthcheck.get("test"), name
        assert not healthcheck.get("disable"), name


def test_postgres_counts_as_healthy_only_when_it_accepts_tcp_connections(services):
    test = " ".join(services["postgres"]["healthcheck"]["test"])
    assert "pg_isready" in test
    # During first-time initialisation the server listens on its socket only.
    assert "127.0.0.1" in test


def test_redis_healthcheck_pings_the_server(services):
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]


def test_web_healthcheck_asks_healthz_with_python_since_the_image_has_no_curl(services):
    test = services["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:8000/healthz" in test[3]
    compile(test[3], "web-healthcheck", "exec")


def test_worker_healthcheck_pings_its_own_node_not_the_hosts(services):
    test = services["worker"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    assert "celery -A smarketing inspect ping" in test[1]
    # `$$` reaches the container as `$`: the shell there expands the container's HOSTNAME.
    assert "-d celery@$$HOSTNAME" in test[1]


def test_beat_healthcheck_checks_the_heartbeat_it_schedules(services):
    test = services["beat"]["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python", "manage.py", "shell"]
    assert test[-2] == "-c"
    compile(test[-1], "beat-healthcheck", "exec")
    assert "smarketing:last-heartbeat" in test[-1]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_processes_wait_for_migrations_and_healthy_services(services, name):
    conditions = _conditions(services[name])
    assert conditions.get("postgres") == "service_healthy"
    assert conditions.get("redis") == "service_healthy"
    assert conditions.get("migrate") == "service_completed_successfully"


def test_migrations_run_once_after_the_database_is_healthy(services):
    migrate = services["migrate"]
    assert _command(migrate) == ["python", "manage.py", "migrate", "--noinput"]
    assert _conditions(migrate).get("postgres") == "service_healthy"
    assert migrate["restart"] == "no"


def test_web_runs_gunicorn_on_port_8000(services):
    command = _command(services["web"])
    assert command[:2] == ["gunicorn", "smarketing.wsgi:application"]
    assert "0.0.0.0:8000" in command


def test_worker_runs_a_celery_worker(services):
    command = _command(services["worker"])
    assert command[:4] == ["celery", "-A", "smarketing", "worker"]


def test_beat_runs_celery_beat_and_is_never_replicated(services):
    beat = services["beat"]
    assert _command(beat)[:4] == ["celery", "-A", "smarketing", "beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in beat
    assert re.search(r"beat must not be scaled", COMPOSE_FILE.read_text(), re.IGNORECASE)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_points_at_postgres_redis_and_turns_debug_off(services, name):
    env = services[name]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://smarketing:")
    assert env["DATABASE_URL"].endswith("@postgres:5432/smarketing")
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert str(env["DEBUG"]) == "0"


def test_secret_key_must_be_supplied_by_the_operator(services):
    secret = services["web"]["environment"]["SECRET_KEY"]
    # `${SECRET_KEY:?...}`: Compose refuses to start without it; no default is baked in.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]*\}", secret)


def test_app_does_not_connect_as_the_postgres_superuser(services):
    superuser = services["postgres"]["environment"]["POSTGRES_USER"]
    database_url = services["web"]["environment"]["DATABASE_URL"]
    assert superuser != "smarketing"
    assert not database_url.startswith(f"postgres://{superuser}:")


def test_postgres_runs_the_app_role_init_script(services):
    mounts = [str(volume) for volume in services["postgres"]["volumes"]]
    assert any(
        mount.startswith("./deploy/postgres/init-app-role.sh:/docker-entrypoint-initdb.d/")
        for mount in mounts
    )
    assert "APP_DB_PASSWORD" in services["postgres"]["environment"]


# --- deploy/postgres/init-app-role.sh ------------------------------------------------------


def test_postgres_init_script_creates_an_app_role_that_row_level_security_binds():
    script = POSTGRES_INIT.read_text()
    create_role = re.search(r"CREATE ROLE smarketing\b[^;]*;", script)
    assert create_role, "the init script must create the smarketing role"
    assert "NOSUPERUSER" in create_role.group(0)
    assert "NOBYPASSRLS" in create_role.group(0)
    assert re.search(r"CREATE DATABASE smarketing OWNER smarketing\b", script)


def test_postgres_init_script_takes_the_password_from_the_environment_not_the_file():
    script = POSTGRES_INIT.read_text()
    assert "APP_DB_PASSWORD" in script
    assert "PASSWORD :'app_password'" in script
    assert "ON_ERROR_STOP=1" in script


# --- Dockerfile and .dockerignore ----------------------------------------------------------


def test_dockerfile_builds_node_assets_and_python_app_in_separate_stages(dockerfile):
    stages = _instructions(dockerfile, "FROM")
    assert any(stage.startswith("node:") for stage in stages)
    assert stages[-1].startswith("python:3.11-slim")
    assert any("npm ci" in run for run in _instructions(dockerfile, "RUN"))
    assert any(copy.startswith("--from=") for copy in _instructions(dockerfile, "COPY"))


def test_dockerfile_installs_the_pinned_dependencies_from_pyproject(dockerfile):
    assert any("pip install" in run and " ." in run for run in _instructions(dockerfile, "RUN"))


def test_dockerfile_collects_static_files_at_build_time(dockerfile):
    runs = _instructions(dockerfile, "RUN")
    assert any("manage.py collectstatic --noinput" in run and "DEBUG=0" in run for run in runs)


def test_dockerfile_bakes_no_secret_key_into_the_image(dockerfile):
    for env in _instructions(dockerfile, "ENV") + _instructions(dockerfile, "ARG"):
        assert "SECRET_KEY" not in env


def test_container_runs_as_a_non_root_user(dockerfile):
    users = _instructions(dockerfile, "USER")
    assert users, "the Dockerfile must switch to an unprivileged user"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_container_serves_gunicorn_on_port_8000_by_default(dockerfile):
    assert "8000" in _instructions(dockerfile, "EXPOSE")[-1].split()
    command = _instructions(dockerfile, "CMD")[-1]
    assert "gunicorn" in command
    assert "smarketing.wsgi:application" in command
    assert "0.0.0.0:8000" in command


def test_build_context_leaves_out_local_environments_and_secrets():
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}
    assert {".git", ".venv", "node_modules", "staticfiles", ".env"} <= ignored


def test_ci_runs_the_whole_suite_with_coverage_whatever_the_callers_pytest_options(tmp_path):
    """`.ci/run` with its services and `make` replaced by stand-ins that record the call."""
    import os
    import shutil
    import subprocess

    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / ".ci" / "services.sh").write_text(
        "services_install() { :; }\nservices_start() { :; }\nservices_stop() { :; }\n"
        "export DATABASE_URL=postgres://ci/db REDIS_URL=redis://ci/0\n"
    )
    bin_dir = tmp_path / "bin"
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    bin_dir.mkdir()
    record = tmp_path / "calls.txt"
    stand_in = (
        '#!/usr/bin/env bash\necho "$(basename "$0") $* '
        f'ADDOPTS=${{PYTEST_ADDOPTS-unset}} ARGS=${{PYTEST_ARGS-unset}}" >> {record}\n'
    )
    for path in (bin_dir / "make", tmp_path / ".venv" / "bin" / "coverage"):
        path.write_text(stand_in)
        path.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PYTEST_ADDOPTS": "-k nothing",
        "PYTEST_ARGS": "tests/one_file.py",
    }

    subprocess.run(["bash", str(tmp_path / ".ci" / "run")], env=env, check=True,
                   capture_output=True)  # fmt: skip

    make, coverage = record.read_text().splitlines()
    assert make.startswith("make test PYTEST_ARGS=--cov --cov-branch")
    assert make.endswith("ADDOPTS=unset ARGS=unset")
    assert "tests/one_file.py" not in make and "-k nothing" not in make
    assert coverage.startswith("coverage report --include=leads/services/bulk_sql.py")
