"""An example user package whose cache client veosim checks (see examples/ci/README.md)."""
