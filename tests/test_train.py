"""Optimizers, global step and learning-rate decay (`sm.train`), checked against TF 1's update
formulas written out in NumPy, against least squares, and on a small classifier."""
import numpy as np
import pytest

import session_magic as tf

f32 = np.float32

# A tiny fixed problem: loss = 0.5 * sum(SCALE * (w - TARGET)**2), so grad = SCALE * (w - TARGET).
W0 = np.array([1.0, -2.0, 0.5], f32)
TARGET = np.array([0.5, 1.0, -1.5], f32)
SCALE = np.array([1.0, 0.5, 2.0], f32)


def _grad(w):
    return SCALE * (w - TARGET)


# --- TF's Apply* kernels, step by step in float32 (training_ops.cc) -----------------------------

def numpy_gradient_descent(w, steps, lr=0.1):
    lr = f32(lr)
    for _ in range(steps):
        w = w - _grad(w) * lr
    return w


def numpy_momentum(w, steps, lr=0.1, momentum=0.9, nesterov=False):
    lr, momentum = f32(lr), f32(momentum)
    accum = np.zeros_like(w)
    for _ in range(steps):
        g = _grad(w)
        accum = accum * momentum + g
        w = w - (g * lr + accum * momentum * lr if nesterov else accum * lr)
    return w


def numpy_adagrad(w, steps, lr=0.1, initial=0.1):
    lr = f32(lr)
    accum = np.full_like(w, f32(initial))
    for _ in range(steps):
        g = _grad(w)
        accum = accum + g * g
        w = w - g * lr / np.sqrt(accum)
    return w


def numpy_rmsprop(w, steps, lr=0.01, decay=0.9, momentum=0.5, epsilon=1e-10, centered=False):
    lr, decay, momentum, epsilon = f32(lr), f32(decay), f32(momentum), f32(epsilon)
    ms, mg, mom = np.ones_like(w), np.zeros_like(w), np.zeros_like(w)  # NOTE: ms starts at one
    for _ in range(steps):
        g = _grad(w)
        ms = ms + (g * g - ms) * (f32(1) - decay)
        mg = mg + (g - mg) * (f32(1) - decay)
        denominator = (ms - mg * mg) + epsilon if centered else ms + epsilon
        mom = mom * momentum + g * lr / np.sqrt(denominator)
        w = w - mom
    return w


def numpy_adam(w, steps, lr=0.1, beta1=0.9, beta2=0.999, epsilon=1e-8):
    lr, beta1, beta2, epsilon = f32(lr), f32(beta1), f32(beta2), f32(epsilon)
    m, v, beta1_power, beta2_power = np.zeros_like(w), np.zeros_like(w), beta1, beta2
    for _ in range(steps):
        g = _grad(w)
        alpha = lr * np.sqrt(f32(1) - beta2_power) / (f32(1) - beta1_power)
        m = m + (g - m) * (f32(1) - beta1)
        v = v + (g * g - v) * (f32(1) - beta2)
        w = w - m * alpha / (np.sqrt(v) + epsilon)
        beta1_power, beta2_power = beta1_power * beta1, beta2_power * beta2
    return w


OPTIMIZERS = {
    "gradient_descent": (lambda: tf.train.GradientDescentOptimizer(0.1), numpy_gradient_descent),
    "momentum": (lambda: tf.train.MomentumOptimizer(0.1, 0.9), numpy_momentum),
    "nesterov": (lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
                 lambda w, steps: numpy_momentum(w, steps, nesterov=True)),
    "adagrad": (lambda: tf.train.AdagradOptimizer(0.1), numpy_adagrad),
    "rmsprop": (lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5), numpy_rmsprop),
    "rmsprop_centered": (lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
                         lambda w, steps: numpy_rmsprop(w, steps, centered=True)),
    "adam": (lambda: tf.train.AdamOptimizer(0.1), numpy_adam),
}

# The NumPy formulas above after 5 steps, written down (TF 1 gives the same to float32 rounding).
AFTER_FIVE_STEPS = {
    "gradient_descent": [0.7952450, -1.3213428, -0.8446400],
    "momentum": [0.4854200, -0.2514680, -2.6608400],
    "nesterov": [0.4477091, 0.0521730, -2.3314352],
    "adagrad": [0.7468782, -1.6871128, 0.1872989],
    "rmsprop": [0.9563763, -1.8944103, 0.3444213],
    "rmsprop_centered": [0.9558743, -1.8879629, 0.3269365],
    "adam": [0.5278159, -1.5017811, 0.0029574],
}


