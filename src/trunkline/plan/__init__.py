"""`trunkline plan`: how many instances of which type a set of tasks needs, with and without ENI
trunking, by the same catalog and resource accounting placement uses.

- `workload.py` reads task definitions (RegisterTaskDefinition-shaped JSON files, or a family from
  an endpoint) into per-task demands;
- `arithmetic.py` sizes the workload on each candidate type (tasks per instance, binding resource,
  instances needed, spare capacity, cost);
- `simulate.py` runs the workload through the real placement engine in an in-memory trunkline;
- `chart.py` draws tasks per instance and instances needed, with and without trunking;
- `render.py` prints the ranking (Rich table, plain text, JSON or CSV).
"""


class PlanError(Exception):
    """A failure that ends the run; its text is the one line the user sees."""
