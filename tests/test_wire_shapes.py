"""The committed request shapes (`trunkline/wire/shapes/`) are what botocore's models generate: a
botocore upgrade that changes a shape, or a new operation, fails here until
`python -m trunkline.wire.generate_shapes` is re-run and the diff committed."""

from __future__ import annotations

import pytest

from trunkline.wire import generate_shapes

# Uses no server and no store: the same code runs in every pass, so only the SQLite passes run it.
pytestmark = pytest.mark.one_store


def test_committed_shapes_match_the_generator() -> None:
    stale = [
        name
        for name, text in generate_shapes.modules().items()
        if not (generate_shapes.SHAPES_DIR / name).is_file() or (generate_shapes.SHAPES_DIR / name).read_text() != text
    ]
    assert stale == [], f"regenerate with `python -m trunkline.wire.generate_shapes`: {stale}"


def test_a_request_shape_marks_required_members() -> None:
    text = generate_shapes.render("ecs")
    assert "class RunTaskRequest(TypedDict, total=False):\n" in text
    assert "    taskDefinition: Required[str]\n" in text
    assert "    cluster: str\n" in text


def test_every_implemented_operation_has_its_input_shape() -> None:
    from trunkline.wire.models import service_model
    from trunkline.wire.shapes import ecs

    for name in generate_shapes.implemented_operations("ecs"):
        shape = service_model("ecs").operation_model(name).input_shape
        assert shape is not None and hasattr(ecs, shape.name), name
