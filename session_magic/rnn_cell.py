"""`tf.nn.rnn_cell`: TF 1's recurrent cells, their variables named and scoped as TF names them.

A cell makes its variables the first time it is called, under a variable scope named after it
(`basic_lstm_cell`, `basic_lstm_cell_1`, ... inside the caller's scope), and reuses them on
every later call, as TF 1's layer-based cells do: so `rnn/basic_lstm_cell/kernel`.
"""
from __future__ import annotations

import collections
import hashlib
import re
from typing import Any, Callable, Optional

from . import dtypes as d
from . import nest
from .graph import Tensor, name_scope
from .initializers import constant_initializer, zeros_initializer
from .ops import nn_ops
from .ops.array_ops import concat, shape, split, stack, zeros
from .ops.array_ops import slice as slice_op
from .ops.conversion import convert_to_tensor
from .ops.math_ops import add, clip_by_value, matmul, multiply, sigmoid, tanh
from .ops.nn_ops import bias_add, dropout
from .variables import get_variable, variable_scope

__all__ = ["RNNCell", "LayerRNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell",
           "MultiRNNCell", "DropoutWrapper", "ResidualWrapper", "LSTMStateTuple"]


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """An LSTM's state: `c`, the cell state, and `h`, the output."""

    __slots__ = ()

    @property
    def dtype(self) -> Any:
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


def _snake_case(name: str) -> str:
    """TF's layer names: `BasicLSTMCell` -> `basic_lstm_cell`."""
    intermediate = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", intermediate).lower()


class RNNCell:
    """A cell: `output, new_state = cell(inputs, state)`. Subclasses give `state_size`,
    `output_size`, `call(inputs, state)` and, to make variables once, `build(inputs_shape)`."""

    def __init__(self, trainable: bool = True, name: Optional[str] = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        self._trainable = trainable
        self._base_name = name or _snake_case(type(self).__name__)
        self._dtype = None if dtype is None else d.as_dtype(dtype)
        self._reuse = kwargs.get("_reuse")
        self._scope: Any = None
        self._variables: list = []
        self.built = False

    @property
    def state_size(self) -> Any:
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self) -> Any:
        raise NotImplementedError("Abstract method")

    @property
    def dtype(self) -> Any:
        return self._dtype

    @property
    def name(self) -> str:
        return self._scope.name if self._scope is not None else self._base_name

    @property
    def variables(self) -> list:
        return list(self._variables)

    weights = variables
    trainable_variables = trainable_weights = property(
        lambda self: [v for v in self._variables if v.trainable])

    def build(self, inputs_shape: Any) -> None:
        """Make the cell's variables (none here)."""

    def call(self, inputs: Any, state: Any) -> tuple:
        raise NotImplementedError("Abstract method")

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple:
        if self._scope is None:
            # NOTE: a cell made with reuse=True takes its plain name, to find variables made
            # before under it; others get a fresh one (`basic_lstm_cell_1`)
            fresh = {} if self._reuse else {"default_name": self._base_name}
            with variable_scope(scope or (self._base_name if self._reuse else None),
                                **fresh) as opened:
                self._scope = opened
        with variable_scope(self._scope, reuse=True if self.built or self._reuse else None,
                            auxiliary_name_scope=False):
            if not self.built:
                first = nest.flatten(inputs)[0]
                if self._dtype is None:
                    self._dtype = convert_to_tensor(first).dtype
                self.build(convert_to_tensor(first).shape)
                self.built = True
            return self.call(inputs, state)

    def add_variable(self, name: str, shape: Any, initializer: Any = None, **kwargs: Any) -> Any:
        variable = get_variable(name, shape=shape, dtype=self._dtype, initializer=initializer,
                                trainable=self._trainable)
        self._variables.append(variable)
        return variable

    add_weight = add_variable

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        """Zeros of shape [batch_size, size] for each size of `state_size`."""
        with name_scope(type(self).__name__ + "ZeroState"):
            return _zero_state(self.state_size, batch_size, dtype)

    def get_initial_state(self, inputs: Any = None, batch_size: Any = None,
                          dtype: Any = None) -> Any:
        if inputs is not None:
            inputs = convert_to_tensor(inputs, name="inputs")
            batch_size = inputs.shape[0].value or _dynamic_batch(inputs)
            dtype = inputs.dtype
        return self.zero_state(batch_size, dtype)


def _dynamic_batch(inputs: Tensor) -> Tensor:
    return shape(inputs)[0]


