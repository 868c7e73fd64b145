"""Write `wire/shapes/<service>.py`: a TypedDict for the input shape of every operation trunkline
implements, and for each structure those inputs contain, generated from botocore's service models.

The wire layer parses a request into plain dicts keyed by member name (`wire/parsing.py`); these
TypedDicts describe exactly those dicts, so the domain can take `request: RunTaskRequest` and mypy
checks every key it reads. Nothing here runs per request: TypedDicts are dicts at runtime.

Run `python -m trunkline.wire.generate_shapes` after adding an operation or upgrading botocore and
commit the result; `tests/test_wire_shapes.py` fails while the committed files differ from what
this writes, so a botocore upgrade that changes a shape shows up as a diff.
"""

from __future__ import annotations

import keyword
import sys
from pathlib import Path

from botocore import xform_name
from botocore.model import ListShape, MapShape, Shape, StructureShape

from trunkline.wire.models import SERVICE_NAMES, service_model

SHAPES_DIR = Path(__file__).parent / "shapes"

_SCALARS = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "float": "float",
    "double": "float",
    "boolean": "bool",
    "timestamp": "datetime",
    "blob": "bytes",
}


def implemented_operations(service: str) -> list[str]:
    """The operations of `service` that have a provider method (how the runtime dispatches)."""
    from trunkline.services import build_providers  # the generator only: the wire never needs services

    provider = build_providers()[service]
    return [name for name in service_model(service).operation_names if hasattr(provider, xform_name(name))]


def _type_of(shape: Shape, wanted: list[StructureShape]) -> str:
    if isinstance(shape, StructureShape):
        wanted.append(shape)
        return shape.name
    if isinstance(shape, ListShape):
        return f"list[{_type_of(shape.member, wanted)}]"
    if isinstance(shape, MapShape):
        return f"dict[{_type_of(shape.key, wanted)}, {_type_of(shape.value, wanted)}]"
    return _SCALARS[shape.type_name]


def _member_type(shape: StructureShape, name: str, member: Shape, wanted: list[StructureShape]) -> str:
    text = _type_of(member, wanted)
    return f"Required[{text}]" if name in shape.required_members else text


def _class(shape: StructureShape, wanted: list[StructureShape]) -> str:
    members = [(name, _member_type(shape, name, member, wanted)) for name, member in shape.members.items()]
    if any(keyword.iskeyword(name) or not name.isidentifier() for name, _ in members):
        fields = "".join(f"        {name!r}: {text},\n" for name, text in members)
        return f"{shape.name} = TypedDict(\n    {shape.name!r},\n    {{\n{fields}    }},\n    total=False,\n)\n"
    body = "".join(f"    {name}: {text}\n" for name, text in members) or "    pass\n"
    return f"class {shape.name}(TypedDict, total=False):\n{body}"


def render(service: str) -> str:
    """The module text for `service`: input shapes in operation order, nested structures after."""
    model = service_model(service)
    operations = implemented_operations(service)
    queue: list[StructureShape] = []
    for name in operations:
        shape = model.operation_model(name).input_shape
        if shape is not None:
            queue.append(shape)
    seen: set[str] = set()
    classes: list[str] = []
    while queue:
        shape = queue.pop(0)
        if shape.name in seen:
            continue
        seen.add(shape.name)
        nested: list[StructureShape] = []
        classes.append(_class(shape, nested))
        queue.extend(nested)
    uses_datetime = any("datetime" in text for text in classes)
    header = [
        f'"""Request shapes of the {model.metadata.get("serviceId", service)} operations trunkline implements.',
        "",
        "Generated from botocore's service model by `python -m trunkline.wire.generate_shapes`: do not",
        'edit; regenerate."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    if uses_datetime:
        header.append("from datetime import datetime")
    header.append("from typing import Required, TypedDict")
    header.extend(["", ""])
    return "\n".join(header) + "\n" + "\n\n".join(classes)


def modules() -> dict[str, str]:
    """File name -> text, for every service trunkline answers."""
    files = {f"{service}.py": render(service) for service in SERVICE_NAMES}
    files["__init__.py"] = (
        '"""Typed request shapes, one module per service, generated from botocore (see\n'
        '`trunkline.wire.generate_shapes`)."""\n'
    )
    return files


def main() -> None:
    SHAPES_DIR.mkdir(exist_ok=True)
    for name, text in modules().items():
        (SHAPES_DIR / name).write_text(text)
        print(f"wrote {SHAPES_DIR / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
