"""dynamic_rnn, static_rnn and their bidirectional forms, as TF 1 builds them.

dynamic_rnn is one while_loop over time: inputs read from a TensorArray, outputs written to
another; with `sequence_length`, a batch entry's output is zero and its state copied through
once its sequence has ended (TF's `_rnn_step` without conditionals).
"""
from __future__ import annotations

from typing import Any, Optional

from . import dtypes as d
from . import nest
from .graph import Tensor, control_dependencies
from .ops.array_ops import (concat, reverse, reverse_sequence, shape, stack, transpose, unstack,
                             zeros)
from .ops.constant_ops import identity
from .ops.conversion import convert_to_tensor
from .ops.functional import while_loop
from .ops.math_ops import (cast, equal, greater_equal, maximum, minimum, reduce_all, reduce_max,
                           where)
from .ops.script_ops import Assert
from .ops.tensor_array_ops import TensorArray
from .variables import variable_scope

__all__ = ["dynamic_rnn", "static_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn"]


def _transpose_batch_time(x: Tensor) -> Tensor:
    """[batch, time, ...] <-> [time, batch, ...]."""
    if x._dims is not None and len(x._dims) < 2:
        raise ValueError(f"Expected input tensor {x} to have rank at least 2, but saw shape: "
                         f"{x.shape}")
    rank = None if x._dims is None else len(x._dims)
    if rank is None:
        raise ValueError(f"Expected input tensor {x} to have a known rank")
    return transpose(x, [1, 0, *range(2, rank)])


def _batch_size(flat_input: list, axis: int) -> Any:
    for t in flat_input:
        if t._dims is not None and t._dims[axis] is not None:
            return t._dims[axis]
    return shape(flat_input[0])[axis]


def _sequence_length(sequence_length: Any) -> Optional[Tensor]:
    if sequence_length is None:
        return None
    lengths = cast(sequence_length, d.int32)
    if lengths._dims is not None and len(lengths._dims) != 1:
        raise ValueError("sequence_length must be a vector of length batch_size, but saw shape: "
                         f"{lengths.shape}")
    return identity(lengths, name="sequence_length")


def _checked_lengths(lengths: Tensor, batch_size: Any) -> Tensor:
    """`lengths`, once a run has checked that it has one entry per batch entry (TF's
    `CheckSeqLen`)."""
    actual, expected = shape(lengths), stack([batch_size])
    check = Assert(reduce_all(equal(actual, expected)),
                   [f"Expected shape for Tensor {lengths.name} is ", expected,
                    " but saw shape: ", actual])
    with control_dependencies([check]):
        return identity(lengths, name="CheckSeqLen")


def _initial_state(cell: Any, initial_state: Any, batch_size: Any, dtype: Any) -> Any:
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If there is no initial_state, you must give a dtype.")
    return cell.zero_state(batch_size, dtype)


def _state_dtype(dtype: Any, state: Any) -> Any:
    return dtype if dtype else nest.flatten(state)[0].dtype


def _zero_output(cell: Any, batch_size: Any, dtype: Any) -> Any:
    def zeros_of(size: int) -> Tensor:
        if isinstance(batch_size, int):
            return zeros([batch_size, size], dtype=dtype)
        result = zeros(stack([batch_size, size]), dtype=dtype)
        result.set_shape([None, size])
        return result
    flat = [zeros_of(size) for size in nest.flatten(cell.output_size)]
    return nest.pack_sequence_as(cell.output_size, flat)


def _copied_through(time: Any, lengths: Tensor, zero_output: Any, state: Any, output: Any,
                    new_state: Any) -> tuple:
    """Past its length an entry's output is zero and its state the old one."""
    nest.assert_same_structure(state, new_state)
    done = greater_equal(time, lengths)
    outputs = [where(done, z, o) for z, o in zip(nest.flatten(zero_output),
                                                  nest.flatten(output), strict=True)]
    states = [s_new if s_new._dims == () else where(done, s_old, s_new)
              for s_old, s_new in zip(nest.flatten(state), nest.flatten(new_state), strict=True)]
    return (nest.pack_sequence_as(zero_output, outputs),
            nest.pack_sequence_as(state, states))


