"""`python -m sealer`."""

import sys

from sealer.main import main

sys.exit(main())