def _tiny_problem():
    w = tf.Variable(W0, name="w")
    loss = 0.5 * tf.reduce_sum(SCALE * tf.square(w - TARGET))
    return w, loss


def _run_steps(train_op, steps, fetch):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(train_op)
        return sess.run(fetch)


@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_minimize_follows_tf_update_formulas(kind):
    make, oracle = OPTIMIZERS[kind]
    w, loss = _tiny_problem()
    result = _run_steps(make().minimize(loss), 5, w)
    np.testing.assert_allclose(result, oracle(W0, 5), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(result, AFTER_FIVE_STEPS[kind], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_apply_gradients_with_hand_made_gradients(kind):
    make, oracle = OPTIMIZERS[kind]
    w = tf.Variable(W0, name="w")
    gradient = SCALE * (w.value() - TARGET)
    result = _run_steps(make().apply_gradients([(gradient, w)]), 3, w)
    np.testing.assert_allclose(result, oracle(W0, 3), rtol=1e-6, atol=1e-6)


def test_adam_bias_correction_on_the_first_step_moves_by_the_learning_rate():
    w = tf.Variable([1.0, -1.0, 3.0])
    train = tf.train.AdamOptimizer(0.25).apply_gradients([(tf.constant([2.0, -0.5, 1e3]), w)])
    # With m and v bias-corrected, step one is lr * g / |g| (TF 1's Adam docs).
    np.testing.assert_allclose(_run_steps(train, 1, w), [0.75, -0.75, 2.75], rtol=1e-6)


def test_adam_beta_powers_advance_once_per_step():
    w, loss = _tiny_problem()
    optimizer = tf.train.AdamOptimizer(0.1, beta1=0.8, beta2=0.9)
    train = optimizer.minimize(loss)
    powers = _run_steps(train, 4, [optimizer.variables()[0], optimizer.variables()[1]])
    np.testing.assert_allclose(powers, [0.8 ** 5, 0.9 ** 5], rtol=1e-6)


def test_float64_variables_train_in_float64():
    w = tf.Variable(W0.astype(np.float64), name="w")
    loss = 0.5 * tf.reduce_sum(SCALE.astype(np.float64) * tf.square(w - TARGET.astype(np.float64)))
    result = _run_steps(tf.train.AdamOptimizer(0.1).minimize(loss), 2, w)
    assert result.dtype == np.float64
    np.testing.assert_allclose(result, numpy_adam(W0, 2), rtol=1e-5)


# --- convergence ---------------------------------------------------------------------------------

def _regression_data():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(256, 10)).astype(f32)
    true_w = rng.normal(size=(10, 1))
    targets = (features @ true_w + 0.5 + 0.1 * rng.normal(size=(256, 1))).astype(f32)
    design = np.hstack([features, np.ones((256, 1))]).astype(np.float64)
    solution = np.linalg.lstsq(design, targets.astype(np.float64), rcond=None)[0]
    return features, targets, solution


def _decayed(rate):
    return tf.train.exponential_decay(rate, tf.train.get_or_create_global_step(), 200, 0.5)


# (optimizer, steps, tolerance on max |[w, b] - least squares|); RMSProp's step does not shrink
# with the gradient, so it needs a decaying learning rate to settle.
REGRESSION = {
    "gradient_descent": (lambda: tf.train.GradientDescentOptimizer(0.1), 500, 1e-4),
    "momentum": (lambda: tf.train.MomentumOptimizer(0.05, 0.9), 300, 1e-4),
    "nesterov": (lambda: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True), 300, 1e-4),
    "adagrad": (lambda: tf.train.AdagradOptimizer(0.5), 500, 1e-4),
    "rmsprop": (lambda: tf.train.RMSPropOptimizer(_decayed(0.01)), 1500, 1e-4),
    "rmsprop_centered": (lambda: tf.train.RMSPropOptimizer(_decayed(0.01), momentum=0.5,
                                                           centered=True), 1500, 1e-4),
    "adam": (lambda: tf.train.AdamOptimizer(0.05), 1000, 1e-4),
}


@pytest.mark.parametrize("kind", sorted(REGRESSION))
def test_linear_regression_converges_to_least_squares(kind):
    make, steps, tolerance = REGRESSION[kind]
    features, targets, solution = _regression_data()
    w, b = tf.Variable(tf.zeros([10, 1]), name="w"), tf.Variable(0.0, name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(features, w) + b - targets))
    train = make().minimize(loss, global_step=tf.train.get_or_create_global_step())
    w_value, b_value = _run_steps(train, steps, [w, b])
    distance = np.abs(np.vstack([w_value, [[b_value]]]) - solution).max()
    assert distance < tolerance


