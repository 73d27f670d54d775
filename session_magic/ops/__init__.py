"""The op registry and every op block. Importing this package registers all ops."""
from . import registry  # noqa: F401  (first: every op module registers into it)
from . import (array_ops, bitwise_ops, constant_ops, control_flow_ops, math_ops,  # noqa: F401
               nn_ops, random_ops, script_ops, special_ops, state_ops, training_ops)
from . import functional, gradient_ops  # noqa: F401
from . import overloads  # noqa: F401  (last: attaches Python operators to Tensor)
from .registry import OPS, OpDef  # noqa: F401
