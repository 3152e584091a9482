"""Executes every cell of the quickstart notebook (CI runs this), failing
on the first error: `python docs/notebooks/run.py`."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

here = Path(__file__).resolve().parent
notebook = nbformat.read(here / "quickstart.ipynb", as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(here)}}).execute()
print(f"{here / 'quickstart.ipynb'}: every cell ran")
