"""Test-session setup: one thread for torch and NumPy's BLAS, as in the notebooks."""
from lstm_utils.notebook import use_one_thread

use_one_thread()