def two_moons(count, noise, seed):
    """Two interleaved half circles with Gaussian noise, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi, count)
    labels = rng.integers(0, 2, count)
    upper = np.stack([np.cos(angle), np.sin(angle)], 1)
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], 1)
    points = np.where(labels[:, None] == 0, upper, lower) + rng.normal(0, noise, (count, 2))
    return points.astype(f32), labels.astype(np.int32)


CLASSIFIER = {
    "gradient_descent": (lambda: tf.train.GradientDescentOptimizer(0.5), 1000),
    "momentum": (lambda: tf.train.MomentumOptimizer(0.1, 0.9), 500),
    "nesterov": (lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True), 500),
    "adagrad": (lambda: tf.train.AdagradOptimizer(0.5), 500),
    "rmsprop": (lambda: tf.train.RMSPropOptimizer(0.01), 500),
    "rmsprop_centered": (lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
                         500),
    "adam": (lambda: tf.train.AdamOptimizer(0.05), 300),
}


@pytest.mark.parametrize("kind", sorted(CLASSIFIER))
def test_two_layer_classifier_separates_two_moons(kind):
    make, steps = CLASSIFIER[kind]
    train_x, train_y = two_moons(200, 0.2, seed=0)
    test_x, test_y = two_moons(200, 0.2, seed=1)
    rng = np.random.default_rng(1)
    x, y = tf.placeholder(tf.float32, [None, 2]), tf.placeholder(tf.int32, [None])
    hidden = tf.nn.relu(tf.matmul(x, tf.Variable(rng.normal(0, 1, (2, 16)).astype(f32)))
                        + tf.Variable(tf.zeros([16])))
    logits = tf.matmul(hidden, tf.Variable(rng.normal(0, .25, (16, 2)).astype(f32))) + \
        tf.Variable(tf.zeros([2]))
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    correct = tf.equal(tf.argmax(logits, 1, output_type=tf.int32), y)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    train = make().minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        start = sess.run(loss, {x: train_x, y: train_y})
        for _ in range(steps):
            sess.run(train, {x: train_x, y: train_y})
        end = sess.run(loss, {x: train_x, y: train_y})
        held_out = sess.run(accuracy, {x: test_x, y: test_y})
    assert end < 0.1 < start and held_out >= 0.95


# --- minimize / apply_gradients behaviour --------------------------------------------------------

def test_minimize_returns_an_operation_named_after_the_optimizer_and_running_it_gives_none():
    w, loss = _tiny_problem()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert isinstance(train, tf.Operation) and train.name == "GradientDescent"
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [train]
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(train) is None


def test_minimize_with_a_name_uses_it_as_the_scope():
    _, loss = _tiny_problem()
    assert tf.train.AdamOptimizer().minimize(loss, name="train").name == "train"


def test_global_step_increments_by_one_per_step():
    _, loss = _tiny_problem()
    step = tf.train.get_or_create_global_step()
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss, global_step=step)
    assert train.name == "Momentum" and train.type == "AssignAdd"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        seen = []
        for _ in range(3):
            sess.run(train)
            seen.append(tf.train.global_step(sess, step))
    assert seen == [1, 2, 3]


def test_global_step_is_an_int64_scalar_outside_the_trainable_variables():
    step = tf.train.get_or_create_global_step()
    assert step.name == "global_step:0" and step.dtype == tf.int64 and step.shape.ndims == 0
    assert tf.train.get_global_step() is step and tf.train.get_or_create_global_step() is step
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [step]
    assert step in tf.global_variables() and step not in tf.trainable_variables()
    with pytest.raises(ValueError, match='"global_step" already exists.'):
        tf.train.create_global_step()


def test_get_global_step_is_none_without_one():
    assert tf.train.get_global_step() is None


def test_a_tensor_named_global_step_is_found_by_name():
    tf.Variable(0, name="global_step", trainable=False)
    found = tf.train.get_global_step()
    assert isinstance(found, tf.Tensor) and found.name == "global_step:0"


def test_a_float_global_step_is_rejected():
    tf.Variable(0.0, name="global_step", trainable=False)
    with pytest.raises(TypeError, match='Existing "global_step" does not have integer type'):
        tf.train.get_global_step()


def test_only_var_list_is_updated():
    w, loss = _tiny_problem()
    other = tf.Variable(2.0, name="other")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss * other, var_list=[w])
    w_value, other_value = _run_steps(train, 1, [w, other])
    assert other_value == 2.0 and not np.allclose(w_value, W0)


def test_variables_without_a_gradient_are_skipped():
    w, loss = _tiny_problem()
    unused = tf.Variable(5.0, name="unused")
    optimizer = tf.train.MomentumOptimizer(0.1, 0.9)
    grads_and_vars = optimizer.compute_gradients(loss)
    assert [v for _, v in grads_and_vars] == [w, unused] and grads_and_vars[1][0] is None
    train = optimizer.apply_gradients(grads_and_vars)
    assert optimizer.get_slot(unused, "momentum") is None
    assert _run_steps(train, 1, unused) == 5.0


def test_learning_rate_may_be_a_placeholder():
    w, loss = _tiny_problem()
    rate = tf.placeholder(tf.float32, [])
    train = tf.train.GradientDescentOptimizer(rate).minimize(loss)
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(train, {rate: 0.0})
        np.testing.assert_allclose(sess.run(w), W0)
        sess.run(train, {rate: 0.1})
        np.testing.assert_allclose(sess.run(w), numpy_gradient_descent(W0, 1), rtol=1e-6)


def test_gate_graph_gives_the_same_update():
    w, loss = _tiny_problem()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(
        loss, gate_gradients=tf.train.Optimizer.GATE_GRAPH)
    np.testing.assert_allclose(_run_steps(train, 2, w), numpy_gradient_descent(W0, 2), rtol=1e-6)


def test_callable_loss_is_called():
    w, loss = _tiny_problem()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(lambda: loss)
    np.testing.assert_allclose(_run_steps(train, 1, w), numpy_gradient_descent(W0, 1), rtol=1e-6)


def test_second_minimize_reuses_the_slots():
    w, loss = _tiny_problem()
    optimizer = tf.train.AdamOptimizer(0.1)
    optimizer.minimize(loss)
    optimizer.minimize(2.0 * loss)
    assert [v.name for v in optimizer.variables()] == [
        "beta1_power:0", "beta2_power:0", "w/Adam:0", "w/Adam_1:0"]


# --- slots ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, slots", [
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9), {"momentum": "w/Momentum:0"}),
    (lambda: tf.train.AdagradOptimizer(0.1), {"accumulator": "w/Adagrad:0"}),
    (lambda: tf.train.RMSPropOptimizer(0.1), {"rms": "w/RMSProp:0",
                                              "momentum": "w/RMSProp_1:0"}),
    (lambda: tf.train.RMSPropOptimizer(0.1, centered=True),
     {"rms": "w/RMSProp:0", "mg": "w/RMSProp_1:0", "momentum": "w/RMSProp_2:0"}),
    (lambda: tf.train.AdamOptimizer(), {"m": "w/Adam:0", "v": "w/Adam_1:0"}),
])
def test_slot_variables_are_named_as_tf_names_them(make, slots):
    w, loss = _tiny_problem()
    optimizer = make()
    optimizer.minimize(loss)
    assert optimizer.get_slot_names() == sorted(slots)
    assert {name: optimizer.get_slot(w, name).name for name in slots} == slots


def test_gradient_descent_has_no_slots():
    w, loss = _tiny_problem()
    optimizer = tf.train.GradientDescentOptimizer(0.1)
    optimizer.minimize(loss)
    assert optimizer.get_slot_names() == [] and optimizer.variables() == []


def test_slots_are_global_non_trainable_and_initialized_with_the_rest():
    w, loss = _tiny_problem()
    optimizer = tf.train.AdamOptimizer()
    optimizer.minimize(loss)
    names = [v.name for v in tf.global_variables()]
    assert names == ["w:0", "beta1_power:0", "beta2_power:0", "w/Adam:0", "w/Adam_1:0"]
    assert tf.trainable_variables() == [w]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(tf.report_uninitialized_variables()).size == 0


def test_slot_initial_values_follow_tf():
    w, loss = _tiny_problem()
    rmsprop, adagrad = tf.train.RMSPropOptimizer(0.1), tf.train.AdagradOptimizer(0.1, 0.25)
    rmsprop.minimize(loss)
    adagrad.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(rmsprop.get_slot(w, "rms")), np.ones(3))
        np.testing.assert_array_equal(sess.run(rmsprop.get_slot(w, "momentum")), np.zeros(3))
        np.testing.assert_array_equal(sess.run(adagrad.get_slot(w, "accumulator")),
                                      np.full(3, 0.25, f32))


def test_slots_ignore_control_dependencies_in_effect():
    w, loss = _tiny_problem()
    gate = tf.no_op(name="gate")
    with tf.control_dependencies([gate]):
        optimizer = tf.train.MomentumOptimizer(0.1, 0.9)
        optimizer.minimize(loss)
    slot = optimizer.get_slot(w, "momentum")
    assert slot.initializer.control_inputs == [] and slot.op.control_inputs == []


class _AveragedStep(tf.train.Optimizer):
    """A custom optimizer written against TF 1's protected Optimizer API."""

    def __init__(self, learning_rate):
        super().__init__(False, "AveragedStep")
        self._learning_rate = learning_rate

    def _create_slots(self, var_list):
        for var in var_list:
            self._zeros_slot(var, "previous", self._name)

    def _prepare(self):
        self._learning_rate_t = tf.convert_to_tensor(self._learning_rate, name="learning_rate")

    def _apply_dense(self, grad, var):
        previous = self.get_slot(var, "previous")
        step = self._learning_rate_t * (grad + previous) / 2.0
        return tf.group(tf.assign_sub(var, step), tf.assign(previous, grad))


