"""``python -m cmo_workbook`` is the same as the ``cmo-workbook`` command."""
import sys

from .cli import main

sys.exit(main())