def _zero_state(state_size: Any, batch_size: Any, dtype: Any) -> Any:
    def zeros_of(size: Any) -> Tensor:
        if isinstance(batch_size, int):
            return zeros([batch_size, size], dtype=dtype)
        result = zeros(stack([batch_size, size]), dtype=dtype)
        result.set_shape([None, size])
        return result
    return nest.pack_sequence_as(state_size, [zeros_of(s) for s in nest.flatten(state_size)])


LayerRNNCell = RNNCell


def _activation(activation: Any) -> Callable:
    if activation is None:
        return tanh
    if isinstance(activation, str):
        found = {"tanh": tanh, "sigmoid": sigmoid}.get(activation) or \
            getattr(nn_ops, activation, None)
        if found is None:
            raise ValueError(f"Unknown activation function: {activation}")
        return found
    return activation


def _input_depth(inputs_shape: Any) -> int:
    if inputs_shape.ndims is None or inputs_shape[-1].value is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {inputs_shape}")
    return inputs_shape[-1].value


class BasicRNNCell(RNNCell):
    """output = new_state = activation(W [inputs, state] + b)."""

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None,
                 name: Optional[str] = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units, self._activation = num_units, _activation(activation)

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape: Any) -> None:
        depth = _input_depth(inputs_shape)
        self._kernel = self.add_variable("kernel", [depth + self._num_units, self._num_units])
        self._bias = self.add_variable("bias", [self._num_units],
                                       initializer=zeros_initializer(dtype=self._dtype))

    def call(self, inputs: Any, state: Any) -> tuple:
        output = self._activation(bias_add(matmul(concat([inputs, state], 1), self._kernel),
                                           self._bias))
        return output, output


class GRUCell(RNNCell):
    """Gated recurrent unit: reset and update gates (`gates/`), then a candidate (`candidate/`)."""

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None,
                 kernel_initializer: Any = None, bias_initializer: Any = None,
                 name: Optional[str] = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units, self._activation = num_units, _activation(activation)
        self._kernel_initializer, self._bias_initializer = kernel_initializer, bias_initializer

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape: Any) -> None:
        depth, units = _input_depth(inputs_shape), self._num_units
        bias = self._bias_initializer
        self._gate_kernel = self.add_variable("gates/kernel", [depth + units, 2 * units],
                                              initializer=self._kernel_initializer)
        self._gate_bias = self.add_variable(
            "gates/bias", [2 * units],
            initializer=bias if bias is not None else constant_initializer(1.0, self._dtype))
        self._candidate_kernel = self.add_variable("candidate/kernel", [depth + units, units],
                                                   initializer=self._kernel_initializer)
        self._candidate_bias = self.add_variable(
            "candidate/bias", [units],
            initializer=bias if bias is not None else zeros_initializer(dtype=self._dtype))

    def call(self, inputs: Any, state: Any) -> tuple:
        gates = sigmoid(bias_add(matmul(concat([inputs, state], 1), self._gate_kernel),
                                 self._gate_bias))
        r, u = split(value=gates, num_or_size_splits=2, axis=1)
        candidate = bias_add(matmul(concat([inputs, r * state], 1), self._candidate_kernel),
                             self._candidate_bias)
        c = self._activation(candidate)
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class BasicLSTMCell(RNNCell):
    """LSTM without peepholes or projection; `forget_bias` is added to the forget gate."""

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation: Any = None, reuse: Any = None, name: Optional[str] = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units, self._forget_bias = num_units, forget_bias
        self._state_is_tuple, self._activation = state_is_tuple, _activation(activation)

    @property
    def state_size(self) -> Any:
        units = self._num_units
        return LSTMStateTuple(units, units) if self._state_is_tuple else 2 * units

    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape: Any) -> None:
        depth, units = _input_depth(inputs_shape), self._num_units
        self._kernel = self.add_variable("kernel", [depth + units, 4 * units])
        self._bias = self.add_variable("bias", [4 * units],
                                       initializer=zeros_initializer(dtype=self._dtype))

    def call(self, inputs: Any, state: Any) -> tuple:
        one = convert_to_tensor(1, d.int32)
        c, h = state if self._state_is_tuple else split(value=state, num_or_size_splits=2,
                                                        axis=one)
        gates = bias_add(matmul(concat([inputs, h], 1), self._kernel), self._bias)
        i, j, f, o = split(value=gates, num_or_size_splits=4, axis=one)
        forget = convert_to_tensor(self._forget_bias, dtype=f.dtype)
        new_c = add(multiply(c, sigmoid(add(f, forget))),
                    multiply(sigmoid(i), self._activation(j)))
        new_h = multiply(self._activation(new_c), sigmoid(o))
        if self._state_is_tuple:
            return new_h, LSTMStateTuple(new_c, new_h)
        return new_h, concat([new_c, new_h], 1)