def dynamic_rnn(cell: Any, inputs: Any, sequence_length: Any = None, initial_state: Any = None,
                dtype: Any = None, parallel_iterations: Optional[int] = None,
                swap_memory: bool = False, time_major: bool = False, scope: Any = None) -> tuple:
    """Run `cell` over the time axis of `inputs` ([batch, time, ...], or [time, batch, ...] when
    `time_major`); returns (outputs, final state)."""
    if not callable(cell) or not hasattr(cell, "state_size"):
        raise TypeError(f"cell must be an instance of RNNCell, got {cell!r}")
    with variable_scope(scope or "rnn"):
        flat_input = [convert_to_tensor(t) for t in nest.flatten(inputs)]
        if not time_major:
            flat_input = [_transpose_batch_time(t) for t in flat_input]
        lengths = _sequence_length(sequence_length)
        batch_size = _batch_size(flat_input, 1)
        if lengths is not None:
            lengths = _checked_lengths(lengths, batch_size)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        inputs = nest.pack_sequence_as(inputs, flat_input)
        outputs, final_state = _dynamic_rnn_loop(cell, inputs, state, parallel_iterations or 32,
                                                 swap_memory, lengths, dtype)
        if not time_major:
            outputs = nest.pack_sequence_as(outputs, [_transpose_batch_time(o)
                                                      for o in nest.flatten(outputs)])
        return outputs, final_state


def _dynamic_rnn_loop(cell: Any, inputs: Any, state: Any, parallel_iterations: int,
                      swap_memory: bool, lengths: Optional[Tensor], dtype: Any) -> tuple:
    flat_input = nest.flatten(inputs)
    for t in flat_input:
        if t._dims is None or len(t._dims) < 3:
            raise ValueError(f"Input must have rank at least 3 (time, batch, depth), got shape "
                             f"{t.shape}")
    time_steps = shape(flat_input[0])[0]
    static_time, static_batch = flat_input[0]._dims[0], flat_input[0]._dims[1]
    batch_size = _batch_size(flat_input, 1)
    state_dtype = _state_dtype(dtype, state)
    zero_output = _zero_output(cell, batch_size, state_dtype)
    bound_steps = time_steps if lengths is None else reduce_max(lengths)
    time = convert_to_tensor(0, d.int32, name="time")
    outputs_ta = tuple(TensorArray(state_dtype, size=time_steps,
                                   element_shape=[static_batch, size])
                       for size in nest.flatten(cell.output_size))
    inputs_ta = tuple(TensorArray(t.dtype, size=time_steps, element_shape=t._dims[1:]).unstack(t)
                      for t in flat_input)

    def time_step(time: Tensor, outputs_ta: tuple, state: Any) -> tuple:
        input_t = nest.pack_sequence_as(inputs, [ta.read(time) for ta in inputs_ta])
        output, new_state = cell(input_t, state)
        if lengths is not None:
            output, new_state = _copied_through(time, lengths, zero_output, state, output,
                                                new_state)
        written = tuple(ta.write(time, o) for ta, o in zip(outputs_ta, nest.flatten(output),
                                                           strict=True))
        return time + 1, written, new_state

    loop_bound = minimum(time_steps, maximum(1, bound_steps))
    _, final_ta, final_state = while_loop(
        lambda time, *_: time < loop_bound, time_step, (time, outputs_ta, state),
        parallel_iterations=parallel_iterations, maximum_iterations=time_steps,
        swap_memory=swap_memory)
    outputs = []
    for ta, size in zip(final_ta, nest.flatten(cell.output_size), strict=True):
        output = ta.stack()
        output.set_shape([static_time, static_batch, size])
        outputs.append(output)
    return nest.pack_sequence_as(cell.output_size, outputs), final_state


