"""`sm.nn`: neural-network ops, as `tf.nn` (filled from ops/nn_ops.py)."""
from .ops.nn_ops import *  # noqa: F401,F403
from .ops.sort_ops import in_top_k, top_k  # noqa: F401
from .ops.conv_ops import *  # noqa: F401,F403
from .ops.image_ops import depth_to_space, space_to_depth  # noqa: F401
from . import rnn_cell  # noqa: F401,E402
from .rnn import *  # noqa: F401,F403,E402
