"""Helper package of the 'LSTM, gate by gate' curriculum: the notebooks teach, this package keeps.

Modules: activations, lstm, gru, rnn, torch_bridge, gradcheck, tasks, models, training,
diagrams, plotting, exercises, notebook (the setup call).
"""
from .notebook import setup_notebook

__all__ = ["setup_notebook"]
__version__ = "0.1.0"
