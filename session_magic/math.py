"""`sm.math`: math ops, as `tf.math` (the same builders as the top level)."""
from .ops.math_ops import *  # noqa: F401,F403
