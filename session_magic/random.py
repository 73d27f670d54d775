"""`sm.random`: random ops under TF's `tf.random` names (as TF 1.13+ and compat.v1 code uses)."""
from .ops.random_ops import (categorical, multinomial, random_normal, random_shuffle,  # noqa: F401
                             random_uniform, set_random_seed, truncated_normal)

normal = random_normal
uniform = random_uniform
shuffle = random_shuffle
set_seed = set_random_seed
