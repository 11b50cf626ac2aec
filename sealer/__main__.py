"""`python -m sealer`."""

import sys

from sealer.cli import main

sys.exit(main())
