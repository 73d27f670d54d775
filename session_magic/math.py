"""`sm.math`: math ops, as `tf.math` (the same builders as the top level)."""
from .ops.array_ops import invert_permutation, unsorted_segment_sum  # noqa: F401
from .ops.math_ops import *  # noqa: F401,F403
from .ops.nn_ops import log_sigmoid  # noqa: F401
from .ops.special_ops import *  # noqa: F401,F403
from .ops.segment_ops import *  # noqa: F401,F403
from .ops.sort_ops import in_top_k, top_k  # noqa: F401
