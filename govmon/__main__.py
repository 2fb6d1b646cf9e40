import sys

from govmon.cli import main

sys.exit(main())