def test_a_custom_optimizer_written_for_tf1_runs():
    w, loss = _tiny_problem()
    optimizer = _AveragedStep(0.1)
    train = optimizer.minimize(loss)
    expected, previous = W0, np.zeros(3, f32)
    for _ in range(3):
        grad = _grad(expected)
        expected, previous = expected - f32(0.1) * (grad + previous) / f32(2), grad
    np.testing.assert_allclose(_run_steps(train, 3, w), expected, rtol=1e-6)
    assert optimizer.get_slot(w, "previous").name == "w/AveragedStep:0"


def test_minimize_under_control_dependencies_runs_them():
    w, loss = _tiny_problem()
    counter = tf.Variable(0, name="counter")
    with tf.control_dependencies([tf.assign_add(counter, 1)]):
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert _run_steps(train, 2, counter) == 2


# --- errors --------------------------------------------------------------------------------------

def test_no_variables_to_optimize():
    with pytest.raises(ValueError, match=r"^No variables to optimize\.$"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0) * 2.0)


def test_no_gradients_names_the_variables_and_the_loss():
    tf.Variable(1.0, name="w")
    loss = tf.constant(3.0, name="loss") * 2.0
    with pytest.raises(ValueError) as caught:
        tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert str(caught.value) == (
        "No gradients provided for any variable, check your graph for ops that do not support "
        "gradients, between variables [\"<tf.Variable 'w:0' shape=() dtype=float32_ref>\"] and "
        f"loss {loss}.")


