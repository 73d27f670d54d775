"""`sm.bitwise`: bitwise ops on integer tensors, as `tf.bitwise`."""
from .ops.bitwise_ops import *  # noqa: F401,F403
