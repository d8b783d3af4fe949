"""One module per `veosim` command: `add_arguments(parser)` and `execute(args) -> int`."""
