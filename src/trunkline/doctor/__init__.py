"""`trunkline doctor`: why a container instance has (or has no) trunk ENI, from public, read-only
AWS APIs only, so the same command diagnoses a real account and a trunkline server.

- `collect.py` makes the calls (batched, counted) and gathers the answers into `Facts`;
- `instance_types.py` reads the packaged instance-type data file (data, not trunkline's domain);
- `checks.py` turns the facts into findings, one container instance at a time;
- `findings.py` names the findings (stable codes, severities, fixing commands);
- `render.py` prints them (a Rich table on a terminal, plain text when piped, or JSON).

Nothing here imports `trunkline.domain`: a verdict reached from trunkline's internals would prove
nothing about AWS (tests/test_doctor_imports.py enforces it).
"""
