"""Samples for the tf.data iterator ops: an initializable iterator over a tensor's slices,
started by its initializer in the same run, yields the first slice; so does an iterator reading
an initializable iterator through its string handle."""
import session_magic as tf
from session_magic import data

from . import Sample, f32, i32


def _first_slice(x):
    iterator = data.make_initializable_iterator(data.Dataset.from_tensor_slices(x))
    with tf.control_dependencies([iterator.initializer]):
        return iterator.get_next()


def _first_slice_by_handle(x):
    dataset = data.Dataset.from_tensor_slices(x)
    iterator = data.make_initializable_iterator(dataset)
    # NOTE: every op under the initializer: TF's graph optimizer may otherwise run get_next first
    with tf.control_dependencies([iterator.initializer]):
        handle = iterator.string_handle()
        reader = data.Iterator.from_string_handle(handle, dataset.output_types,
                                                  dataset.output_shapes)
        return reader.get_next()


SAMPLES = [
    Sample("IteratorToStringHandle", _first_slice_by_handle, [f32(3, 2)], expect=lambda x: x[0],
           grad_check=False),
    Sample("IteratorFromStringHandleV2", _first_slice_by_handle, [i32(4)],
           expect=lambda x: x[0], grad_check=False),
    Sample("IteratorGetNext", _first_slice, [f32(3, 2)], expect=lambda x: x[0],
           grad_check=False),
    Sample("MakeIterator", _first_slice, [i32(4)], expect=lambda x: x[0], grad_check=False),
    Sample("IteratorV2", _first_slice, [f32(2, 2, 2)], expect=lambda x: x[0],
           grad_check=False),
]
