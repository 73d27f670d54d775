"""`sm.nn`: neural-network ops, as `tf.nn` (filled from ops/nn_ops.py)."""
from .ops.nn_ops import *  # noqa: F401,F403