def test_apply_gradients_with_only_none_gradients():
    w = tf.Variable(1.0, name="w")
    with pytest.raises(ValueError, match=r"^No gradients provided for any variable: \["):
        tf.train.AdamOptimizer().apply_gradients([(None, w)])


def test_apply_gradients_of_nothing():
    with pytest.raises(ValueError, match=r"^No variables provided\.$"):
        tf.train.AdamOptimizer().apply_gradients([])


def test_integer_loss_is_rejected():
    tf.Variable(1.0, name="w")
    with pytest.raises(ValueError, match=r"^Invalid type tf\.int32 for Const:0, expected: "):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1))


def test_adagrad_initial_accumulator_must_be_positive():
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive: 0.0"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)


def test_optimizing_a_tensor_is_not_supported():
    with pytest.raises(NotImplementedError, match="Trying to optimize unsupported type"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients(
            [(tf.constant(1.0), tf.constant(2.0))])


# --- learning-rate decay -------------------------------------------------------------------------

@pytest.mark.parametrize("staircase, expected", [
    (False, [0.1 * 0.5 ** (s / 4) for s in range(6)]),
    (True, [0.1 * 0.5 ** (s // 4) for s in range(6)]),
])
def test_exponential_decay(staircase, expected):
    step = tf.train.get_or_create_global_step()
    rate = tf.train.exponential_decay(0.1, step, 4, 0.5, staircase=staircase)
    assert rate.op.name == "ExponentialDecay" and rate.dtype == tf.float32
    increment = tf.assign_add(step, 1)
    with tf.Session() as sess:
        sess.run(step.initializer)
        seen = []
        for _ in range(6):
            seen.append(sess.run(rate))
            sess.run(increment)
    np.testing.assert_allclose(seen, expected, rtol=1e-6)


def test_exponential_decay_needs_a_global_step():
    with pytest.raises(ValueError, match="global_step is required for exponential_decay."):
        tf.train.exponential_decay(0.1, None, 4, 0.5)
