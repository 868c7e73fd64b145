"""Typed request shapes, one module per service, generated from botocore (see
`trunkline.wire.generate_shapes`)."""
