"""tf.gradients: TF's semantics for unconnected xs, sums, grad_ys, stop_gradients, scopes,
broadcasting, cond, gather and boolean_mask."""
import numpy as np
import pytest

import session_magic as tf


def run(*fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(fetches), feed)


def test_an_x_the_ys_do_not_depend_on_gets_none():
    x = tf.constant(1.0)
    unrelated = tf.constant(2.0)
    y = x * 3.0
    assert tf.gradients(y, [x, unrelated])[1] is None
    assert run(tf.gradients(y, unrelated, unconnected_gradients="zero")[0]) == [0.0]


def test_gradients_sum_over_ys_and_over_fan_out():
    x = tf.constant(2.0)
    y1, y2 = x * x, x * 3.0
    both = tf.gradients([y1, y2], x)[0]
    fan = tf.gradients(x * x + x, x)[0]
    assert run(both, fan) == [7.0, 5.0]


def test_grad_ys_weight_each_y():
    x = tf.constant([1.0, 2.0])
    grad = tf.gradients(x * x, x, grad_ys=tf.constant([10.0, 100.0]))[0]
    np.testing.assert_array_equal(run(grad)[0], [20.0, 400.0])


def test_stop_gradients_and_stop_gradient_hold_values_constant():
    a = tf.constant(3.0)
    b = a * a
    held = tf.gradients(b * a, a, stop_gradients=[b])[0]
    through_op = tf.gradients(tf.stop_gradient(b) * a, a)[0]
    assert run(held, through_op) == [9.0, 9.0]


def test_gradient_ops_live_under_a_gradients_scope():
    x = tf.constant(1.0, name="x")
    y = tf.multiply(x, x, name="y")
    tf.gradients(y, x)
    tf.gradients(y, x)
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert any(n.startswith("gradients/y_grad/") for n in names)
    assert any(n.startswith("gradients_1/") for n in names)


def test_broadcast_gradients_are_summed_back_to_each_input_shape():
    x = tf.placeholder(tf.float64, [None, 3])
    b = tf.constant([1.0, 2.0, 3.0], tf.float64)
    gx, gb = tf.gradients(tf.reduce_sum((x + b) * 2.0), [x, b])
    assert gb.shape.as_list() == [3]
    values = run(gx, gb, feed={x: np.zeros((4, 3))})
    np.testing.assert_array_equal(values[1], [8.0, 8.0, 8.0])
    assert values[0].shape == (4, 3)


def _summing_ops(graph):
    return [op for op in graph.get_operations() if op.type == "SumToShape"]


@pytest.mark.parametrize("bias_dims", [[1], [3], [1, 3]])
def test_an_input_no_other_can_widen_gets_its_gradient_unsummed(bias_dims):
    x = tf.placeholder(tf.float64, [None, 3])
    b = tf.constant(np.ones(bias_dims))
    gx, gb = tf.gradients(tf.reduce_sum((x + b) * 2.0), [x, b])
    # NOTE: b of shape [1], [3] or [1, 3] cannot widen x's [?, 3]: only b's part is summed.
    [summing] = _summing_ops(tf.get_default_graph())
    assert summing.outputs[0].shape.as_list() == bias_dims
    values = run(gx, gb, feed={x: np.zeros((4, 3))})
    np.testing.assert_array_equal(values[0], np.full((4, 3), 2.0))
    np.testing.assert_array_equal(values[1], np.full(bias_dims, 24.0 / np.prod(bias_dims)))


@pytest.mark.parametrize("x_rows, y_rows", [(3, 1), (1, 3), (3, 3)])
def test_inputs_that_may_widen_each_other_are_both_summed(x_rows, y_rows):
    x = tf.placeholder(tf.float64, [None, 1])
    y = tf.placeholder(tf.float64, [None, 1])  # NOTE: either may have 1 row and be widened
    gx, gy = tf.gradients(tf.reduce_sum(x * y), [x, y])
    assert len(_summing_ops(tf.get_default_graph())) == 2
    xs, ys = np.arange(1.0, x_rows + 1)[:, None], np.arange(1.0, y_rows + 1)[:, None] * 10
    values = run(gx, gy, feed={x: xs, y: ys})
    np.testing.assert_array_equal(values[0], np.sum(np.broadcast_to(ys, (3, 1)), 0, keepdims=True)
                                  if x_rows == 1 else np.broadcast_to(ys, (3, 1)))
    np.testing.assert_array_equal(values[1], np.sum(np.broadcast_to(xs, (3, 1)), 0, keepdims=True)
                                  if y_rows == 1 else np.broadcast_to(xs, (3, 1)))


def test_gradient_with_respect_to_a_variable():
    w = tf.Variable([1.0, -2.0])
    loss = tf.reduce_sum(tf.square(w))
    np.testing.assert_array_equal(run(tf.gradients(loss, w)[0])[0], [2.0, -4.0])


def test_only_the_taken_cond_branch_contributes():
    pred = tf.placeholder(tf.bool, [])
    x = tf.constant(3.0)
    y = tf.cond(pred, lambda: x * 2.0, lambda: x * x)
    grad = tf.gradients(y, x)[0]
    assert run(grad, feed={pred: True}) == [2.0]
    assert run(grad, feed={pred: False}) == [6.0]


def test_gather_gradient_accumulates_repeated_indices():
    params = tf.constant([1.0, 2.0, 3.0, 4.0])
    picked = tf.gather(params, [0, 2, 2])
    dense = tf.convert_to_tensor(tf.gradients(tf.reduce_sum(picked), params)[0])
    np.testing.assert_array_equal(run(dense)[0], [1.0, 0.0, 2.0, 0.0])


def test_boolean_mask_gradient_lands_on_kept_elements():
    values = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    kept = tf.boolean_mask(values, tf.constant([True, False]))
    np.testing.assert_array_equal(run(tf.gradients(tf.reduce_sum(kept * 5.0), values)[0])[0],
                                  [[5.0, 5.0], [0.0, 0.0]])


def test_an_op_without_a_gradient_on_the_path_names_itself():
    x = tf.constant([1.0])
    y = tf.truncatemod(x, 3.0, name="remainder")  # NOTE: TF registers no gradient for it
    with pytest.raises(LookupError, match="No gradient defined for operation 'remainder' "
                                          r"\(op type: TruncateMod\)"):
        tf.gradients(y, x)


def test_integer_paths_carry_no_gradient():
    x = tf.constant(2.0)
    through_int = tf.cast(tf.cast(x, tf.int32), tf.float32) * x
    assert run(tf.gradients(through_int, x)[0]) == [2.0]


def test_second_order_gradient():
    x = tf.constant(3.0)
    first = tf.gradients(x * x * x, x)[0]
    second = tf.gradients(first, x)[0]
    assert run(first, second) == [27.0, 18.0]


def test_gradient_scopes_are_drawn_collapsed_unless_expanded():
    from session_magic.render import draw
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(tf.square(w) * 3.0, name="loss")
    tf.gradients(loss, w)
    collapsed = draw(tf.get_default_graph()).source
    opened = draw(tf.get_default_graph(), expand=("gradients",)).source
    assert 'label="gradients\\n' in collapsed  # one folder node with its op count
    assert "loss_grad" in opened and "loss_grad" not in collapsed
