import sys

from veosim.cli import main

sys.exit(main())
