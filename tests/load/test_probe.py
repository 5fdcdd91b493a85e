"""The faults' stopwatch (tests/load/probe.py): how long each fault interrupted the probe, and
under which fault each failed contestant request falls."""

from tests.load import probe
from tests.load.probe import failures_by_fault, interruptions

FAULTS = [(100.0, "redis-stopped"), (200.0, "postgresql-restart")]


def test_an_interruption_runs_from_the_first_failed_probe_to_the_next_answer():
    probes = [(99.5, True), (100.1, True), (201.0, False), (201.4, False), (202.2, True), (203.0, False)]

    assert interruptions(FAULTS, probes) == [("redis-stopped", 0.0), ("postgresql-restart", 202.2 - 201.0)]


def test_a_fault_that_never_recovers_within_its_window_counts_to_the_window_end():
    probes = [(105.0, False), (129.0, False), (150.0, True)]

    assert interruptions(FAULTS[:1], probes) == [("redis-stopped", 130.0 - 105.0)]


def test_failures_fall_under_the_fault_that_began_last_before_them():
    failures = [(50.0, "autosave", "503"), (150.0, "autosave", "503"), (201.0, "autosave", "503"), (201.5, "start", "500")]

    assert failures_by_fault(FAULTS, failures) == [
        ("before the faults", {"autosave 503": 1}),
        ("redis-stopped", {"autosave 503": 1}),
        ("postgresql-restart", {"autosave 503": 1, "start 500": 1}),
    ]


def test_a_run_without_faults_reports_none(tmp_path, capsys):
    """LOADTEST_FAULTS=0: no faults file, probes and failures still counted."""
    probes = tmp_path / "probe.log"
    probes.write_text("1.0 ok\n2.0 fail\n3.0 ok\n")
    probe.report(str(tmp_path / "faults.log"), str(probes))
    out = capsys.readouterr().out
    assert "probes: 3, failed 1" in out and "fault " not in out