class LSTMCell(RNNCell):
    """LSTM with optional peepholes (`w_f_diag`, `w_i_diag`, `w_o_diag`), cell clipping and a
    projection of the output (`projection/kernel`, clipped by `proj_clip`)."""

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: Any = None,
                 initializer: Any = None, num_proj: Optional[int] = None, proj_clip: Any = None,
                 num_unit_shards: Any = None, num_proj_shards: Any = None,
                 forget_bias: float = 1.0, state_is_tuple: bool = True, activation: Any = None,
                 reuse: Any = None, name: Optional[str] = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units, self._use_peepholes = num_units, use_peepholes
        self._cell_clip, self._initializer = cell_clip, initializer
        self._num_proj, self._proj_clip = num_proj, proj_clip
        self._forget_bias, self._state_is_tuple = forget_bias, state_is_tuple
        self._activation = _activation(activation)
        out = num_proj if num_proj else num_units
        self._state_size = LSTMStateTuple(num_units, out) if state_is_tuple else num_units + out
        self._output_size = out

    state_size = property(lambda self: self._state_size)
    output_size = property(lambda self: self._output_size)

    def build(self, inputs_shape: Any) -> None:
        depth, units = _input_depth(inputs_shape), self._num_units
        h_depth = units if self._num_proj is None else self._num_proj
        init = self._initializer
        self._kernel = self.add_variable("kernel", [depth + h_depth, 4 * units], initializer=init)
        self._bias = self.add_variable("bias", [4 * units],
                                       initializer=zeros_initializer(dtype=self._dtype))
        if self._use_peepholes:
            self._w_f_diag = self.add_variable("w_f_diag", [units], initializer=init)
            self._w_i_diag = self.add_variable("w_i_diag", [units], initializer=init)
            self._w_o_diag = self.add_variable("w_o_diag", [units], initializer=init)
        if self._num_proj is not None:
            self._proj_kernel = self.add_variable("projection/kernel", [units, self._num_proj],
                                                  initializer=init)

    def call(self, inputs: Any, state: Any) -> tuple:
        units = self._num_units
        proj = units if self._num_proj is None else self._num_proj
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = slice_op(state, [0, 0], [-1, units])
            m_prev = slice_op(state, [0, units], [-1, proj])
        _input_depth(inputs.shape)
        lstm = bias_add(matmul(concat([inputs, m_prev], 1), self._kernel), self._bias)
        i, j, f, o = split(value=lstm, num_or_size_splits=4, axis=1)
        if self._use_peepholes:
            c = (sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev
                 + sigmoid(i + self._w_i_diag * c_prev) * self._activation(j))
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = clip_by_value(m, -self._proj_clip, self._proj_clip)
        return m, (LSTMStateTuple(c, m) if self._state_is_tuple else concat([c, m], 1))


class MultiRNNCell(RNNCell):
    """Cells stacked: each cell's output is the next one's input (`cell_0/`, `cell_1/`, ...)."""

    def __init__(self, cells: list, state_is_tuple: bool = True) -> None:
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not nest.is_sequence(cells):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        self._cells, self._state_is_tuple = list(cells), state_is_tuple
        if not state_is_tuple and any(nest.is_sequence(c.state_size) for c in cells):
            raise ValueError("Some cells return tuples of states, but the flag state_is_tuple "
                             "is not set.")

    @property
    def state_size(self) -> Any:
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    output_size = property(lambda self: self._cells[-1].output_size)

    @property
    def variables(self) -> list:
        return [v for cell in self._cells for v in cell.variables]

    weights = variables
    trainable_variables = trainable_weights = property(
        lambda self: [v for cell in self._cells for v in cell.trainable_variables])

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return _zero_state(self.state_size, batch_size, dtype)

    def call(self, inputs: Any, state: Any) -> tuple:
        position, current, new_states = 0, inputs, []
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                if self._state_is_tuple:
                    if not nest.is_sequence(state):
                        raise ValueError(f"Expected state to be a tuple of length "
                                         f"{len(self.state_size)}, but received: {state}")
                    cell_state = state[i]
                else:
                    cell_state = slice_op(state, [0, position], [-1, cell.state_size])
                    position += cell.state_size
                current, new_state = cell(current, cell_state)
                new_states.append(new_state)
        return current, (tuple(new_states) if self._state_is_tuple else concat(new_states, 1))


