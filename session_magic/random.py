"""`sm.random`: random ops under TF's `tf.random` names (as TF 1.13+ and compat.v1 code uses)."""
from .ops.random_ops import (categorical, multinomial, random_normal, random_shuffle,  # noqa: F401
                             random_uniform, set_random_seed, truncated_normal)
from .ops.nn_ops import (fixed_unigram_candidate_sampler,  # noqa: F401
                         log_uniform_candidate_sampler, uniform_candidate_sampler)

normal = random_normal
uniform = random_uniform
shuffle = random_shuffle
set_seed = set_random_seed
