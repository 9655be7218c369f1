"""Test-session setup for `python -m pytest` (unit tests and notebooks alike).

- One thread for torch and NumPy's BLAS, as in the notebooks.
- Figures that notebooks save while nbval re-runs them go to a temporary folder: the committed
  figures/ are made by executing the notebooks (see README), and a test run on another machine must
  not rewrite them. The notebook kernels inherit this environment variable.
"""
import os
import shutil
import tempfile

from lstm_utils.notebook import use_one_thread
from lstm_utils.plotting import FIGURES_DIR_VARIABLE

use_one_thread()
_scratch_figures = None
if not os.environ.get(FIGURES_DIR_VARIABLE):
    _scratch_figures = tempfile.mkdtemp(prefix="lstm_figures_")
    os.environ[FIGURES_DIR_VARIABLE] = _scratch_figures


def pytest_unconfigure(config):
    if _scratch_figures is not None:
        shutil.rmtree(_scratch_figures, ignore_errors=True)