def static_rnn(cell: Any, inputs: Any, initial_state: Any = None, dtype: Any = None,
               sequence_length: Any = None, scope: Any = None) -> tuple:
    """The cell applied to each tensor of the list `inputs` in turn (the graph unrolled);
    returns (list of outputs, final state)."""
    if not callable(cell) or not hasattr(cell, "state_size"):
        raise TypeError(f"cell must be an instance of RNNCell, got {cell!r}")
    if not nest.is_sequence(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    outputs = []
    with variable_scope(scope or "rnn") as varscope:
        first = [convert_to_tensor(t) for t in nest.flatten(inputs[0])]
        if first[0]._dims is None or len(first[0]._dims) < 2:
            raise ValueError("Input size (depth of inputs) must be accessible via shape "
                             "inference, but saw value None.")
        batch_size = _batch_size(first, 0)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        lengths = _sequence_length(sequence_length)
        zero_output = None if lengths is None else \
            _zero_output(cell, batch_size, _state_dtype(dtype, state))
        for time, input_ in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()
            output, new_state = cell(input_, state)
            if lengths is not None:
                output, new_state = _copied_through(time, lengths, zero_output, state, output,
                                                    new_state)
            outputs.append(output)
            state = new_state
        return outputs, state


def _reversed(x: Tensor, lengths: Optional[Tensor], time_axis: int, batch_axis: int) -> Tensor:
    if lengths is not None:
        return reverse_sequence(x, seq_lengths=lengths, seq_axis=time_axis,
                                batch_axis=batch_axis)
    return reverse(x, axis=[time_axis])


def bidirectional_dynamic_rnn(cell_fw: Any, cell_bw: Any, inputs: Any,
                              sequence_length: Any = None, initial_state_fw: Any = None,
                              initial_state_bw: Any = None, dtype: Any = None,
                              parallel_iterations: Optional[int] = None,
                              swap_memory: bool = False, time_major: bool = False,
                              scope: Any = None) -> tuple:
    """A forward dynamic_rnn and one over the reversed sequences (`fw/`, `bw/`); returns
    ((output_fw, output_bw), (state_fw, state_bw)), the backward outputs in forward order."""
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(cell_fw, inputs, sequence_length, initial_state_fw,
                                              dtype, parallel_iterations, swap_memory,
                                              time_major, fw_scope)
        with variable_scope("bw") as bw_scope:
            lengths = None if sequence_length is None else \
                cast(convert_to_tensor(sequence_length), d.int64)
            flat = [_reversed(convert_to_tensor(t), lengths, time_axis, batch_axis)
                    for t in nest.flatten(inputs)]
            reversed_output, state_bw = dynamic_rnn(
                cell_bw, nest.pack_sequence_as(inputs, flat), sequence_length, initial_state_bw,
                dtype, parallel_iterations, swap_memory, time_major, bw_scope)
    output_bw = nest.pack_sequence_as(reversed_output, [
        _reversed(o, lengths, time_axis, batch_axis) for o in nest.flatten(reversed_output)])
    return (output_fw, output_bw), (state_fw, state_bw)


def static_bidirectional_rnn(cell_fw: Any, cell_bw: Any, inputs: Any,
                             initial_state_fw: Any = None, initial_state_bw: Any = None,
                             dtype: Any = None, sequence_length: Any = None,
                             scope: Any = None) -> tuple:
    """static_rnn forwards and over the reversed inputs; returns (outputs, state_fw, state_bw),
    each output the concatenation of both directions' outputs at that time."""
    if not nest.is_sequence(inputs) or not inputs:
        raise TypeError("inputs must be a non-empty sequence")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype,
                                             sequence_length, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            lengths = None if sequence_length is None else \
                cast(convert_to_tensor(sequence_length), d.int64)
            stacked = stack(list(inputs))
            backwards = unstack(_reversed(stacked, lengths, 0, 1))
            tmp, state_bw = static_rnn(cell_bw, backwards, initial_state_bw, dtype,
                                       sequence_length, scope=bw_scope)
    output_bw = unstack(_reversed(stack(tmp), lengths, 0, 1))
    outputs = [concat([fw, bw], 1) for fw, bw in zip(output_fw, output_bw, strict=True)]
    return outputs, state_fw, state_bw
