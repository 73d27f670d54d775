"""`tf.layers`: TF 1's layers, classes and functional forms, with TF 1's variable names and scopes
(`dense/kernel`, `dense_1/bias`, `conv2d/kernel`, `batch_normalization/moving_mean`)."""
from .base import InputSpec, Layer
from .convolutional import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403

__all__ = ["Layer", "InputSpec"]
