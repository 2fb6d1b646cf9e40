import sys

from govmon.sandbox.cli import main

sys.exit(main(sys.argv[1:]))
