import pytest

from harness import Pki, Sim, Scheduler


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def rogue_pki(tmp_path_factory):
    """A second CA the scheduler does not trust."""
    return Pki(tmp_path_factory.mktemp("rogue-pki"), name="rogue-ca")


class Cluster:
    """Starts processes for one test and stops every one of them at the end, checking each exit."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.processes = []

    def sim(self, **kw):
        s = Sim(self.workdir, **kw)
        self.processes.append(s)
        return s

    def scheduler(self, env_vars, **kw):
        s = Scheduler(self.workdir, env_vars, **kw)
        self.processes.append(s)
        return s

    def stop_all(self):
        errors = []
        for p in reversed(self.processes):
            if p.proc.returncode is not None and p._log.closed:
                continue
            try:
                if p.running():
                    p.stop()
                else:
                    p._log.close()
                    p.released()
                    p.check_sanitizers()
            except AssertionError as e:
                errors.append(str(e))
        if errors:
            raise AssertionError("\n\n".join(errors))


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    yield c
    c.stop_all()
