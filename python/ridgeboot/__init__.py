"""ridgeboot: fast ridge regression and multithreaded bootstrap resampling."""
from ridgeboot import _core

__version__ = "0.1.0"