class _Wrapper(RNNCell):
    """A cell around another: no variable scope of its own."""

    def __init__(self, cell: RNNCell) -> None:
        super().__init__()
        if not callable(cell) or not hasattr(cell, "state_size"):
            raise TypeError(f"The parameter cell is not a RNNCell: {cell!r}")
        self.cell = cell

    state_size = property(lambda self: self.cell.state_size)
    output_size = property(lambda self: self.cell.output_size)
    variables = weights = property(lambda self: self.cell.variables)
    trainable_variables = trainable_weights = property(lambda self: self.cell.trainable_variables)

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)


class DropoutWrapper(_Wrapper):
    """Dropout on the cell's inputs, outputs and (except an LSTM's `c`) state."""

    def __init__(self, cell: RNNCell, input_keep_prob: Any = 1.0, output_keep_prob: Any = 1.0,
                 state_keep_prob: Any = 1.0, variational_recurrent: bool = False,
                 input_size: Any = None, dtype: Any = None, seed: Optional[int] = None,
                 dropout_state_filter_visitor: Any = None, **kwargs: Any) -> None:
        super().__init__(cell)
        for what, p in (("input", input_keep_prob), ("output", output_keep_prob),
                        ("state", state_keep_prob)):
            if isinstance(p, (int, float)) and not 0 < p <= 1:
                raise ValueError(f"Parameter {what}_keep_prob must be between 0 and 1: {p}")
        if variational_recurrent:
            raise NotImplementedError("DropoutWrapper(variational_recurrent=True) is not "
                                      "supported by session_magic yet")
        self._input_keep_prob, self._output_keep_prob = input_keep_prob, output_keep_prob
        self._state_keep_prob, self._seed = state_keep_prob, seed
        self._state_filter = dropout_state_filter_visitor or _keep_lstm_cell_state

    def _seed_for(self, salt: str, index: int) -> Optional[int]:
        if self._seed is None:
            return None
        digest = hashlib.md5(f"{self._seed}{salt}_{index}".encode()).hexdigest()
        return int(digest[:8], 16) & 0x7FFFFFFF  # NOTE: TF's _gen_seed: one seed per tensor

    def _dropped(self, values: Any, salt: str, keep_prob: Any, chosen: Any = None) -> Any:
        flat = nest.flatten(values)
        keep = [True] * len(flat) if chosen is None else nest.flatten(chosen)
        out = [dropout(v, keep_prob=keep_prob, seed=self._seed_for(salt, i)) if k else v
               for i, (v, k) in enumerate(zip(flat, keep, strict=True))]
        return nest.pack_sequence_as(values, out)

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple:
        if _drops(self._input_keep_prob):
            inputs = self._dropped(inputs, "input", self._input_keep_prob)
        output, new_state = self.cell(inputs, state, scope=scope)
        if _drops(self._state_keep_prob):
            chosen = nest.pack_sequence_as(new_state, [
                bool(k) for s in _state_parts(new_state)
                for k in nest.flatten(self._state_filter(s))])
            new_state = self._dropped(new_state, "state", self._state_keep_prob, chosen)
        if _drops(self._output_keep_prob):
            output = self._dropped(output, "output", self._output_keep_prob)
        return output, new_state


def _drops(keep_prob: Any) -> bool:
    return not isinstance(keep_prob, (int, float)) or keep_prob < 1


def _state_parts(state: Any) -> list:
    """The LSTMStateTuples and tensors of a state, in order (what the filter is asked about)."""
    if isinstance(state, LSTMStateTuple) or not nest.is_sequence(state):
        return [state]
    return [part for child in state for part in _state_parts(child)]


def _keep_lstm_cell_state(substate: Any) -> Any:
    """TF's default filter: drop every state tensor but an LSTM's memory `c`."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


class ResidualWrapper(_Wrapper):
    """The cell's output plus its input."""

    def __init__(self, cell: RNNCell, residual_fn: Optional[Callable] = None) -> None:
        super().__init__(cell)
        self._residual_fn = residual_fn

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple:
        output, new_state = self.cell(inputs, state, scope=scope)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, output), new_state
        nest.assert_same_structure(inputs, output)
        flat = [i + o for i, o in zip(nest.flatten(inputs), nest.flatten(output), strict=True)]
        return nest.pack_sequence_as(output, flat), new_state
